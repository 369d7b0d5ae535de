//! The kiosk <-> hub wire protocol: paths, header names and the JSON
//! bodies. Shared by the client here and the hub server.
//!
//! | request | body | answer |
//! |---|---|---|
//! | `POST /v1/enrol` | [`EnrolRequest`] | [`EnrolResponse`] |
//! | `POST /v1/entries` (signed, see [`crate::signing`]) | [`UploadRequest`] | [`UploadResponse`] |
//! | `GET /v1/trust-list` (`If-None-Match`) | | the signed trust list envelope, `ETag` |
//! | `GET /v1/revocations?since=SEQ` (`If-None-Match`) | | signed revocation documents, one per line, `ETag` |
//!
//! Every error answer is an [`ErrorBody`].

use passgate_store::{Entry, EntryId};
use serde::{Deserialize, Serialize};

/// Enrolment path.
pub const ENROL_PATH: &str = "/v1/enrol";
/// Upload path.
pub const ENTRIES_PATH: &str = "/v1/entries";
/// Trust list path.
pub const TRUST_LIST_PATH: &str = "/v1/trust-list";
/// Revocations path (query `since=SEQ`).
pub const REVOCATIONS_PATH: &str = "/v1/revocations";

/// Header carrying the device id of a signed request.
pub const HEADER_DEVICE: &str = "x-passgate-device";
/// Header carrying the signing time (Unix seconds) of a signed request.
pub const HEADER_TIMESTAMP: &str = "x-passgate-timestamp";
/// Header carrying the single-use nonce (32 lower-case hex digits).
pub const HEADER_NONCE: &str = "x-passgate-nonce";
/// Header carrying the base64 Ed25519 signature.
pub const HEADER_SIGNATURE: &str = "x-passgate-signature";

/// Content type of the revocations answer: one signed document per line.
pub const NDJSON: &str = "application/x-ndjson";

/// Longest device id, in characters.
pub const MAX_DEVICE_ID_CHARS: usize = 64;

/// Checks a device or venue id: 1 to 64 of `A-Z a-z 0-9 . _ -`, so it can
/// travel in a header and in the signed string unchanged.
pub fn check_id(what: &str, id: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && id.len() <= MAX_DEVICE_ID_CHARS
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{what} {id:?} must be 1 to {MAX_DEVICE_ID_CHARS} characters of A-Z, a-z, 0-9, '.', '_' or '-'"
        ))
    }
}

/// `POST /v1/enrol`: a kiosk presents a one-time token and its public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrolRequest {
    /// The one-time token from `passgate hub enrol-token`.
    pub token: String,
    /// The kiosk's device id (`venue.device` in kiosk.toml).
    pub device_id: String,
    /// The venue the kiosk is configured for; the token must be for it.
    pub venue_id: String,
    /// The device's Ed25519 public key, 64 hex digits.
    pub public_key: String,
}

/// The hub's answer to a successful enrolment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolResponse {
    /// The enrolled device id.
    pub device_id: String,
    /// The venue it is bound to.
    pub venue_id: String,
}

/// `POST /v1/entries`: a batch of entries and the kiosk's backlog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadRequest {
    /// Entries on the kiosk not yet acknowledged, this batch included.
    pub backlog: u64,
    /// The entries; each must carry the device's own venue and device id.
    pub entries: Vec<Entry>,
}

/// The hub's answer to an upload.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UploadResponse {
    /// The ids (of those sent) the hub now holds with exactly the sent content.
    pub held: Vec<EntryId>,
    /// Ids the hub already holds with different content; never overwritten.
    #[serde(default)]
    pub conflicts: Vec<EntryId>,
}

/// The body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// A stable snake_case code (`bad_signature`, `replay`, ...).
    pub error: String,
    /// What went wrong, in words.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_that_could_break_the_signed_string_are_refused() {
        assert!(check_id("device id", "kiosk-01.gate_a").is_ok());
        for bad in ["", "a\nb", "a b", "ü", &"x".repeat(65)] {
            assert!(check_id("device id", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn upload_response_without_conflicts_parses() {
        let r: UploadResponse = serde_json::from_str(r#"{"held":[]}"#).unwrap();
        assert_eq!(r, UploadResponse::default());
    }
}
