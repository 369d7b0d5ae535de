//! The hub's error type.

use std::path::PathBuf;

/// Everything that can go wrong in the hub.
///
/// Messages are lower case and say what failed and what to do next.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database could not be opened.
    #[error("cannot open the hub database {path}: {detail}")]
    Open {
        /// The database path.
        path: PathBuf,
        /// What failed.
        detail: String,
    },
    /// The database was written by a newer hub.
    #[error(
        "the hub database {path} has schema version {found}, newer than this passgate understands (up to {supported}); upgrade passgate — the file was left unchanged"
    )]
    TooNew {
        /// The database path.
        path: PathBuf,
        /// The version found.
        found: i64,
        /// The newest version known.
        supported: i64,
    },
    /// Any other SQLite failure.
    #[error("hub database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A stored row does not parse.
    #[error("corrupt row in hub table {table}: {detail}")]
    Corrupt {
        /// The table.
        table: &'static str,
        /// What did not parse.
        detail: String,
    },
    /// The enrolment token is unknown, used or expired.
    #[error(
        "the enrolment token is unknown, already used or expired; make a new one with `passgate hub enrol-token`"
    )]
    BadToken,
    /// The token is for another venue than the kiosk's.
    #[error(
        "the enrolment token is for venue {token_venue:?}, not {asked:?}; check venue.id in kiosk.toml or make a token for that venue"
    )]
    WrongVenue {
        /// The token's venue.
        token_venue: String,
        /// The venue the kiosk asked for.
        asked: String,
    },
    /// The device id is already enrolled with another key or venue.
    #[error(
        "device {0:?} is already enrolled with another key or venue; give this kiosk another venue.device, or remove the old device with `passgate hub forget-device`"
    )]
    DeviceTaken(String),
    /// A signed request was received before (its nonce was used).
    #[error(
        "this request was already received (its nonce was used); a new request needs a new nonce"
    )]
    Replay,
    /// A document to publish was refused; nothing was replaced.
    #[error("{0}; nothing was published")]
    Publish(String),
    /// A value given by the caller is not usable.
    #[error("{0}")]
    InvalidArgument(String),
    /// The system random source failed.
    #[error("the system random source failed: {0}")]
    Random(String),
    /// Writing an export failed.
    #[error(transparent)]
    Export(#[from] passgate_store::Error),
    /// A background task failed.
    #[error("internal error: {0}")]
    Internal(String),
}

/// The hub's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
