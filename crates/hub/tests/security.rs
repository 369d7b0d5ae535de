//! What the hub refuses, each with its status, and that a refusal stores
//! or replaces nothing. Requests go through `router().oneshot(..)` over a
//! real SQLite file.
#![allow(clippy::unwrap_used)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{TimeDelta, Utc};
use common::*;
use ed25519_dalek::SigningKey;
use passgate_hub::{HubConfig, HubStorage, create_enrol_token, publish};
use passgate_sync::protocol::{EnrolRequest, UploadResponse};

fn held(body: &[u8]) -> UploadResponse {
    serde_json::from_slice(body).unwrap()
}

#[tokio::test]
async fn a_good_upload_is_stored_once_and_answered_with_the_held_ids() {
    let dir = tempfile::tempdir().unwrap();
    let (state, storage) = hub(dir.path(), config());
    let key = enrol(storage.as_ref(), "v1", "k1", 1);
    let batch: Vec<_> = (0..3).map(|n| entry("v1", "k1", n)).collect();
    let ids: Vec<_> = batch.iter().map(|e| e.id).collect();
    let (status, _, body) = send(
        &state,
        signed_upload(&key, "k1", upload_body(batch.clone()), Utc::now(), 1),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(held(&body).held, ids);
    // The same entries again (a retry after a lost answer): held, not duplicated.
    let (status, _, body) = send(
        &state,
        signed_upload(&key, "k1", upload_body(batch.clone()), Utc::now(), 2),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(held(&body).held, ids);
    assert_eq!(storage.all_entries().unwrap(), batch);
    let status = &storage.devices().unwrap()[0];
    assert_eq!(status.last_backlog, Some(3));
    assert_eq!(status.entries, 3);
}

#[tokio::test]
async fn a_resent_id_with_other_content_is_a_conflict_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let (state, storage) = hub(dir.path(), config());
    let key = enrol(storage.as_ref(), "v1", "k1", 1);
    let original = entry("v1", "k1", 1);
    send(
        &state,
        signed_upload(
            &key,
            "k1",
            upload_body(vec![original.clone()]),
            Utc::now(),
            1,
        ),
    )
    .await;
    let mut changed = original.clone();
    changed.outcome = passgate_store::Outcome::Deny;
    let other = entry("v1", "k1", 2);
    let (status, _, body) = send(
        &state,
        signed_upload(
            &key,
            "k1",
            upload_body(vec![changed, other.clone()]),
            Utc::now(),
            2,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let answer = held(&body);
    assert_eq!(answer.conflicts, [original.id]);
    assert_eq!(answer.held, [other.id]);
    assert_eq!(storage.all_entries().unwrap(), [original, other]);
}

#[tokio::test]
async fn an_unenrolled_device_is_refused_with_401() {
    let dir = tempfile::tempdir().unwrap();
    let (state, storage) = hub(dir.path(), config());
    let stranger = SigningKey::from_bytes(&[9; 32]);
    let body = upload_body(vec![entry("v1", "k1", 1)]);
    let (status, code, _) = send(&state, signed_upload(&stranger, "k1", body, Utc::now(), 1)).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "unknown_device")
    );
    assert!(storage.all_entries().unwrap().is_empty());
}

#[tokio::test]
async fn unsigned_requests_are_refused_with_401() {
    let dir = tempfile::tempdir().unwrap();
    let (state, storage) = hub(dir.path(), config());
    enrol(storage.as_ref(), "v1", "k1", 1);
    let req = Request::post("/v1/entries")
        .header("content-type", "application/json")
        .body(Body::from(upload_body(vec![entry("v1", "k1", 1)])))
        .unwrap();
    let (status, code, _) = send(&state, req).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "missing_auth")
    );
    assert!(storage.all_entries().unwrap().is_empty());
}

#[tokio::test]
async fn a_wrong_signature_is_refused_with_401() {
    let dir = tempfile::tempdir().unwrap();
    let (state, storage) = hub(dir.path(), config());
    enrol(storage.as_ref(), "v1", "k1", 1);
    let impostor = SigningKey::from_bytes(&[2; 32]);
    let body = upload_body(vec![entry("v1", "k1", 1)]);
    let (status, code, _) = send(&state, signed_upload(&impostor, "k1", body, Utc::now(), 1)).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "bad_signature")
    );

    // A good signature over another body does not cover this one.
    let key = SigningKey::from_bytes(&[1; 32]);
    let mut req = signed_upload(
        &key,
        "k1",
        upload_body(vec![entry("v1", "k1", 1)]),
        Utc::now(),
        2,
    );
    *req.body_mut() = Body::from(upload_body(vec![entry("v1", "k1", 2)]));
    let (status, code, _) = send(&state, req).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "bad_signature")
    );
    assert!(storage.all_entries().unwrap().is_empty());
}

#[tokio::test]
async fn a_replayed_request_is_refused_with_409_and_an_old_one_with_401() {
    let dir = tempfile::tempdir().unwrap();
    let (state, storage) = hub(dir.path(), config());
    let key = enrol(storage.as_ref(), "v1", "k1", 1);
    let body = upload_body(vec![entry("v1", "k1", 1)]);
    let now = Utc::now();
    let (status, _, _) = send(&state, signed_upload(&key, "k1", body.clone(), now, 5)).await;
    assert_eq!(status, StatusCode::OK);
    let before = storage.devices().unwrap();
    let (status, code, _) = send(&state, signed_upload(&key, "k1", body.clone(), now, 5)).await;
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "replay"));
    assert_eq!(
        storage.devices().unwrap(),
        before,
        "a replay changes nothing"
    );

    // A captured request replayed after the window: refused on its time.
    let old = now - TimeDelta::minutes(6);
    let (status, code, _) = send(&state, signed_upload(&key, "k1", body.clone(), old, 6)).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "clock_skew")
    );
    let future = now + TimeDelta::minutes(6);
    let (status, code, _) = send(&state, signed_upload(&key, "k1", body, future, 7)).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "clock_skew")
    );
    assert_eq!(storage.all_entries().unwrap().len(), 1);
}

#[tokio::test]
async fn a_device_writing_another_venue_is_refused_with_403_and_nothing_of_the_batch_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let (state, storage) = hub(dir.path(), config());
    let key = enrol(storage.as_ref(), "v1", "k1", 1);
    enrol(storage.as_ref(), "v2", "k2", 2);
    let foreign = [
        entry("v2", "k2", 2),
        entry("v2", "k1", 2),
        entry("v1", "k2", 2),
    ];
    for (nonce, foreign) in (1..).zip(foreign) {
        let body = upload_body(vec![entry("v1", "k1", 1), foreign]);
        let (status, code, _) =
            send(&state, signed_upload(&key, "k1", body, Utc::now(), nonce)).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::FORBIDDEN, "wrong_venue")
        );
    }
    assert!(storage.all_entries().unwrap().is_empty());
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_413() {
    let dir = tempfile::tempdir().unwrap();
    let config = HubConfig {
        max_body_bytes: 8 * 1024,
        max_batch: 10,
        ..HubConfig::default()
    };
    let (state, storage) = hub(dir.path(), config);
    let key = enrol(storage.as_ref(), "v1", "k1", 1);
    let big = upload_body((0..40).map(|n| entry("v1", "k1", n)).collect());
    assert!(big.len() > 8 * 1024);
    let (status, code, _) = send(&state, signed_upload(&key, "k1", big, Utc::now(), 1)).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "too_large")
    );
    // Small enough in bytes but more entries than a batch may hold.
    let many = upload_body((0..11).map(|n| entry("v1", "k1", n)).collect());
    assert!(many.len() < 8 * 1024);
    let (status, _, _) = send(&state, signed_upload(&key, "k1", many, Utc::now(), 2)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(storage.all_entries().unwrap().is_empty());
}

#[tokio::test]
async fn malformed_json_is_refused_with_400() {
    let dir = tempfile::tempdir().unwrap();
    let (state, storage) = hub(dir.path(), config());
    let key = enrol(storage.as_ref(), "v1", "k1", 1);
    for body in [
        &b"{not json"[..],
        br#"{"backlog":1,"entries":[{"id":"x"}]}"#,
    ] {
        let (status, code, _) = send(
            &state,
            signed_upload(&key, "k1", body.to_vec(), Utc::now(), body[1]),
        )
        .await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::BAD_REQUEST, "bad_request")
        );
    }
    assert!(storage.all_entries().unwrap().is_empty());
}

#[tokio::test]
async fn enrolment_tokens_are_single_use_venue_bound_and_expire() {
    let dir = tempfile::tempdir().unwrap();
    let (state, storage) = hub(dir.path(), config());
    let key = |seed: u8| {
        hex::encode(
            SigningKey::from_bytes(&[seed; 32])
                .verifying_key()
                .as_bytes(),
        )
    };
    let token =
        create_enrol_token(storage.as_ref(), "v1", TimeDelta::hours(1), Utc::now()).unwrap();
    let req = |token: &str, device: &str, venue: &str, seed: u8| {
        enrol_request(&EnrolRequest {
            token: token.into(),
            device_id: device.into(),
            venue_id: venue.into(),
            public_key: key(seed),
        })
    };
    // Another venue: refused, and the token is not used up.
    let (status, code, _) = send(&state, req(&token, "k1", "v2", 1)).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::FORBIDDEN, "wrong_venue")
    );
    let (status, _, _) = send(&state, req(&token, "k1", "v1", 1)).await;
    assert_eq!(status, StatusCode::OK);
    // The same device and key again (a lost answer): fine.
    let (status, _, _) = send(&state, req(&token, "k1", "v1", 1)).await;
    assert_eq!(status, StatusCode::OK);
    // The used token cannot enrol a second device.
    let (status, code, _) = send(&state, req(&token, "k2", "v1", 2)).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "bad_token")
    );
    // Nor can a made-up one.
    let (status, code, _) = send(&state, req("pgt_guess", "k2", "v1", 2)).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "bad_token")
    );
    // A device id cannot be taken over with a fresh token and another key.
    let fresh =
        create_enrol_token(storage.as_ref(), "v1", TimeDelta::hours(1), Utc::now()).unwrap();
    let (status, code, _) = send(&state, req(&fresh, "k1", "v1", 3)).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::CONFLICT, "device_taken")
    );
    // An expired token.
    let old = create_enrol_token(
        storage.as_ref(),
        "v1",
        TimeDelta::hours(1),
        Utc::now() - TimeDelta::hours(2),
    )
    .unwrap();
    let (status, code, _) = send(&state, req(&old, "k3", "v1", 4)).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "bad_token")
    );
    // A weak key.
    let mut weak = [0u8; 32];
    weak[0] = 1;
    let bad_key = enrol_request(&EnrolRequest {
        token: fresh.clone(),
        device_id: "k4".into(),
        venue_id: "v1".into(),
        public_key: hex::encode(weak),
    });
    let (status, _, _) = send(&state, bad_key).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let devices: Vec<String> = storage
        .devices()
        .unwrap()
        .into_iter()
        .map(|d| d.device_id)
        .collect();
    assert_eq!(devices, ["k1"]);
    assert_eq!(storage.device("k1").unwrap().unwrap().public_key, key(1));

    // The operator forgets k1 (a reinstalled kiosk): its id can enrol again.
    assert!(storage.forget_device("k1").unwrap());
    assert!(!storage.forget_device("k1").unwrap());
    let (status, _, _) = send(&state, req(&fresh, "k1", "v1", 3)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(storage.device("k1").unwrap().unwrap().public_key, key(3));
}

#[tokio::test]
async fn a_trust_list_with_a_bad_signature_or_a_lower_seq_replaces_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (state, storage) = hub(dir.path(), config());
    let root = root();
    let vk = root.verifying_key();
    let now = Utc::now();
    let v5 = trust_list(&root, 5);
    assert_eq!(
        publish(storage.as_ref(), &vk, Some(&v5), None, now)
            .unwrap()
            .trust_list,
        Some(5)
    );

    let forged = trust_list(&SigningKey::from_bytes(&[66; 32]), 9);
    let err = publish(storage.as_ref(), &vk, Some(&forged), None, now).unwrap_err();
    assert!(err.to_string().contains("does not verify"), "{err}");
    let mut tampered = String::from_utf8(trust_list(&root, 9)).unwrap();
    tampered = tampered.replace("\"signature\":\"", "\"signature\":\"AAAA");
    assert!(publish(storage.as_ref(), &vk, Some(tampered.as_bytes()), None, now).is_err());
    let err = publish(
        storage.as_ref(),
        &vk,
        Some(&trust_list(&root, 4)),
        None,
        now,
    )
    .unwrap_err();
    assert!(err.to_string().contains("not newer"), "{err}");
    // Same seq, other content.
    let other5 = {
        let mut d = String::from_utf8(trust_list(&root, 5)).unwrap();
        d.push(' ');
        d.into_bytes()
    };
    assert!(publish(storage.as_ref(), &vk, Some(&other5), None, now).is_err());
    // Refused together: a good revocation document rides with a bad trust list.
    let rev = revocation(&root, 1, 0, 1);
    assert!(publish(storage.as_ref(), &vk, Some(&forged), Some(&rev), now).is_err());
    assert!(storage.revocations().unwrap().is_empty());

    let served = Request::get("/v1/trust-list").body(Body::empty()).unwrap();
    let (status, _, body) = send(&state, served).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, v5, "the published list is unchanged");
    // Publishing the same bytes again is a no-op, not an error.
    assert_eq!(
        publish(storage.as_ref(), &vk, Some(&v5), None, now)
            .unwrap()
            .unchanged,
        1
    );
}

#[tokio::test]
async fn revocation_documents_must_continue_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let (_, storage) = hub(dir.path(), config());
    let root = root();
    let vk = root.verifying_key();
    let now = Utc::now();
    let two = [revocation(&root, 3, 0, 1), revocation(&root, 5, 3, 2)].concat();
    assert_eq!(
        publish(storage.as_ref(), &vk, None, Some(&two), now)
            .unwrap()
            .revocations,
        [3, 5]
    );
    for (bad, why) in [
        (revocation(&root, 5, 4, 3), "not newer"),
        (revocation(&root, 4, 0, 3), "not newer"),
        (revocation(&root, 9, 7, 3), "gap"),
        (
            revocation(&SigningKey::from_bytes(&[1; 32]), 6, 5, 3),
            "does not verify",
        ),
    ] {
        let err = publish(storage.as_ref(), &vk, None, Some(&bad), now).unwrap_err();
        assert!(err.to_string().contains(why), "{err}");
    }
    let seqs: Vec<u64> = storage
        .revocations()
        .unwrap()
        .iter()
        .map(|d| d.seq)
        .collect();
    assert_eq!(seqs, [3, 5]);
}

#[tokio::test]
async fn downloads_answer_304_for_a_matching_etag_and_serve_the_shortest_chain() {
    let dir = tempfile::tempdir().unwrap();
    let (state, storage) = hub(dir.path(), config());
    let root = root();
    let vk = root.verifying_key();
    let get = |path: &str, etag: Option<&str>| {
        let mut r = Request::get(path);
        if let Some(t) = etag {
            r = r.header("if-none-match", t);
        }
        r.body(Body::empty()).unwrap()
    };
    let (status, code, _) = send(&state, get("/v1/trust-list", None)).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::NOT_FOUND, "not_published")
    );

    publish(
        storage.as_ref(),
        &vk,
        Some(&trust_list(&root, 1)),
        None,
        Utc::now(),
    )
    .unwrap();
    let res = tower::ServiceExt::oneshot(
        passgate_hub::router(state.clone()),
        get("/v1/trust-list", None),
    )
    .await
    .unwrap();
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    assert!(
        res.headers().contains_key("date"),
        "the hub sends its clock"
    );
    let (status, _, body) = send(&state, get("/v1/trust-list", Some(&etag))).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    publish(
        storage.as_ref(),
        &vk,
        Some(&trust_list(&root, 2)),
        None,
        Utc::now(),
    )
    .unwrap();
    let (status, _, body) = send(&state, get("/v1/trust-list", Some(&etag))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, trust_list(&root, 2));

    let docs = [
        revocation(&root, 2, 0, 1),
        revocation(&root, 4, 2, 2),
        revocation(&root, 6, 4, 3),
    ];
    publish(
        storage.as_ref(),
        &vk,
        None,
        Some(&docs.concat()),
        Utc::now(),
    )
    .unwrap();
    let lines = |body: &[u8]| -> Vec<Vec<u8>> {
        body.split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .map(<[u8]>::to_vec)
            .collect()
    };
    let trimmed = |d: &Vec<u8>| d.trim_ascii_end().to_vec();
    let (status, _, body) = send(&state, get("/v1/revocations?since=2", None)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(lines(&body), [trimmed(&docs[1]), trimmed(&docs[2])]);
    let (_, _, body) = send(&state, get("/v1/revocations?since=0", None)).await;
    assert_eq!(lines(&body).len(), 3);
    let (status, _, body) = send(&state, get("/v1/revocations?since=6", None)).await;
    assert_eq!((status, body.len()), (StatusCode::OK, 0));
    let (status, _, _) = send(&state, get("/v1/revocations?since=2", Some("\"r2-6\""))).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    let (status, _, _) = send(&state, get("/v1/revocations?since=x", None)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
