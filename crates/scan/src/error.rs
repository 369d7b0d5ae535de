//! The crate's error type.

use std::path::PathBuf;

/// Everything that can go wrong while getting frames.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No camera matched the requested device (or none is connected).
    #[error("no camera found ({detail}); connect a camera or pick another with --source")]
    NoCamera {
        /// What the camera layer said.
        detail: String,
    },
    /// The camera was open but stopped delivering frames.
    #[error("camera lost ({detail}); it is reopened when it comes back")]
    CameraLost {
        /// What the camera layer said.
        detail: String,
    },
    /// A file or folder could not be read.
    #[error("cannot read {path}")]
    Io {
        /// The path that failed.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An image file could not be decoded.
    #[error("cannot decode image {path}: {detail}; use a PNG or JPEG file")]
    Image {
        /// The image file.
        path: PathBuf,
        /// What the image decoder said.
        detail: String,
    },
    /// A video file is not a y4m stream this crate can read.
    #[error("bad y4m video {path}: {detail}")]
    Video {
        /// The video file.
        path: PathBuf,
        /// What is wrong with it.
        detail: String,
    },
    /// A source was configured with values it cannot use.
    #[error("invalid source settings: {0}")]
    Config(String),
    /// A text could not be rendered as a QR code.
    #[error("cannot render QR code: {0}")]
    Render(String),
}

/// Result with the crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
