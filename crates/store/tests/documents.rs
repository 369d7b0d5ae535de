//! Cached trust documents: verified with the root key on save and on load,
//! only moving forward.
#![allow(clippy::unwrap_used)] // helpers of tests may panic

mod common;

use chrono::{DateTime, TimeDelta, Utc};
use common::{temp_store, utc};
use passgate_pass::keys::signing_key_from_seed;
use passgate_pass::{IssuerDraft, IssuerId, PassId, RevocationDraft, SigningKey, TrustListDraft};
use passgate_store::{Error, Store};

fn root() -> SigningKey {
    signing_key_from_seed([7; 32])
}

fn trust_list(seq: u64, signer: &SigningKey) -> Vec<u8> {
    let t0 = utc(2026, 11, 1, 0, 0, 0);
    TrustListDraft {
        seq,
        issued_at: t0,
        expires_at: t0 + TimeDelta::days(60),
        issuers: vec![IssuerDraft {
            iss: IssuerId::new("CN-LN").unwrap(),
            name: "Liaoning".into(),
            public_key: signing_key_from_seed([seq as u8; 32]).verifying_key(),
            not_before: t0,
            not_after: t0 + TimeDelta::days(365),
        }],
    }
    .sign(signer)
    .unwrap()
}

fn revocations(base_seq: u64, seq: u64, ids: &[u8]) -> Vec<u8> {
    RevocationDraft {
        seq,
        base_seq,
        issued_at: utc(2026, 11, 1, 0, 0, 0),
        pass_ids: ids.iter().map(|b| PassId::from_bytes([*b; 16])).collect(),
        subjects: vec![],
    }
    .sign(&root())
    .unwrap()
}

fn revoked(store: &Store, b: u8) -> bool {
    store
        .load_revocations(&root().verifying_key())
        .unwrap()
        .set
        .is_pass_revoked(&PassId::from_bytes([b; 16]))
}

fn t(h: i64) -> DateTime<Utc> {
    utc(2026, 11, 28, 0, 0, 0) + TimeDelta::hours(h)
}

#[test]
fn trust_list_is_verified_and_only_moves_forward() {
    let (_dir, mut store) = temp_store();
    let pk = root().verifying_key();
    assert_eq!(store.load_trust_list(&pk).unwrap(), None);

    let saved = store
        .save_trust_list(&trust_list(5, &root()), &pk, t(0))
        .unwrap();
    assert_eq!(saved.seq(), 5);
    // The same bytes again: accepted, fetched_at refreshed.
    store
        .save_trust_list(&trust_list(5, &root()), &pk, t(1))
        .unwrap();
    let cached = store.load_trust_list(&pk).unwrap().unwrap();
    assert_eq!((cached.list.seq(), cached.fetched_at), (5, t(1)));

    // Older, and one signed by another key: refused, cache kept.
    let err = store
        .save_trust_list(&trust_list(4, &root()), &pk, t(2))
        .unwrap_err();
    assert!(matches!(err, Error::TrustList(_)), "{err:?}");
    assert!(err.to_string().contains("rollback"), "{err}");
    let forged = trust_list(9, &signing_key_from_seed([8; 32]));
    assert!(matches!(
        store.save_trust_list(&forged, &pk, t(2)),
        Err(Error::TrustList(_))
    ));
    let mut garbled = trust_list(9, &root());
    let mid = garbled.len() / 2;
    garbled[mid] ^= 1;
    assert!(store.save_trust_list(&garbled, &pk, t(2)).is_err());
    assert_eq!(store.load_trust_list(&pk).unwrap().unwrap().list, saved);

    store
        .save_trust_list(&trust_list(6, &root()), &pk, t(3))
        .unwrap();
    assert_eq!(store.load_trust_list(&pk).unwrap().unwrap().list.seq(), 6);
}

#[test]
fn a_cached_list_is_verified_again_on_load() {
    let (_dir, mut store) = temp_store();
    let pk = root().verifying_key();
    store
        .save_trust_list(&trust_list(5, &root()), &pk, t(0))
        .unwrap();
    // The pinned root changed: the cache no longer verifies.
    let new_root = signing_key_from_seed([9; 32]);
    let err = store
        .load_trust_list(&new_root.verifying_key())
        .unwrap_err();
    assert!(
        matches!(err, Error::DocumentInvalid { seq: 5, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("fetch a fresh one"), "{err}");
    // Any valid list under the new root replaces it, even a lower seq.
    store
        .save_trust_list(&trust_list(1, &new_root), &new_root.verifying_key(), t(1))
        .unwrap();
    let cached = store
        .load_trust_list(&new_root.verifying_key())
        .unwrap()
        .unwrap();
    assert_eq!(cached.list.seq(), 1);
}

#[test]
fn revocation_deltas_chain_and_a_full_list_compacts_them() {
    let (_dir, mut store) = temp_store();
    let pk = root().verifying_key();
    let empty = store.load_revocations(&pk).unwrap();
    assert_eq!((empty.set.seq(), empty.fetched_at), (0, None));

    // A delta that does not start from what we have: refused.
    let err = store
        .save_revocations(&revocations(2, 3, &[1]), &pk, t(0))
        .unwrap_err();
    assert!(matches!(err, Error::Revocation(_)), "{err:?}");
    assert!(err.to_string().contains("does not connect"), "{err}");

    store
        .save_revocations(&revocations(0, 2, &[1, 2]), &pk, t(0))
        .unwrap();
    let set = store
        .save_revocations(&revocations(2, 4, &[3]), &pk, t(1))
        .unwrap();
    assert_eq!(set.seq(), 4);
    // Stale: refused.
    assert!(
        store
            .save_revocations(&revocations(1, 3, &[9]), &pk, t(2))
            .is_err()
    );

    let cached = store.load_revocations(&pk).unwrap();
    assert_eq!((cached.set.seq(), cached.fetched_at), (4, Some(t(1))));
    assert!(revoked(&store, 1) && revoked(&store, 2) && revoked(&store, 3));
    assert!(!revoked(&store, 9));

    // A full list at seq 7 replaces the chain (revocations only grow, so it
    // holds everything); later deltas continue from it.
    store
        .save_revocations(&revocations(0, 7, &[1, 2, 3, 4]), &pk, t(3))
        .unwrap();
    store
        .save_revocations(&revocations(7, 8, &[5]), &pk, t(4))
        .unwrap();
    let cached = store.load_revocations(&pk).unwrap();
    assert_eq!(cached.set.seq(), 8);
    assert_eq!(cached.set.len(), 5);
    // Survives a reopen.
    let path = store.path().to_owned();
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.load_revocations(&pk).unwrap().set.seq(), 8);
    // Under another root the cache does not verify.
    let other = signing_key_from_seed([9; 32]).verifying_key();
    assert!(matches!(
        store.load_revocations(&other),
        Err(Error::DocumentInvalid { .. })
    ));
}

#[test]
fn a_forged_revocation_document_is_refused() {
    let (_dir, mut store) = temp_store();
    let pk = root().verifying_key();
    let forged = RevocationDraft {
        seq: 1,
        base_seq: 0,
        issued_at: t(0),
        pass_ids: vec![PassId::from_bytes([1; 16])],
        subjects: vec![],
    }
    .sign(&signing_key_from_seed([8; 32]))
    .unwrap();
    assert!(matches!(
        store.save_revocations(&forged, &pk, t(0)),
        Err(Error::Revocation(_))
    ));
    assert_eq!(store.load_revocations(&pk).unwrap().set.seq(), 0);
}
