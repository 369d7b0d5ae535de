//! Revocation documents (signed deltas) and the [`RevocationSet`] they build.
//!
//! Payload JSON (inside a [`crate::document`] envelope of kind
//! `revocation-list`): `{"kind":"revocation-list","seq":N,"base_seq":B,
//! "issued_at":RFC3339,"pass_ids":[hex],"subjects":[pseudonym]}`. A document
//! holds the revocations added after `base_seq` up to `seq`; `base_seq` 0
//! means everything (a full list). Revocations are never withdrawn, so sets
//! only grow and applying a document is a union.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::claims::MAX_SUBJECT_CHARS;
use crate::document::{open_document, sign_payload};
use crate::error::{DocumentError, RevocationError};
use crate::ids::PassId;

/// Document kind of a revocation document.
pub const REVOCATION_KIND: &str = "revocation-list";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Payload {
    kind: String,
    seq: u64,
    base_seq: u64,
    issued_at: DateTime<Utc>,
    pass_ids: Vec<PassId>,
    subjects: Vec<String>,
}

/// A revocation document whose signature verified with the root key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevocationDoc {
    seq: u64,
    base_seq: u64,
    issued_at: DateTime<Utc>,
    pass_ids: Vec<PassId>,
    subjects: Vec<String>,
}

impl RevocationDoc {
    /// Verifies envelope bytes with the root key and checks the payload.
    pub fn verify(bytes: &[u8], root: &VerifyingKey) -> Result<Self, RevocationError> {
        let payload = open_document(bytes, REVOCATION_KIND, root)?;
        let p: Payload =
            serde_json::from_slice(&payload).map_err(|e| DocumentError::Payload(e.to_string()))?;
        check(p.seq, p.base_seq, &p.subjects)?;
        Ok(Self {
            seq: p.seq,
            base_seq: p.base_seq,
            issued_at: p.issued_at,
            pass_ids: p.pass_ids,
            subjects: p.subjects,
        })
    }

    /// Sequence number after this document.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// Sequence number this delta starts from (0: a full list).
    pub fn base_seq(&self) -> u64 {
        self.base_seq
    }

    /// Signing time.
    pub fn issued_at(&self) -> DateTime<Utc> {
        self.issued_at
    }

    /// Revoked pass ids.
    pub fn pass_ids(&self) -> &[PassId] {
        &self.pass_ids
    }

    /// Revoked subject pseudonyms.
    pub fn subjects(&self) -> &[String] {
        &self.subjects
    }
}

/// A revocation document to be signed by the root key.
#[derive(Clone, Debug, Default)]
pub struct RevocationDraft {
    /// Sequence number after this document.
    pub seq: u64,
    /// Sequence number the delta starts from (0: a full list).
    pub base_seq: u64,
    /// Signing time.
    pub issued_at: DateTime<Utc>,
    /// Revoked pass ids.
    pub pass_ids: Vec<PassId>,
    /// Revoked subject pseudonyms.
    pub subjects: Vec<String>,
}

impl RevocationDraft {
    /// Checks and signs the document; returns the envelope bytes.
    pub fn sign(&self, root: &SigningKey) -> Result<Vec<u8>, RevocationError> {
        check(self.seq, self.base_seq, &self.subjects)?;
        let payload = Payload {
            kind: REVOCATION_KIND.into(),
            seq: self.seq,
            base_seq: self.base_seq,
            issued_at: self.issued_at,
            pass_ids: self.pass_ids.clone(),
            subjects: self.subjects.clone(),
        };
        let json =
            serde_json::to_vec(&payload).map_err(|e| DocumentError::Payload(e.to_string()))?;
        Ok(sign_payload(REVOCATION_KIND, &json, root))
    }
}

fn check(seq: u64, base_seq: u64, subjects: &[String]) -> Result<(), RevocationError> {
    if seq <= base_seq {
        return Err(RevocationError::SeqOrder { seq, base_seq });
    }
    if let Some(bad) = subjects.iter().find(|s| {
        let n = s.chars().count();
        n == 0 || n > MAX_SUBJECT_CHARS || s.chars().any(char::is_control)
    }) {
        return Err(DocumentError::Payload(format!(
            "subject {bad:?} must be 1 to {MAX_SUBJECT_CHARS} characters without control characters"
        ))
        .into());
    }
    Ok(())
}

/// The revocations a kiosk knows, up to `seq`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RevocationSet {
    seq: u64,
    pass_ids: HashSet<PassId>,
    subjects: HashSet<String>,
}

impl RevocationSet {
    /// An empty set at seq 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// The seq of the last applied document (0: none).
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// Applies a verified document when `doc.base_seq <= self.seq < doc.seq`;
    /// otherwise refuses it (a gap or a stale document) and changes nothing.
    pub fn apply(&mut self, doc: &RevocationDoc) -> Result<(), RevocationError> {
        if doc.seq <= self.seq {
            return Err(RevocationError::Stale {
                have: self.seq,
                seq: doc.seq,
            });
        }
        if doc.base_seq > self.seq {
            return Err(RevocationError::Gap {
                have: self.seq,
                base_seq: doc.base_seq,
                seq: doc.seq,
            });
        }
        self.pass_ids.extend(doc.pass_ids.iter().copied());
        self.subjects.extend(doc.subjects.iter().cloned());
        self.seq = doc.seq;
        Ok(())
    }

    /// Whether this pass id is revoked.
    pub fn is_pass_revoked(&self, id: &PassId) -> bool {
        self.pass_ids.contains(id)
    }

    /// Whether this subject pseudonym is revoked.
    pub fn is_subject_revoked(&self, subject: &str) -> bool {
        self.subjects.contains(subject)
    }

    /// Number of revoked pass ids and subjects.
    pub fn len(&self) -> usize {
        self.pass_ids.len() + self.subjects.len()
    }

    /// Whether nothing is revoked.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::signing_key_from_seed;

    fn doc(seq: u64, base_seq: u64, id: u8) -> RevocationDoc {
        let root = signing_key_from_seed([9; 32]);
        let bytes = RevocationDraft {
            seq,
            base_seq,
            issued_at: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
            pass_ids: vec![PassId::from_bytes([id; 16])],
            subjects: vec![format!("sub-{id}")],
        }
        .sign(&root)
        .unwrap();
        RevocationDoc::verify(&bytes, &root.verifying_key()).unwrap()
    }

    #[test]
    fn deltas_chain_and_union() {
        let mut set = RevocationSet::new();
        set.apply(&doc(2, 0, 1)).unwrap();
        set.apply(&doc(5, 2, 2)).unwrap();
        assert_eq!(set.seq(), 5);
        assert!(set.is_pass_revoked(&PassId::from_bytes([1; 16])));
        assert!(set.is_pass_revoked(&PassId::from_bytes([2; 16])));
        assert!(set.is_subject_revoked("sub-2"));
        assert!(!set.is_pass_revoked(&PassId::from_bytes([3; 16])));
        // A full list newer than the set is a valid base too.
        set.apply(&doc(7, 0, 3)).unwrap();
        assert_eq!(set.len(), 6);
    }

    #[test]
    fn gaps_and_stale_documents_change_nothing() {
        let mut set = RevocationSet::new();
        set.apply(&doc(2, 0, 1)).unwrap();
        let before = set.clone();
        assert_eq!(
            set.apply(&doc(6, 4, 2)),
            Err(RevocationError::Gap {
                have: 2,
                base_seq: 4,
                seq: 6
            })
        );
        assert_eq!(
            set.apply(&doc(2, 1, 2)),
            Err(RevocationError::Stale { have: 2, seq: 2 })
        );
        assert_eq!(set, before);
    }

    #[test]
    fn seq_must_exceed_base_seq() {
        let root = signing_key_from_seed([9; 32]);
        let draft = RevocationDraft {
            seq: 3,
            base_seq: 3,
            ..Default::default()
        };
        assert_eq!(
            draft.sign(&root),
            Err(RevocationError::SeqOrder {
                seq: 3,
                base_seq: 3
            })
        );
    }
}
