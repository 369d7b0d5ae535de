//! Operator actions on the hub database: enrolment tokens and publishing
//! the documents the authority signed. The hub has no root key: it only
//! checks signatures and sequence numbers, stores and serves.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeDelta, Utc};
use ed25519_dalek::VerifyingKey;
use passgate_pass::{RevocationDoc, TrustList};
use passgate_sync::chain;
use passgate_sync::protocol::check_id;
use sha2::{Digest, Sha256};

use crate::storage::{HubStorage, NewToken, StoredDocument};
use crate::{Error, Result};

/// Prefix of enrolment tokens, so one is recognisable in a terminal.
pub const TOKEN_PREFIX: &str = "pgt_";

/// SHA-256 of a token's text (what the hub stores).
pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.trim().as_bytes()).into()
}

/// Makes a one-time enrolment token for `venue_id`, valid for `ttl`, and
/// stores its hash. Returns the token text (shown once).
pub fn create_enrol_token(
    storage: &dyn HubStorage,
    venue_id: &str,
    ttl: TimeDelta,
    now: DateTime<Utc>,
) -> Result<String> {
    check_id("venue id", venue_id).map_err(Error::InvalidArgument)?;
    if ttl <= TimeDelta::zero() {
        return Err(Error::InvalidArgument(
            "the token lifetime must be positive".into(),
        ));
    }
    let mut secret = [0u8; 24];
    getrandom::fill(&mut secret).map_err(|e| Error::Random(e.to_string()))?;
    let token = format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(secret));
    storage.add_token(&NewToken {
        hash: token_hash(&token),
        venue_id: venue_id.to_owned(),
        created_at: now,
        expires_at: now + ttl,
    })?;
    Ok(token)
}

/// Checks that revocation documents `(seq, base_seq)`, in order, continue a
/// chain that has reached `latest`: each must be newer than what precedes
/// it and start no later than it (`base_seq <= previous < seq`).
pub fn check_chain(latest: u64, docs: &[(u64, u64)]) -> Result<(), String> {
    let mut cur = latest;
    for &(seq, base_seq) in docs {
        if seq <= cur {
            return Err(format!(
                "revocation document seq {seq} is not newer than the published seq {cur}"
            ));
        }
        if base_seq > cur {
            return Err(format!(
                "revocation document {base_seq}..{seq} leaves a gap after the published seq {cur}; publish the documents in between first"
            ));
        }
        cur = seq;
    }
    Ok(())
}

/// The shortest run of stored documents `(seq, base_seq)` that takes a
/// kiosk from `since` to the newest seq: at each step the document that
/// applies (`base_seq <= current < seq`) and reaches furthest. Returns
/// indexes into `docs`; empty when the kiosk is up to date.
pub fn chain_since(docs: &[(u64, u64)], since: u64) -> Vec<usize> {
    let mut out = Vec::new();
    let mut cur = since;
    while let Some((i, &(seq, _))) = docs
        .iter()
        .enumerate()
        .filter(|(_, (seq, base))| *base <= cur && cur < *seq)
        .max_by_key(|(_, (seq, _))| *seq)
    {
        out.push(i);
        cur = seq;
    }
    out
}

/// What a publish changed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Published {
    /// The seq of the trust list now published, when a new one was.
    pub trust_list: Option<u64>,
    /// The seqs of newly published revocation documents.
    pub revocations: Vec<u64>,
    /// Documents already published with the same bytes (left as they were).
    pub unchanged: usize,
}

/// Verifies a trust list and/or revocation documents (one envelope per
/// line) against the root key and publishes them. Everything is checked
/// before anything is written: a bad signature, a seq not newer than the
/// published one, or a gap in the revocation chain refuses the whole
/// publish. Re-publishing the exact published bytes changes nothing.
pub fn publish(
    storage: &dyn HubStorage,
    root: &VerifyingKey,
    trust_list: Option<&[u8]>,
    revocations: Option<&[u8]>,
    now: DateTime<Utc>,
) -> Result<Published> {
    let mut out = Published::default();
    let mut new_trust = None;
    if let Some(bytes) = trust_list {
        let list = TrustList::verify(bytes, root).map_err(|e| {
            Error::Publish(format!(
                "the trust list does not verify against the root key: {}",
                chain(&e)
            ))
        })?;
        match storage.trust_list()? {
            Some(cur) if cur.bytes == bytes => out.unchanged += 1,
            Some(cur) if cur.seq >= list.seq() => {
                return Err(Error::Publish(format!(
                    "the trust list has seq {}, not newer than the published seq {}",
                    list.seq(),
                    cur.seq
                )));
            }
            _ => {
                new_trust = Some(StoredDocument {
                    seq: list.seq(),
                    base_seq: 0,
                    bytes: bytes.to_vec(),
                });
            }
        }
    }
    let mut new_revocations = Vec::new();
    if let Some(bytes) = revocations {
        let stored = storage.revocations()?;
        let lines: Vec<&[u8]> = bytes
            .split(|b| *b == b'\n')
            .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
            .collect();
        if lines.is_empty() {
            return Err(Error::Publish(
                "the revocations file holds no document".into(),
            ));
        }
        for (n, line) in lines.into_iter().enumerate() {
            let doc = RevocationDoc::verify(line, root).map_err(|e| {
                Error::Publish(format!(
                    "revocation document on line {} does not verify against the root key: {}",
                    n + 1,
                    chain(&e)
                ))
            })?;
            if stored.iter().any(|s| s.seq == doc.seq() && s.bytes == line) {
                out.unchanged += 1;
                continue;
            }
            new_revocations.push(StoredDocument {
                seq: doc.seq(),
                base_seq: doc.base_seq(),
                bytes: line.to_vec(),
            });
        }
        let latest = stored.last().map_or(0, |d| d.seq);
        let pairs: Vec<(u64, u64)> = new_revocations
            .iter()
            .map(|d| (d.seq, d.base_seq))
            .collect();
        check_chain(latest, &pairs).map_err(Error::Publish)?;
    }
    if let Some(doc) = new_trust {
        storage.put_trust_list(&doc, now)?;
        out.trust_list = Some(doc.seq);
    }
    if !new_revocations.is_empty() {
        storage.put_revocations(&new_revocations, now)?;
        out.revocations = new_revocations.iter().map(|d| d.seq).collect();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_check_table() {
        assert_eq!(check_chain(0, &[(3, 0), (5, 3)]), Ok(()));
        assert_eq!(check_chain(5, &[(9, 0)]), Ok(()), "a newer full list");
        assert!(check_chain(5, &[(5, 4)]).unwrap_err().contains("not newer"));
        assert!(check_chain(5, &[(4, 0)]).unwrap_err().contains("not newer"));
        assert!(check_chain(5, &[(8, 6)]).unwrap_err().contains("gap"));
        assert!(
            check_chain(0, &[(3, 0), (2, 0)])
                .unwrap_err()
                .contains("not newer")
        );
        assert_eq!(check_chain(7, &[]), Ok(()));
    }

    #[test]
    fn chain_since_takes_the_longest_steps() {
        // full 0..3, deltas 3..5, 5..8, and a newer full list 0..6
        let docs = [(3, 0), (5, 3), (6, 0), (8, 5), (9, 6)];
        assert_eq!(chain_since(&docs, 0), [2, 4], "0 -> 6 (full) -> 9");
        assert_eq!(chain_since(&docs, 3), [2, 4], "3 -> 6 -> 9");
        assert_eq!(chain_since(&docs, 5), [3, 4], "5 -> 8 -> 9");
        assert_eq!(chain_since(&docs, 9), Vec::<usize>::new());
        assert_eq!(chain_since(&[], 0), Vec::<usize>::new());
    }

    #[test]
    fn tokens_hash_the_trimmed_text() {
        assert_eq!(token_hash("pgt_abc\n"), token_hash("pgt_abc"));
        assert_ne!(token_hash("pgt_abc"), token_hash("pgt_abd"));
    }
}
