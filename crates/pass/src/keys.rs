//! Key text formats, shared by the CLI, the kiosk configuration and the trust list.
//!
//! - Public key: one line of 64 lower-case hex digits (the raw 32-byte
//!   Ed25519 key). The same form is used in `NAME.pub`, on the command line,
//!   in `kiosk.toml` and in the trust list's `public_key` field.
//! - Secret key (`NAME.key`): comment lines starting with `#` and one line
//!   `ed25519-seed-hex: <64 hex digits>` holding the 32-byte seed.
//!
//! Parsing a public key refuses points off the curve and small-order (weak) keys.

use ed25519_dalek::{SigningKey, VerifyingKey};

use crate::error::KeyError;
use crate::ids::Kid;

/// Label of the seed line in a secret key file.
pub const SEED_LABEL: &str = "ed25519-seed-hex:";

/// A signing key from a 32-byte seed (e.g. from `getrandom`).
pub fn signing_key_from_seed(seed: [u8; 32]) -> SigningKey {
    SigningKey::from_bytes(&seed)
}

/// The text of a `NAME.key` file for this key (ends with a newline).
pub fn secret_key_to_text(key: &SigningKey) -> String {
    let public = key.verifying_key();
    format!(
        "# passgate Ed25519 secret key. Keep this file private (mode 0600).\n\
         # public key: {}\n\
         # kid: {}\n\
         {SEED_LABEL} {}\n",
        public_key_to_text(&public),
        Kid::of(&public),
        hex::encode(key.as_bytes()),
    )
}

/// Parses the text of a `NAME.key` file.
pub fn parse_secret_key(text: &str) -> Result<SigningKey, KeyError> {
    let mut seed_line = None;
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.strip_prefix(SEED_LABEL) {
            Some(rest) if seed_line.is_none() => seed_line = Some(rest.trim()),
            _ => return Err(KeyError::SecretFormat),
        }
    }
    let seed = decode_32(seed_line.ok_or(KeyError::SecretFormat)?, "secret key seed")?;
    Ok(SigningKey::from_bytes(&seed))
}

/// The text form of a public key: 64 lower-case hex digits, no newline.
pub fn public_key_to_text(key: &VerifyingKey) -> String {
    hex::encode(key.as_bytes())
}

/// Parses a public key in text form (surrounding whitespace allowed) and refuses weak keys.
pub fn parse_public_key(text: &str) -> Result<VerifyingKey, KeyError> {
    public_key_from_bytes(&decode_32(text.trim(), "public key")?)
}

/// Checks raw public key bytes: a curve point that is not of small order.
pub fn public_key_from_bytes(bytes: &[u8; 32]) -> Result<VerifyingKey, KeyError> {
    let key = VerifyingKey::from_bytes(bytes).map_err(|_| KeyError::NotOnCurve)?;
    if key.is_weak() {
        return Err(KeyError::Weak { kid: Kid::of(&key) });
    }
    Ok(key)
}

fn decode_32(text: &str, what: &'static str) -> Result<[u8; 32], KeyError> {
    let mut out = [0u8; 32];
    if text.len() != 64 {
        return Err(KeyError::Encoding { what });
    }
    hex::decode_to_slice(text, &mut out).map_err(|_| KeyError::Encoding { what })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_key_text_round_trips() {
        let key = signing_key_from_seed([7; 32]);
        let text = secret_key_to_text(&key);
        assert!(text.contains(SEED_LABEL));
        let back = parse_secret_key(&text).unwrap();
        assert_eq!(back.as_bytes(), key.as_bytes());
    }

    #[test]
    fn public_key_text_round_trips() {
        let key = signing_key_from_seed([9; 32]).verifying_key();
        let text = public_key_to_text(&key);
        assert_eq!(text.len(), 64);
        assert_eq!(parse_public_key(&format!("{text}\n")).unwrap(), key);
    }

    #[test]
    fn bad_key_texts_are_refused() {
        assert_eq!(parse_secret_key("hello"), Err(KeyError::SecretFormat));
        assert_eq!(
            parse_secret_key(&format!("{SEED_LABEL} {}", "0".repeat(10))),
            Err(KeyError::Encoding {
                what: "secret key seed"
            })
        );
        let twice = format!("{SEED_LABEL} {0}\n{SEED_LABEL} {0}\n", "00".repeat(32));
        assert_eq!(parse_secret_key(&twice), Err(KeyError::SecretFormat));
        assert_eq!(
            parse_public_key("xyz"),
            Err(KeyError::Encoding { what: "public key" })
        );
    }

    #[test]
    fn small_order_public_key_is_refused() {
        // The identity point (y = 1) has order 1.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(matches!(
            parse_public_key(&hex::encode(identity)),
            Err(KeyError::Weak { .. })
        ));
    }
}
