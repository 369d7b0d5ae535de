//! The sync crate's error type.

/// Everything that can go wrong while talking to the hub.
///
/// Messages are lower case and say what failed and what to do next.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The hub could not be reached, or the connection broke.
    #[error("cannot reach the hub at {url}: {detail}; check the network and sync.hub_url")]
    Unreachable {
        /// The URL that was tried.
        url: String,
        /// What the HTTP client said.
        detail: String,
    },
    /// The hub answered with an error status.
    #[error("the hub refused the request ({status} {code}): {message}")]
    Refused {
        /// The HTTP status.
        status: u16,
        /// The hub's error code (`bad_signature`, `unknown_device`, ...).
        code: String,
        /// The hub's message.
        message: String,
        /// The hub's `Date` header, if any (to correct the clock offset).
        hub_date: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// The hub's answer did not parse.
    #[error("the hub sent an answer that does not parse ({0}); retrying later")]
    BadAnswer(String),
    /// Some outbox entries cannot be uploaded by this device; they stay pending.
    #[error("{count} entries cannot be uploaded and stay pending: {reason}")]
    NotSendable {
        /// How many.
        count: usize,
        /// Why (the first reason).
        reason: String,
    },
    /// This kiosk has not been enrolled with a hub.
    #[error(
        "this kiosk is not enrolled with a hub; run `passgate enrol --hub URL --token TOKEN --db PATH` with a token from `passgate hub enrol-token`"
    )]
    NotEnrolled,
    /// The saved device identity does not parse.
    #[error("the device identity saved in the database is damaged ({0}); enrol the kiosk again")]
    BadIdentity(String),
    /// A value given by the caller is not usable.
    #[error("{0}")]
    InvalidArgument(String),
    /// The kiosk database failed.
    #[error(transparent)]
    Store(#[from] passgate_store::Error),
    /// The operating system's random source failed.
    #[error("the system random source failed: {0}")]
    Random(String),
}

impl Error {
    /// Whether the error says the hub is unreachable (offline) rather than
    /// that it answered.
    pub fn is_offline(&self) -> bool {
        matches!(self, Error::Unreachable { .. })
    }

    /// The message with every underlying cause, `: `-separated (what the
    /// status bar and the outbox show).
    pub fn describe(&self) -> String {
        chain(self)
    }

    /// The hub's error code, when the hub refused the request.
    pub fn hub_code(&self) -> Option<&str> {
        match self {
            Error::Refused { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// An error and its causes, `: `-separated, skipping a cause whose text
/// its parent already ends with.
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.ends_with(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

/// The sync crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
