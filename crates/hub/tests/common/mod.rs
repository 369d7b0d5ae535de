//! Helpers shared by the hub's integration tests: a hub on a temp SQLite
//! file, enrolled devices, entries, signed requests and signed documents.
#![allow(dead_code, clippy::unwrap_used)]

pub mod net;
pub mod proxy;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use ed25519_dalek::SigningKey;
use passgate_hub::{HubConfig, HubState, HubStorage, SqliteStorage, create_enrol_token, router};
use passgate_pass::{IssuerDraft, IssuerId, PassId, RevocationDraft, TrustListDraft};
use passgate_store::{Colour, Entry, EntryId, Kind, NewEntry, Outcome};
use passgate_sync::protocol::{
    ENTRIES_PATH, EnrolRequest, HEADER_DEVICE, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP,
    UploadRequest,
};
use passgate_sync::signing::{nonce_from, sign_request};
use tower::ServiceExt;

/// The authority's root key for tests.
pub fn root() -> SigningKey {
    SigningKey::from_bytes(&[42; 32])
}

/// A hub over a fresh SQLite file in `dir`.
pub fn hub(dir: &std::path::Path, config: HubConfig) -> (HubState, Arc<SqliteStorage>) {
    let storage = Arc::new(SqliteStorage::open(dir.join("hub.sqlite")).unwrap());
    (HubState::new(storage.clone(), config), storage)
}

/// A new entry for `venue`/`device` number `n`, made at a fixed time.
pub fn new_entry(venue: &str, device: &str, n: u32) -> NewEntry {
    NewEntry {
        venue_id: venue.into(),
        device_id: device.into(),
        tz: chrono_tz::Asia::Shanghai,
        kind: Kind::Scan,
        outcome: if n.is_multiple_of(7) {
            Outcome::Deny
        } else {
            Outcome::Admit
        },
        reason_code: if n.is_multiple_of(7) {
            "fever".into()
        } else {
            "ok".into()
        },
        reason_text: format!("entry {n}"),
        colour: Some(Colour::Green),
        issuer: Some("CN-LN".into()),
        subject: Some(format!("subject-{n}")),
        masked_name: Some("刘*爽".into()),
        temperature: Some(36.5 + (n % 10) as f32 / 10.0),
        pass_id: Some(format!("{n:032x}")),
    }
}

/// A stored-form entry with id `n`.
pub fn entry(venue: &str, device: &str, n: u32) -> Entry {
    let at = Utc.with_ymd_and_hms(2026, 11, 28, 8, 0, 0).unwrap() + TimeDelta::seconds(n.into());
    new_entry(venue, device, n).to_entry(EntryId(uuid::Uuid::from_u128(u128::from(n) + 1)), at)
}

/// Enrols `device` for `venue` straight through the storage; returns its key.
pub fn enrol(storage: &dyn HubStorage, venue: &str, device: &str, seed: u8) -> SigningKey {
    let key = SigningKey::from_bytes(&[seed; 32]);
    let token = create_enrol_token(storage, venue, TimeDelta::hours(1), Utc::now()).unwrap();
    storage
        .enrol(
            &passgate_hub::publish::token_hash(&token),
            &passgate_hub::storage::Device {
                device_id: device.into(),
                venue_id: venue.into(),
                public_key: hex::encode(key.verifying_key().as_bytes()),
                enrolled_at: Utc::now(),
            },
        )
        .unwrap();
    key
}

/// The JSON body of an upload.
pub fn upload_body(entries: Vec<Entry>) -> Vec<u8> {
    serde_json::to_vec(&UploadRequest {
        backlog: entries.len() as u64,
        entries,
    })
    .unwrap()
}

/// A signed `POST /v1/entries`.
pub fn signed_upload(
    key: &SigningKey,
    device: &str,
    body: Vec<u8>,
    at: DateTime<Utc>,
    nonce: u8,
) -> Request<Body> {
    let auth = sign_request(
        key,
        "POST",
        ENTRIES_PATH,
        device,
        at.timestamp(),
        &nonce_from([nonce; 16]),
        &body,
    );
    Request::post(ENTRIES_PATH)
        .header("content-type", "application/json")
        .header(HEADER_DEVICE, auth.device)
        .header(HEADER_TIMESTAMP, auth.timestamp.to_string())
        .header(HEADER_NONCE, auth.nonce)
        .header(HEADER_SIGNATURE, auth.signature)
        .body(Body::from(body))
        .unwrap()
}

/// A `POST /v1/enrol`.
pub fn enrol_request(req: &EnrolRequest) -> Request<Body> {
    Request::post(passgate_sync::protocol::ENROL_PATH)
        .header("content-type", "application/json")
        .body(Body::from(serde_json::to_vec(req).unwrap()))
        .unwrap()
}

/// Sends one request through the router; returns status, error code (for
/// error answers) and the body.
pub async fn send(state: &HubState, req: Request<Body>) -> (StatusCode, String, Vec<u8>) {
    let res: Response<Body> = router(state.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec();
    let code = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["error"].as_str().map(str::to_owned))
        .unwrap_or_default();
    (status, code, body)
}

/// A trust list signed by `key` with `seq`.
pub fn trust_list(key: &SigningKey, seq: u64) -> Vec<u8> {
    let issuer = SigningKey::from_bytes(&[7; 32]);
    let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    TrustListDraft {
        seq,
        issued_at: t0,
        expires_at: t0 + TimeDelta::days(3650),
        issuers: vec![IssuerDraft {
            iss: IssuerId::new("CN-LN").unwrap(),
            name: format!("issuer for list {seq}"),
            public_key: issuer.verifying_key(),
            not_before: t0,
            not_after: t0 + TimeDelta::days(3650),
        }],
    }
    .sign(key)
    .unwrap()
}

/// A revocation document `base..seq` signed by `key` revoking pass `id`.
pub fn revocation(key: &SigningKey, seq: u64, base_seq: u64, id: u8) -> Vec<u8> {
    RevocationDraft {
        seq,
        base_seq,
        issued_at: Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(),
        pass_ids: vec![PassId::from_bytes([id; 16])],
        subjects: vec![],
    }
    .sign(key)
    .unwrap()
}

/// The default config.
pub fn config() -> HubConfig {
    HubConfig::default()
}
