//! Errors of the kiosk service.

use std::path::PathBuf;

/// A `kiosk.toml` that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {}: {source} (pass --config PATH, or copy kiosk.toml from the Passgate repository)", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
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
