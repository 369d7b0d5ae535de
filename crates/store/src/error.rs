//! The store's error type.

use std::path::PathBuf;

/// Everything that can go wrong in the store.
///
/// Messages are lower case and say what failed and what to do next.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database file could not be created or opened.
    #[error(
        "cannot open the database {path}: {source}; check that the directory exists and is writable by this user"
    )]
    Open {
        /// The database path.
        path: PathBuf,
        /// The underlying failure.
        source: std::io::Error,
    },
    /// The file exists but is not an SQLite database.
    #[error(
        "the file {path} is not a passgate database (not SQLite); point passgate at the right file or a new path — the file was left unchanged"
    )]
    NotADatabase {
        /// The path.
        path: PathBuf,
    },
    /// The database was written by a newer version of passgate.
    #[error(
        "the database {path} has schema version {found}, newer than this passgate understands (up to {supported}); \
         upgrade passgate, or point it at another database file — the file was left unchanged"
    )]
    TooNew {
        /// The database path.
        path: PathBuf,
        /// The schema version found in the file.
        found: i64,
        /// The newest schema version this code knows.
        supported: i64,
    },
    /// SQLite refused to switch the database to WAL mode.
    #[error(
        "the database {path} could not be switched to WAL mode (it reports journal mode {mode:?}); \
         keep it on a local disk, not a network share"
    )]
    NotWal {
        /// The database path.
        path: PathBuf,
        /// The journal mode SQLite reported.
        mode: String,
    },
    /// Applying a schema migration failed; nothing of it was kept.
    #[error(
        "applying schema migration {version} failed: {source}; the database was left at version {}",
        version - 1
    )]
    Migration {
        /// The version the migration would have produced.
        version: i64,
        /// The SQLite failure.
        source: rusqlite::Error,
    },
    /// Any other SQLite failure.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A new entry failed validation; nothing was written.
    #[error("invalid entry: {0}; nothing was recorded")]
    InvalidEntry(String),
    /// A row in the database does not parse; the file was changed by something else.
    #[error("corrupt row in table {table}: {detail}; the database was modified outside passgate")]
    Corrupt {
        /// The table holding the row.
        table: &'static str,
        /// What did not parse.
        detail: String,
    },
    /// A trust list was refused (bad signature, malformed, or not newer);
    /// the cached one was kept.
    #[error("{0}")]
    TrustList(#[from] passgate_pass::TrustError),
    /// A revocation document was refused (bad signature, stale, or not
    /// connected to the cached chain); the cache was kept.
    #[error("{0}")]
    Revocation(#[from] passgate_pass::RevocationError),
    /// A cached trust document failed re-verification on load.
    #[error(
        "the cached {kind} (seq {seq}) no longer verifies: {reason}; fetch a fresh one from the hub"
    )]
    DocumentInvalid {
        /// Which document.
        kind: &'static str,
        /// Its seq.
        seq: u64,
        /// Why verification failed.
        reason: String,
    },
    /// No manager PIN is configured yet.
    #[error("no manager pin is set; set one first")]
    PinNotSet,
    /// A PIN that does not meet the format.
    #[error("invalid pin: {0}")]
    InvalidPin(&'static str),
    /// Hashing or parsing a stored PIN hash failed.
    #[error("pin hash error: {0}; set the manager pin again")]
    PinHash(String),
    /// A parameter outside its allowed range.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// Writing a CSV file failed.
    #[error("csv export failed: {0}")]
    Csv(#[from] csv::Error),
    /// Writing an XLSX file failed.
    #[error("xlsx export failed: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// An IO failure while exporting.
    #[error("io error: {0}")]
    Io(#[from] std::io::Error),
}

/// The store's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
