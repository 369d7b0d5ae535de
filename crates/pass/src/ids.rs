//! Identifier newtypes: [`Kid`], [`PassId`] and [`IssuerId`].

use std::fmt;
use std::str::FromStr;

use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

use crate::error::IdError;

/// Defines a fixed-length byte identifier written as lower-case hex in text.
macro_rules! hex_id {
    ($(#[$meta:meta])* $name:ident, $len:expr, $what:expr) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name([u8; $len]);

        impl $name {
            /// Length of the identifier in bytes.
            pub const LEN: usize = $len;

            /// Wraps raw bytes.
            pub const fn from_bytes(bytes: [u8; $len]) -> Self {
                Self(bytes)
            }

            /// Wraps a slice that must be exactly [`Self::LEN`] bytes long.
            pub fn from_slice(bytes: &[u8]) -> Result<Self, IdError> {
                <[u8; $len]>::try_from(bytes)
                    .map(Self)
                    .map_err(|_| IdError::Length { what: $what, expected: $len, got: bytes.len() })
            }

            /// The raw bytes.
            pub const fn as_bytes(&self) -> &[u8; $len] {
                &self.0
            }

            /// Lower-case hex, the text form used in documents, logs and the database.
            pub fn to_hex(&self) -> String {
                hex::encode(self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.to_hex())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.to_hex())
            }
        }

        impl FromStr for $name {
            type Err = IdError;

            fn from_str(s: &str) -> Result<Self, IdError> {
                let s = s.trim();
                if s.len() != 2 * $len {
                    return Err(IdError::Length { what: $what, expected: $len, got: s.len() / 2 });
                }
                let mut out = [0u8; $len];
                hex::decode_to_slice(s, &mut out).map_err(|_| IdError::NotHex { what: $what })?;
                Ok(Self(out))
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.to_hex())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

hex_id!(
    /// Key identifier: the first 8 bytes of SHA-256 of an issuer's raw 32-byte Ed25519 public key.
    Kid,
    8,
    "kid"
);

hex_id!(
    /// Pass identifier: the 16 random bytes of the CWT `cti` claim.
    PassId,
    16,
    "pass id"
);

impl Kid {
    /// The kid of a public key: `SHA-256(raw key)[..8]`.
    pub fn of(key: &VerifyingKey) -> Self {
        let digest = Sha256::digest(key.as_bytes());
        let mut out = [0u8; 8];
        out.copy_from_slice(&digest[..8]);
        Self(out)
    }
}

/// Maximum length of an issuer id in characters.
pub const MAX_ISSUER_ID_CHARS: usize = 64;

/// Issuer identifier (the CWT `iss` claim), e.g. `CN-LN`: 1 to 64 printable characters.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize)]
#[serde(transparent)]
pub struct IssuerId(String);

impl IssuerId {
    /// Validates and wraps an issuer id.
    pub fn new(id: impl Into<String>) -> Result<Self, IdError> {
        let id = id.into();
        let chars = id.chars().count();
        if chars == 0 || chars > MAX_ISSUER_ID_CHARS {
            return Err(IdError::IssuerIdLength { got: chars });
        }
        if id.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(IdError::IssuerIdCharacters);
        }
        Ok(Self(id))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IssuerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for IssuerId {
    type Err = IdError;

    fn from_str(s: &str) -> Result<Self, IdError> {
        Self::new(s)
    }
}

impl<'de> Deserialize<'de> for IssuerId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::new(s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pass_id_hex_round_trip() {
        let id = PassId::from_bytes([0xab; 16]);
        assert_eq!(id.to_string(), "ab".repeat(16));
        assert_eq!(id.to_string().parse::<PassId>().ok(), Some(id));
    }

    #[test]
    fn wrong_length_and_non_hex_are_refused() {
        assert!(matches!(
            "abcd".parse::<Kid>(),
            Err(IdError::Length { expected: 8, .. })
        ));
        assert!(matches!(
            "zz".repeat(8).parse::<Kid>(),
            Err(IdError::NotHex { .. })
        ));
        assert!(PassId::from_slice(&[0; 15]).is_err());
    }

    #[test]
    fn issuer_id_is_validated() {
        assert!(IssuerId::new("CN-LN").is_ok());
        assert!(IssuerId::new("").is_err());
        assert!(IssuerId::new("a b").is_err());
        assert!(IssuerId::new("x".repeat(65)).is_err());
    }

    #[test]
    fn serde_uses_hex_strings() {
        let kid = Kid::from_bytes([1, 2, 3, 4, 5, 6, 7, 8]);
        let json = serde_json::to_string(&kid).unwrap_or_default();
        assert_eq!(json, "\"0102030405060708\"");
        let back: Kid = serde_json::from_str(&json).unwrap_or(Kid::from_bytes([0; 8]));
        assert_eq!(back, kid);
    }
}
