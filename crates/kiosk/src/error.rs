//! Errors of the kiosk service.

use std::path::PathBuf;

/// A `kiosk.toml` that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {}: {error} (pass --config PATH, or copy kiosk.toml from the Passgate repository)", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why (in the message, so not also a `source` the caller would print twice).
        error: std::io::Error,
    },
    /// The file is not valid TOML, has an unknown key or a value of the wrong type.
    #[error("{}: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message, with line and column.
        message: String,
    },
    /// A value is out of range or otherwise unusable.
    #[error("{}{}: key `{key}` {message}", path.display(), line.map(|l| format!(", line {l}")).unwrap_or_default())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The dotted key, e.g. `policy.fever_threshold_c`.
        key: String,
        /// Where the key is set, when it is.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
}

/// Result of config loading.
pub type ConfigResult<T> = std::result::Result<T, ConfigError>;

/// A failure of the kiosk service. A denied pass is not an error: it is a
/// verdict.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `kiosk.toml` could not be used.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Input from the screen that cannot be used; nothing was changed.
    #[error("{0}")]
    BadInput(String),
    /// The manager PIN did not match.
    #[error("wrong PIN ({remaining} tries left before a pause)")]
    WrongPin {
        /// Tries left before the PIN is locked for a while.
        remaining: u32,
    },
    /// Too many wrong PINs.
    #[error("too many wrong PINs: try again in {seconds} s")]
    RateLimited {
        /// Seconds until the next try is accepted.
        seconds: u64,
    },
    /// A manager command was called without unlocking with the PIN first.
    #[error("the manager screen is locked: enter the PIN first")]
    Locked,
    /// Something the service needs is missing or broken (store, keys, files).
    #[error("{what}: {detail}")]
    Internal {
        /// What failed, for the screen.
        what: String,
        /// Details, for the log only.
        detail: String,
    },
}

impl Error {
    /// The stable kind the UI branches on.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Config(_) => "config",
            Error::BadInput(_) => "bad_input",
            Error::WrongPin { .. } => "wrong_pin",
            Error::RateLimited { .. } => "rate_limited",
            Error::Locked => "locked",
            Error::Internal { .. } => "internal",
        }
    }

    /// An internal failure: `what` is shown, `detail` only logged.
    pub fn internal(what: impl Into<String>, detail: impl std::fmt::Display) -> Self {
        Error::Internal {
            what: what.into(),
            detail: detail.to_string(),
        }
    }
}

impl From<Error> for crate::view::CommandError {
    /// The one place a service error becomes a screen message; details go to the log.
    fn from(err: Error) -> Self {
        let message = match &err {
            Error::Internal { what, detail } => {
                log::error!("{what}: {detail}");
                what.clone()
            }
            other => {
                log::warn!("command refused: {other}");
                other.to_string()
            }
        };
        crate::view::CommandError {
            kind: err.kind().to_string(),
            message,
        }
    }
}

/// Result of the kiosk service.
pub type Result<T> = std::result::Result<T, Error>;
