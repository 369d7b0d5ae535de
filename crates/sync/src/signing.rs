//! Request signatures: how a device proves that it sent a request, when,
//! and exactly which body. Pure: keys, times and nonces are arguments.
//!
//! The signed string is seven lines joined by `\n` (no trailing newline):
//!
//! ```text
//! passgate-request/1
//! POST
//! /v1/entries
//! <device id>
//! <timestamp: Unix seconds, decimal>
//! <nonce: 32 lower-case hex digits>
//! <SHA-256 of the exact body bytes, 64 lower-case hex digits>
//! ```
//!
//! The signature is Ed25519 over those bytes, sent in base64 (standard
//! alphabet, padded) in [`crate::protocol::HEADER_SIGNATURE`] beside the
//! device, timestamp and nonce headers. The hub verifies with
//! `verify_strict`, accepts a timestamp within its window of its own clock,
//! and each nonce once per device.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, TimeDelta, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// The first line of every signed string (domain separation).
pub const DOMAIN: &str = "passgate-request/1";
/// Length of a nonce in hex digits (16 random bytes).
pub const NONCE_HEX_LEN: usize = 32;

/// The four signature headers of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestAuth {
    /// The device id.
    pub device: String,
    /// Signing time, Unix seconds (in the hub's time as the device best knows it).
    pub timestamp: i64,
    /// Single-use nonce, 32 lower-case hex digits.
    pub nonce: String,
    /// Base64 Ed25519 signature over [`string_to_sign`].
    pub signature: String,
}

/// Why a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// The nonce is not 32 lower-case hex digits.
    #[error("the nonce must be {NONCE_HEX_LEN} lower-case hex digits")]
    BadNonce,
    /// The signature header is not 64 bytes of base64.
    #[error("the signature header is not 64 bytes of base64")]
    BadEncoding,
    /// The signature does not verify with the device's key.
    #[error("the request signature does not verify with the device's enrolled key")]
    BadSignature,
    /// The timestamp is too far from the hub's clock.
    #[error(
        "the request time {timestamp} is {skew} s away from the hub's clock (allowed: {window} s); the kiosk corrects its clock from the hub's Date header and retries"
    )]
    ClockSkew {
        /// The signed timestamp.
        timestamp: i64,
        /// Its distance from the hub's clock, seconds.
        skew: i64,
        /// The allowed distance, seconds.
        window: i64,
    },
}

/// Lower-case hex SHA-256 of `body`.
pub fn body_digest(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

/// The exact bytes that are signed (see the module docs).
pub fn string_to_sign(
    method: &str,
    path_and_query: &str,
    device: &str,
    timestamp: i64,
    nonce: &str,
    body: &[u8],
) -> String {
    format!(
        "{DOMAIN}\n{method}\n{path_and_query}\n{device}\n{timestamp}\n{nonce}\n{}",
        body_digest(body)
    )
}

/// Signs a request.
pub fn sign_request(
    key: &SigningKey,
    method: &str,
    path_and_query: &str,
    device: &str,
    timestamp: i64,
    nonce: &str,
    body: &[u8],
) -> RequestAuth {
    let text = string_to_sign(method, path_and_query, device, timestamp, nonce, body);
    RequestAuth {
        device: device.to_owned(),
        timestamp,
        nonce: nonce.to_owned(),
        signature: STANDARD.encode(key.sign(text.as_bytes()).to_bytes()),
    }
}

/// Checks the nonce format and the signature of a request with the
/// device's key. Does not look at the clock or at nonces seen before.
pub fn verify_request(
    key: &VerifyingKey,
    method: &str,
    path_and_query: &str,
    auth: &RequestAuth,
    body: &[u8],
) -> Result<(), AuthError> {
    if !is_nonce(&auth.nonce) {
        return Err(AuthError::BadNonce);
    }
    let sig = STANDARD
        .decode(&auth.signature)
        .ok()
        .and_then(|s| <[u8; 64]>::try_from(s.as_slice()).ok())
        .ok_or(AuthError::BadEncoding)?;
    let text = string_to_sign(
        method,
        path_and_query,
        &auth.device,
        auth.timestamp,
        &auth.nonce,
        body,
    );
    key.verify_strict(text.as_bytes(), &Signature::from_bytes(&sig))
        .map_err(|_| AuthError::BadSignature)
}

/// Checks that `timestamp` is within `window` of `now`.
pub fn check_timestamp(
    timestamp: i64,
    now: DateTime<Utc>,
    window: TimeDelta,
) -> Result<(), AuthError> {
    let skew = timestamp.saturating_sub(now.timestamp());
    if skew.abs() > window.num_seconds() {
        return Err(AuthError::ClockSkew {
            timestamp,
            skew,
            window: window.num_seconds(),
        });
    }
    Ok(())
}

/// Whether `nonce` is 32 lower-case hex digits.
pub fn is_nonce(nonce: &str) -> bool {
    nonce.len() == NONCE_HEX_LEN
        && nonce
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A nonce from 16 given random bytes.
pub fn nonce_from(bytes: [u8; 16]) -> String {
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[3; 32])
    }

    fn signed(body: &[u8]) -> RequestAuth {
        sign_request(
            &key(),
            "POST",
            "/v1/entries",
            "kiosk-1",
            1_800_000_000,
            &nonce_from([7; 16]),
            body,
        )
    }

    #[test]
    fn signed_string_is_the_documented_seven_lines() {
        let s = string_to_sign("POST", "/v1/entries", "k", 12, &"a".repeat(32), b"");
        let lines: Vec<&str> = s.split('\n').collect();
        assert_eq!(lines.len(), 7);
        assert_eq!(lines[0], DOMAIN);
        assert_eq!(lines[4], "12");
        // SHA-256 of the empty string.
        assert_eq!(
            lines[6],
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn a_signature_verifies_only_for_the_exact_request() {
        let vk = key().verifying_key();
        let auth = signed(b"{\"a\":1}");
        assert_eq!(
            verify_request(&vk, "POST", "/v1/entries", &auth, b"{\"a\":1}"),
            Ok(())
        );
        let check = |method: &str, path: &str, auth: &RequestAuth, body: &[u8]| {
            verify_request(&vk, method, path, auth, body)
        };
        let bad = Err(AuthError::BadSignature);
        assert_eq!(check("POST", "/v1/entries", &auth, b"{\"a\":2}"), bad);
        assert_eq!(check("PUT", "/v1/entries", &auth, b"{\"a\":1}"), bad);
        assert_eq!(check("POST", "/v1/other", &auth, b"{\"a\":1}"), bad);
        for change in [
            |a: &mut RequestAuth| a.device = "kiosk-2".into(),
            |a: &mut RequestAuth| a.timestamp += 1,
            |a: &mut RequestAuth| a.nonce = nonce_from([8; 16]),
        ] {
            let mut a = auth.clone();
            change(&mut a);
            assert_eq!(check("POST", "/v1/entries", &a, b"{\"a\":1}"), bad);
        }
        let other = SigningKey::from_bytes(&[4; 32]).verifying_key();
        assert_eq!(
            verify_request(&other, "POST", "/v1/entries", &auth, b"{\"a\":1}"),
            bad
        );
    }

    #[test]
    fn malformed_nonce_and_signature_are_named() {
        let vk = key().verifying_key();
        let mut a = signed(b"");
        a.nonce = "ABC".into();
        assert_eq!(
            verify_request(&vk, "POST", "/v1/entries", &a, b""),
            Err(AuthError::BadNonce)
        );
        let mut a = signed(b"");
        a.signature = "bm90IDY0IGJ5dGVz".into();
        assert_eq!(
            verify_request(&vk, "POST", "/v1/entries", &a, b""),
            Err(AuthError::BadEncoding)
        );
    }

    #[test]
    fn timestamps_outside_the_window_are_refused_both_ways() {
        let now = DateTime::from_timestamp(1_000_000, 0).unwrap();
        let w = TimeDelta::seconds(300);
        assert!(check_timestamp(1_000_300, now, w).is_ok());
        assert!(check_timestamp(999_700, now, w).is_ok());
        assert!(matches!(
            check_timestamp(1_000_301, now, w),
            Err(AuthError::ClockSkew { skew: 301, .. })
        ));
        assert!(matches!(
            check_timestamp(999_699, now, w),
            Err(AuthError::ClockSkew { skew: -301, .. })
        ));
    }
}
