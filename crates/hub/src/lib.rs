//! The upstream hub server: device enrolment, entry ingest, trust and revocation list publishing.
