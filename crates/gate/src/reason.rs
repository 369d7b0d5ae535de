//! Why a pass is denied.

use std::fmt;

use chrono::{DateTime, Utc};
use passgate_pass::{DecodeError, IssuerId, Kid};
use serde::{Deserialize, Serialize};

/// A deny reason. [`Reason::code`] is the stable snake_case code for
/// storage; `Display` is the English sentence for the attendant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "code", content = "detail", rename_all = "snake_case")]
pub enum Reason {
    /// The text is not a pass of this profile.
    Malformed(DecodeError),
    /// The kiosk has no trust list.
    NoTrustList,
    /// The trust list is past its expiry plus the venue's grace.
    StaleTrustList {
        /// When the list expired.
        expired_at: DateTime<Utc>,
    },
    /// No trusted issuer key has this kid.
    UnknownIssuer {
        /// Kid named by the pass.
        kid: Kid,
    },
    /// The issuer key was not valid at the pass's `iat`.
    KeyNotValidAt {
        /// Kid named by the pass.
        kid: Kid,
        /// The pass's (unverified) issue time.
        iat: DateTime<Utc>,
    },
    /// The signature does not verify: forged or altered.
    BadSignature,
    /// The pass names another issuer than the owner of the signing key.
    IssuerMismatch {
        /// `iss` in the pass.
        claimed: IssuerId,
        /// Issuer of the key in the trust list.
        key_owner: IssuerId,
    },
    /// `iat` is later than now plus the allowed clock skew.
    FutureIssued {
        /// The pass's issue time.
        iat: DateTime<Utc>,
    },
    /// `nbf` is later than now plus the allowed clock skew.
    NotYetValid {
        /// The pass's not-before time.
        nbf: DateTime<Utc>,
    },
    /// `now >= exp`.
    Expired {
        /// The pass's expiry.
        exp: DateTime<Utc>,
    },
    /// The code is older than the venue's maximum age (dynamic codes).
    TooOld {
        /// The pass's issue time.
        iat: DateTime<Utc>,
    },
    /// The pass id or the subject is on the revocation list.
    Revoked,
    /// Yellow health code.
    CodeYellow,
    /// Red health code.
    CodeRed,
    /// Temperature at or above the fever threshold (°C).
    Fever(f32),
    /// A temperature reading no person can have (°C): measure again.
    ImplausibleTemperature(f32),
}

impl Reason {
    /// Every code [`Reason::code`] can return.
    pub const CODES: &'static [&'static str] = &[
        "malformed",
        "no_trust_list",
        "stale_trust_list",
        "unknown_issuer",
        "key_not_valid_at",
        "bad_signature",
        "issuer_mismatch",
        "future_issued",
        "not_yet_valid",
        "expired",
        "too_old",
        "revoked",
        "code_yellow",
        "code_red",
        "fever",
        "implausible_temperature",
    ];

    /// Stable snake_case code for storage and JSON.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "malformed",
            Self::NoTrustList => "no_trust_list",
            Self::StaleTrustList { .. } => "stale_trust_list",
            Self::UnknownIssuer { .. } => "unknown_issuer",
            Self::KeyNotValidAt { .. } => "key_not_valid_at",
            Self::BadSignature => "bad_signature",
            Self::IssuerMismatch { .. } => "issuer_mismatch",
            Self::FutureIssued { .. } => "future_issued",
            Self::NotYetValid { .. } => "not_yet_valid",
            Self::Expired { .. } => "expired",
            Self::TooOld { .. } => "too_old",
            Self::Revoked => "revoked",
            Self::CodeYellow => "code_yellow",
            Self::CodeRed => "code_red",
            Self::Fever(_) => "fever",
            Self::ImplausibleTemperature(_) => "implausible_temperature",
        }
    }
}

fn time(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(e) => write!(f, "not a valid pass: {e}"),
            Self::NoTrustList => {
                f.write_str("no trust list is installed: load one before scanning")
            }
            Self::StaleTrustList { expired_at } => write!(
                f,
                "the trust list expired at {}: update it before admitting anyone",
                time(expired_at)
            ),
            Self::UnknownIssuer { kid } => {
                write!(f, "unknown issuer (key {kid} is not in the trust list)")
            }
            Self::KeyNotValidAt { kid, iat } => write!(
                f,
                "issuer key {kid} was not valid when the pass was issued ({})",
                time(iat)
            ),
            Self::BadSignature => {
                f.write_str("the signature is not valid: the pass is forged or altered")
            }
            Self::IssuerMismatch { claimed, key_owner } => write!(
                f,
                "the pass claims issuer {claimed} but is signed with a key of {key_owner}"
            ),
            Self::FutureIssued { iat } => write!(
                f,
                "the pass is issued in the future ({}): check the kiosk clock",
                time(iat)
            ),
            Self::NotYetValid { nbf } => write!(f, "the pass is not valid before {}", time(nbf)),
            Self::Expired { exp } => write!(f, "the pass expired at {}", time(exp)),
            Self::TooOld { iat } => write!(
                f,
                "the code was issued at {}, longer ago than this venue accepts: show a fresh code",
                time(iat)
            ),
            Self::Revoked => f.write_str("the pass has been revoked"),
            Self::CodeYellow => f.write_str("yellow code"),
            Self::CodeRed => f.write_str("red code"),
            Self::Fever(t) => write!(f, "fever: {t:.1} °C"),
            Self::ImplausibleTemperature(t) => {
                write!(f, "temperature {t:.1} °C is not plausible: measure again")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Vec<Reason> {
        let t = DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let kid = Kid::from_bytes([1; 8]);
        let iss = IssuerId::new("CN-LN").unwrap();
        vec![
            Reason::Malformed(DecodeError::WrongPrefix),
            Reason::NoTrustList,
            Reason::StaleTrustList { expired_at: t },
            Reason::UnknownIssuer { kid },
            Reason::KeyNotValidAt { kid, iat: t },
            Reason::BadSignature,
            Reason::IssuerMismatch {
                claimed: iss.clone(),
                key_owner: iss,
            },
            Reason::FutureIssued { iat: t },
            Reason::NotYetValid { nbf: t },
            Reason::Expired { exp: t },
            Reason::TooOld { iat: t },
            Reason::Revoked,
            Reason::CodeYellow,
            Reason::CodeRed,
            Reason::Fever(38.5),
            Reason::ImplausibleTemperature(12.0),
        ]
    }

    #[test]
    fn codes_are_unique_and_listed() {
        let codes: Vec<_> = all().iter().map(Reason::code).collect();
        assert_eq!(codes, Reason::CODES);
    }

    #[test]
    fn serde_round_trips_with_the_code_as_tag() {
        for reason in all() {
            let json = serde_json::to_value(&reason).unwrap();
            assert_eq!(json["code"], reason.code());
            let back: Reason = serde_json::from_value(json).unwrap();
            assert_eq!(back, reason);
        }
    }

    #[test]
    fn display_is_a_sentence_with_the_details() {
        assert_eq!(Reason::Fever(38.14).to_string(), "fever: 38.1 °C");
        assert_eq!(
            Reason::Expired {
                exp: DateTime::from_timestamp(0, 0).unwrap_or_default()
            }
            .to_string(),
            "the pass expired at 1970-01-01 00:00:00 UTC"
        );
        assert!(
            Reason::Malformed(DecodeError::WrongPrefix)
                .to_string()
                .contains("HC1:")
        );
    }
}
