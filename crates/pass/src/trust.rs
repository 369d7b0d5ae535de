//! Trust lists: the issuers a kiosk accepts, signed by the pinned root key.
//!
//! Payload JSON (inside a [`crate::document`] envelope of kind `trust-list`):
//! `{"kind":"trust-list","seq":N,"issued_at":RFC3339,"expires_at":RFC3339,
//! "issuers":[{"kid":hex,"iss":"CN-LN","name":"…","public_key":hex,
//! "not_before":RFC3339,"not_after":RFC3339}]}`.
//!
//! A list is refused when an issuer key is weak or off the curve, a kid does
//! not match its key, a kid repeats, or a time window is empty.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::document::{open_document, sign_payload};
use crate::error::{DocumentError, TrustError};
use crate::ids::{IssuerId, Kid};
use crate::keys::{parse_public_key, public_key_to_text};

/// Document kind of a trust list.
pub const TRUST_LIST_KIND: &str = "trust-list";
/// Maximum length of an issuer display name in characters.
pub const MAX_NAME_CHARS: usize = 128;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Payload {
    kind: String,
    seq: u64,
    issued_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    issuers: Vec<IssuerRecord>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct IssuerRecord {
    kid: Kid,
    iss: IssuerId,
    name: String,
    public_key: String,
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
}

/// An issuer key accepted by a verified trust list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustedIssuer {
    /// Kid of `public_key`.
    pub kid: Kid,
    /// Issuer id that passes signed by this key must carry.
    pub iss: IssuerId,
    /// Display name, e.g. `Liaoning Health Commission`.
    pub name: String,
    /// The issuer's public key.
    pub public_key: VerifyingKey,
    /// Passes issued (iat) before this are refused.
    pub not_before: DateTime<Utc>,
    /// Passes issued (iat) after this are refused.
    pub not_after: DateTime<Utc>,
}

impl TrustedIssuer {
    /// Whether a pass issued at `iat` falls in the key's validity window (inclusive).
    pub fn valid_at(&self, iat: DateTime<Utc>) -> bool {
        self.not_before <= iat && iat <= self.not_after
    }
}

/// A trust list whose signature verified with the pinned root key. Only
/// [`TrustList::verify`] and [`accept_newer`] make one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustList {
    seq: u64,
    issued_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    issuers: Vec<TrustedIssuer>,
}

impl TrustList {
    /// Verifies envelope bytes with the root key and checks the list.
    pub fn verify(bytes: &[u8], root: &VerifyingKey) -> Result<Self, TrustError> {
        let payload = open_document(bytes, TRUST_LIST_KIND, root)?;
        let payload: Payload =
            serde_json::from_slice(&payload).map_err(|e| DocumentError::Payload(e.to_string()))?;
        check_window("expires_at", payload.issued_at, payload.expires_at)?;
        let mut seen = HashSet::new();
        let mut issuers = Vec::with_capacity(payload.issuers.len());
        for record in payload.issuers {
            let public_key =
                parse_public_key(&record.public_key).map_err(|source| TrustError::IssuerKey {
                    iss: record.iss.clone(),
                    source,
                })?;
            let actual = Kid::of(&public_key);
            if actual != record.kid {
                return Err(TrustError::KidMismatch {
                    iss: record.iss,
                    listed: record.kid,
                    actual,
                });
            }
            if !seen.insert(actual) {
                return Err(TrustError::DuplicateKid(actual));
            }
            check_name(&record.name)?;
            check_window("not_after", record.not_before, record.not_after)?;
            issuers.push(TrustedIssuer {
                kid: actual,
                iss: record.iss,
                name: record.name,
                public_key,
                not_before: record.not_before,
                not_after: record.not_after,
            });
        }
        Ok(Self {
            seq: payload.seq,
            issued_at: payload.issued_at,
            expires_at: payload.expires_at,
            issuers,
        })
    }

    /// Monotonic sequence number.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// When the list was signed.
    pub fn issued_at(&self) -> DateTime<Utc> {
        self.issued_at
    }

    /// After this (plus the venue's grace) the list is stale.
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }

    /// All accepted issuer keys.
    pub fn issuers(&self) -> &[TrustedIssuer] {
        &self.issuers
    }

    /// The issuer key with this kid.
    pub fn issuer(&self, kid: &Kid) -> Option<&TrustedIssuer> {
        self.issuers.iter().find(|i| &i.kid == kid)
    }
}

/// Decides whether `candidate` (envelope bytes) replaces `current`: it must
/// verify with the root key, pass the list checks and have a higher `seq`.
/// On error the caller keeps `current`.
pub fn accept_newer(
    current: Option<&TrustList>,
    candidate: &[u8],
    root: &VerifyingKey,
) -> Result<TrustList, TrustError> {
    let list = TrustList::verify(candidate, root)?;
    match current {
        Some(cur) if list.seq <= cur.seq => Err(TrustError::Rollback {
            current: cur.seq,
            candidate: list.seq,
        }),
        _ => Ok(list),
    }
}

/// An issuer to put into a new trust list.
#[derive(Clone, Debug)]
pub struct IssuerDraft {
    /// Issuer id.
    pub iss: IssuerId,
    /// Display name.
    pub name: String,
    /// Public key (its kid is computed).
    pub public_key: VerifyingKey,
    /// Start of the key's validity (by pass iat).
    pub not_before: DateTime<Utc>,
    /// End of the key's validity (by pass iat).
    pub not_after: DateTime<Utc>,
}

/// A trust list to be signed by the root key.
#[derive(Clone, Debug)]
pub struct TrustListDraft {
    /// Sequence number; must exceed the one kiosks hold.
    pub seq: u64,
    /// Signing time.
    pub issued_at: DateTime<Utc>,
    /// Expiry time.
    pub expires_at: DateTime<Utc>,
    /// The issuers.
    pub issuers: Vec<IssuerDraft>,
}

impl TrustListDraft {
    /// Signs the list with the root key and returns the envelope bytes. The
    /// result is verified before it is returned, so a list a kiosk would
    /// refuse is never produced.
    pub fn sign(&self, root: &SigningKey) -> Result<Vec<u8>, TrustError> {
        let payload = Payload {
            kind: TRUST_LIST_KIND.into(),
            seq: self.seq,
            issued_at: self.issued_at,
            expires_at: self.expires_at,
            issuers: self
                .issuers
                .iter()
                .map(|i| IssuerRecord {
                    kid: Kid::of(&i.public_key),
                    iss: i.iss.clone(),
                    name: i.name.clone(),
                    public_key: public_key_to_text(&i.public_key),
                    not_before: i.not_before,
                    not_after: i.not_after,
                })
                .collect(),
        };
        let json =
            serde_json::to_vec(&payload).map_err(|e| DocumentError::Payload(e.to_string()))?;
        let doc = sign_payload(TRUST_LIST_KIND, &json, root);
        TrustList::verify(&doc, &root.verifying_key())?;
        Ok(doc)
    }
}

fn check_window(what: &str, start: DateTime<Utc>, end: DateTime<Utc>) -> Result<(), TrustError> {
    if end <= start {
        return Err(TrustError::Window(format!(
            "{what} {end} is not after its start {start}"
        )));
    }
    Ok(())
}

fn check_name(name: &str) -> Result<(), TrustError> {
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(DocumentError::Payload(format!(
            "issuer name {name:?} must be 1 to {MAX_NAME_CHARS} characters without control characters"
        ))
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;
    use crate::keys::signing_key_from_seed;

    fn t0() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    fn draft(seq: u64) -> TrustListDraft {
        TrustListDraft {
            seq,
            issued_at: t0(),
            expires_at: t0() + TimeDelta::days(7),
            issuers: vec![IssuerDraft {
                iss: IssuerId::new("CN-LN").unwrap(),
                name: "Liaoning".into(),
                public_key: signing_key_from_seed([1; 32]).verifying_key(),
                not_before: t0(),
                not_after: t0() + TimeDelta::days(365),
            }],
        }
    }

    #[test]
    fn signed_list_verifies_and_finds_issuers() {
        let root = signing_key_from_seed([9; 32]);
        let doc = draft(3).sign(&root).unwrap();
        let list = TrustList::verify(&doc, &root.verifying_key()).unwrap();
        assert_eq!(list.seq(), 3);
        let kid = Kid::of(&signing_key_from_seed([1; 32]).verifying_key());
        assert_eq!(list.issuer(&kid).map(|i| i.iss.as_str()), Some("CN-LN"));
        assert!(list.issuer(&Kid::from_bytes([0; 8])).is_none());
    }

    #[test]
    fn accept_newer_refuses_rollback_and_equal_seq() {
        let root = signing_key_from_seed([9; 32]);
        let current =
            TrustList::verify(&draft(5).sign(&root).unwrap(), &root.verifying_key()).unwrap();
        let older = draft(4).sign(&root).unwrap();
        let same = draft(5).sign(&root).unwrap();
        let newer = draft(6).sign(&root).unwrap();
        assert_eq!(
            accept_newer(Some(&current), &older, &root.verifying_key()),
            Err(TrustError::Rollback {
                current: 5,
                candidate: 4
            })
        );
        assert!(accept_newer(Some(&current), &same, &root.verifying_key()).is_err());
        assert_eq!(
            accept_newer(Some(&current), &newer, &root.verifying_key())
                .unwrap()
                .seq(),
            6
        );
        assert_eq!(
            accept_newer(None, &older, &root.verifying_key())
                .unwrap()
                .seq(),
            4
        );
    }

    #[test]
    fn duplicate_kids_and_empty_windows_are_not_signed() {
        let root = signing_key_from_seed([9; 32]);
        let mut d = draft(1);
        d.issuers.push(d.issuers[0].clone());
        assert!(matches!(d.sign(&root), Err(TrustError::DuplicateKid(_))));
        let mut d = draft(1);
        d.expires_at = d.issued_at;
        assert!(matches!(d.sign(&root), Err(TrustError::Window(_))));
    }
}
