//! The HC1/EdDSA health pass and the signed trust and revocation documents. Pure: no IO, no clock.
