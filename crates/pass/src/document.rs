//! Signed document envelopes (trust lists and revocation documents).
//!
//! ```json
//! {"format":"passgate-signed/1","kind":"trust-list","payload":"<base64 of the payload JSON>",
//!  "signature":"<base64 Ed25519 signature over exactly those bytes>","signer_kid":"<hex>"}
//! ```
//!
//! The payload JSON repeats `"kind"`, so the kind is covered by the
//! signature. Verification is `verify_strict` over the payload bytes with the
//! pinned root key, then the payload is parsed. A store can keep the
//! envelope bytes as received and verify them again on load.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::error::DocumentError;
use crate::ids::Kid;

/// Value of the envelope's `format` field.
pub const FORMAT: &str = "passgate-signed/1";
/// Largest envelope accepted, in bytes.
pub const MAX_DOCUMENT_BYTES: usize = 16 * 1024 * 1024;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    format: String,
    kind: String,
    payload: String,
    signature: String,
    signer_kid: String,
}

#[derive(Deserialize)]
struct KindOnly {
    kind: String,
}

/// Signs payload bytes as a document of `kind`: returns the envelope JSON
/// (one line and a newline). Low level: it signs whatever it is given; use
/// [`crate::TrustListDraft::sign`] or [`crate::RevocationDraft::sign`] to
/// make valid documents.
pub fn sign_payload(kind: &str, payload: &[u8], root: &SigningKey) -> Vec<u8> {
    let envelope = Envelope {
        format: FORMAT.into(),
        kind: kind.into(),
        payload: STANDARD.encode(payload),
        signature: STANDARD.encode(root.sign(payload).to_bytes()),
        signer_kid: Kid::of(&root.verifying_key()).to_hex(),
    };
    let mut out = serde_json::to_vec(&envelope).unwrap_or_default();
    out.push(b'\n');
    out
}

/// Checks an envelope of `kind` against the pinned root key and returns the
/// verified payload bytes (whose own `kind` field has been checked too).
pub fn open_document(
    bytes: &[u8],
    kind: &str,
    root: &VerifyingKey,
) -> Result<Vec<u8>, DocumentError> {
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(DocumentError::TooLarge(bytes.len()));
    }
    let envelope: Envelope =
        serde_json::from_slice(bytes).map_err(|e| DocumentError::Envelope(e.to_string()))?;
    if envelope.format != FORMAT {
        return Err(DocumentError::Format(envelope.format));
    }
    if envelope.kind != kind {
        return Err(DocumentError::Kind {
            expected: kind.into(),
            found: envelope.kind,
        });
    }
    let root_kid = Kid::of(root);
    if envelope.signer_kid.parse::<Kid>().ok() != Some(root_kid) {
        return Err(DocumentError::Signer {
            expected: root_kid,
            found: envelope.signer_kid,
        });
    }
    let payload = STANDARD
        .decode(&envelope.payload)
        .map_err(|e| DocumentError::Envelope(format!("payload is not base64: {e}")))?;
    let signature = STANDARD
        .decode(&envelope.signature)
        .ok()
        .and_then(|s| <[u8; 64]>::try_from(s.as_slice()).ok())
        .ok_or_else(|| DocumentError::Envelope("signature is not 64 bytes of base64".into()))?;
    root.verify_strict(&payload, &Signature::from_bytes(&signature))
        .map_err(|_| DocumentError::BadSignature)?;
    let inner: KindOnly =
        serde_json::from_slice(&payload).map_err(|e| DocumentError::Payload(e.to_string()))?;
    if inner.kind != kind {
        return Err(DocumentError::Kind {
            expected: kind.into(),
            found: inner.kind,
        });
    }
    Ok(payload)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::signing_key_from_seed;

    const PAYLOAD: &[u8] = br#"{"kind":"test","x":1}"#;

    #[test]
    fn sign_then_open_returns_the_exact_bytes() {
        let root = signing_key_from_seed([4; 32]);
        let doc = sign_payload("test", PAYLOAD, &root);
        assert_eq!(
            open_document(&doc, "test", &root.verifying_key()).unwrap(),
            PAYLOAD
        );
    }

    #[test]
    fn other_root_kind_or_tampering_is_refused() {
        let root = signing_key_from_seed([4; 32]);
        let other = signing_key_from_seed([5; 32]);
        let doc = sign_payload("test", PAYLOAD, &root);
        assert!(matches!(
            open_document(&doc, "test", &other.verifying_key()),
            Err(DocumentError::Signer { .. })
        ));
        assert!(matches!(
            open_document(&doc, "trust-list", &root.verifying_key()),
            Err(DocumentError::Kind { .. })
        ));
        let text = String::from_utf8(doc).unwrap();
        let tampered = text.replace(
            &STANDARD.encode(PAYLOAD),
            &STANDARD.encode(br#"{"kind":"test","x":2}"#),
        );
        assert_eq!(
            open_document(tampered.as_bytes(), "test", &root.verifying_key()),
            Err(DocumentError::BadSignature)
        );
        assert!(matches!(
            open_document(b"not json", "test", &root.verifying_key()),
            Err(DocumentError::Envelope(_))
        ));
    }

    #[test]
    fn relabelled_payload_kind_is_refused() {
        // A payload signed as kind "a" cannot be passed off as kind "b" by editing the envelope.
        let root = signing_key_from_seed([4; 32]);
        let doc = String::from_utf8(sign_payload("b", br#"{"kind":"a"}"#, &root)).unwrap();
        assert!(matches!(
            open_document(doc.as_bytes(), "b", &root.verifying_key()),
            Err(DocumentError::Kind { found, .. }) if found == "a"
        ));
    }
}
