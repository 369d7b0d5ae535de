//! The kiosk's upstream client: enrolment, outbox upload, trust and revocation list refresh.
