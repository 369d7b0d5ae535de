//! The background loop without a hub: it reports that the kiosk is not
//! enrolled, keeps reporting the backlog, wakes on demand and stops.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use passgate_store::{Kind, NewEntry, Outcome, Store};
use passgate_sync::{Backoff, SyncHandle, SyncOptions, SyncStatus, SystemClock};

#[test]
fn an_unenrolled_kiosk_reports_it_with_its_backlog_and_the_loop_stops() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kiosk.sqlite");
    let mut store = Store::open(&db).unwrap();
    let entry = NewEntry {
        venue_id: "v1".into(),
        device_id: "k1".into(),
        tz: chrono_tz::UTC,
        kind: Kind::Manual,
        outcome: Outcome::Deny,
        reason_code: "fever".into(),
        reason_text: "Fever".into(),
        colour: None,
        issuer: None,
        subject: None,
        masked_name: None,
        temperature: Some(38.2),
        pass_id: None,
    };
    let t0 = Utc.with_ymd_and_hms(2026, 11, 28, 8, 0, 0).unwrap();
    store.record(&entry, t0).unwrap();
    store.record(&entry, t0).unwrap();

    let (tx, rx) = mpsc::channel::<SyncStatus>();
    let tx = std::sync::Mutex::new(tx);
    let root = ed25519_dalek::SigningKey::from_bytes(&[1; 32]).verifying_key();
    let options = SyncOptions {
        // Long waits: only `sync_now` can start the second round.
        interval: Duration::from_secs(3600),
        backoff: Backoff {
            base: Duration::from_secs(3600),
            max: Duration::from_secs(3600),
        },
        ..SyncOptions::new(db, root)
    };
    let handle = SyncHandle::start(
        options,
        Arc::new(SystemClock),
        Arc::new(move |s: &SyncStatus| {
            let _ = tx.lock().unwrap().send(s.clone());
        }),
    )
    .unwrap();
    let first = rx.recv().unwrap();
    assert!(!first.enrolled);
    assert_eq!(first.backlog, 2);
    assert!(first.last_error.unwrap().contains("passgate enrol"));
    assert_eq!(handle.status().failures, 1);

    handle.sync_now();
    let second = rx.recv().unwrap();
    assert_eq!(second.failures, 2);
    handle.stop();
    assert!(
        rx.recv().is_err(),
        "the loop ended and dropped its callback"
    );
}
