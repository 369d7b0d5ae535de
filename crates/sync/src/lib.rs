//! The kiosk <-> hub sync protocol and the kiosk's upstream client.
//!
//! - [`protocol`]: paths, headers and JSON bodies, shared with the hub.
//! - [`signing`]: how a device signs a request (Ed25519 over a
//!   domain-separated string of method, path, device, timestamp, nonce and
//!   the SHA-256 of the exact body). Pure.
//! - [`plan`]: which outbox entries to send, what to mark after the hub's
//!   answer, when a round goes on, backoff with jitter. Pure.
//! - [`HubClient`]: the HTTP client (reqwest, rustls).
//! - [`Syncer`]: one round — upload the outbox in batches, marking only
//!   the ids the hub confirmed, then refresh the trust list and revocation
//!   documents, which the store keeps only if they verify against the
//!   pinned root and are newer / continue the chain. The hub's `Date`
//!   header gives the clock offset, and requests are signed in hub time.
//! - [`SyncHandle`]: the background loop the kiosk service starts; it
//!   reports a [`SyncStatus`] after every round.
//! - [`enrol`]: one-time enrolment with a token from the hub.
//!
//! This crate does not decide admissions and does not own the database
//! schema; it only moves entries out and documents in.

mod client;
mod engine;
mod error;
pub mod identity;
pub mod plan;
pub mod protocol;
mod service;
pub mod signing;

pub use client::{Answer, ClientOptions, Download, HubClient, parse_http_date};
pub use engine::{CLOCK_SKEW_CODE, Clock, RoundReport, SyncStatus, Syncer, SystemClock, enrol};
pub use error::{Error, Result, chain};
pub use identity::DeviceIdentity;
pub use plan::Backoff;
pub use service::{StatusCallback, SyncHandle, SyncOptions};
