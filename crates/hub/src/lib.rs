//! The upstream hub server: device enrolment, signed entry ingest, and
//! serving the trust list and revocation documents the authority signed.
//!
//! - [`router`] / [`run`]: the axum API (`POST /v1/enrol`, `POST
//!   /v1/entries`, `GET /v1/trust-list`, `GET /v1/revocations?since=SEQ`,
//!   `GET /v1/health`); the wire format lives in [`passgate_sync::protocol`].
//!   `run` takes its listener and shutdown signal, so tests bind
//!   `127.0.0.1:0`.
//! - [`storage`]: the [`HubStorage`] trait and the embedded SQLite backend.
//! - [`publish`]: enrolment tokens and publishing signed documents.
//!
//! The hub holds no root key and signs nothing: it checks the authority's
//! signatures and sequence numbers, stores and serves. It never lets an
//! upload touch another venue's entries, and never overwrites an entry.

mod api;
mod error;
pub mod publish;
pub mod storage;

pub use api::{HubConfig, HubState, router, run};
pub use error::{Error, Result};
pub use publish::{Published, create_enrol_token, publish};
pub use storage::{DeviceStatus, HubStorage, SqliteStorage};
