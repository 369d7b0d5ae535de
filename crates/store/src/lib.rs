//! The kiosk's SQLite store: migrations, entries and their outbox, cached
//! trust documents, settings (manager PIN), retention, queries and the
//! CSV/XLSX export.
//!
//! The store knows nothing of the gate's types: the kiosk hands it a plain
//! [`NewEntry`] and the instant `now`; the store reads no clock. An entry
//! and its outbox row commit in one transaction and [`Store::record`]
//! returns only after the commit is durable (`synchronous=FULL`, WAL).
//! Entries are purged only once the hub has acknowledged them.
//!
//! [`Entry`] is the stored row, the sync upload format and the hub's row;
//! [`export`] works on slices of it so the hub can reuse it.

mod db;
mod documents;
mod entries;
mod entry;
mod error;
pub mod export;
mod migrate;
mod outbox;
mod query;
mod retention;
mod settings;
mod summary;

pub use db::{BUSY_TIMEOUT, Store};
pub use documents::{CachedRevocations, CachedTrustList};
pub use entry::{
    Colour, Entry, EntryId, Kind, MAX_FIELD_CHARS, MAX_REASON_TEXT_CHARS, NewEntry, Outcome,
    fit_text,
};
pub use error::{Error, Result};
pub use migrate::SCHEMA_VERSION;
pub use outbox::Backlog;
pub use query::{LogPage, LogQuery, MAX_PAGE, local_day};
pub use retention::{DEFAULT_RETENTION_DAYS, PurgeReport};
pub use settings::{
    PIN_FIRST_LOCKOUT, PIN_FREE_TRIES, PIN_MAX_LOCKOUT, PinCheck, after_wrong_pin, validate_pin,
};
pub use summary::{DaySummary, ReasonCount, Totals};

/// Re-exported so callers name the same time-zone type.
pub use chrono_tz::Tz;
