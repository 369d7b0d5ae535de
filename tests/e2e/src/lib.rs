//! End-to-end test of the Passgate app; the test itself is in `tests/`.
