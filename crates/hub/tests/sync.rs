//! The sync client against a real hub on 127.0.0.1: offline backlog,
//! clock correction, document refresh and what a kiosk refuses to take.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use common::net::{RunningHub, enrolled_kiosk, kiosk_entries, record};
use common::*;
use ed25519_dalek::SigningKey;
use passgate_hub::HubStorage;
use passgate_hub::publish;
use passgate_hub::storage::StoredDocument;
use passgate_store::Store;
use passgate_sync::{ClientOptions, Clock, Syncer, SystemClock};

/// A kiosk clock that is `behind` the real one.
struct SkewedClock {
    behind: TimeDelta,
}

impl Clock for SkewedClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() - self.behind
    }
}

fn syncer(store: &Store, url: Option<&str>, batch: usize, clock: Arc<dyn Clock>) -> Syncer {
    Syncer::new(
        store,
        url,
        root().verifying_key(),
        batch,
        ClientOptions::default(),
        clock,
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_recorded_while_the_hub_is_down_are_all_uploaded_once_it_is_up() {
    let dir = tempfile::tempdir().unwrap();
    let (state, storage) = hub(dir.path(), config());
    let running = RunningHub::start(state.clone()).await;
    let addr = running.addr;
    let mut kiosk = enrolled_kiosk(dir.path(), storage.as_ref(), &running.url(), "v1", "k1").await;
    running.stop().await;

    record(&mut kiosk, "v1", "k1", 0, 120);
    let mut s = syncer(&kiosk, None, 50, Arc::new(SystemClock));
    let report = s.round(&mut kiosk).await;
    let err = report.error.unwrap();
    assert!(err.is_offline(), "{err}");
    assert!(!s.status().online);
    assert_eq!(s.status().backlog, 120);
    assert_eq!(
        kiosk.backlog().unwrap().in_flight,
        0,
        "a failed upload is put back"
    );

    let running = RunningHub::start_on(state, addr).await;
    let report = s.round(&mut kiosk).await;
    assert!(report.error.is_none(), "{:?}", report.error);
    assert_eq!((report.acknowledged, report.uploads), (120, 3));
    assert!(s.status().online);
    assert_eq!(s.status().backlog, 0);
    assert!(s.status().last_success.is_some());
    assert_eq!(storage.all_entries().unwrap(), kiosk_entries(&kiosk));
    assert_eq!(storage.devices().unwrap()[0].last_backlog, Some(20));
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kiosk_clock_days_behind_is_corrected_from_the_hub_date() {
    let dir = tempfile::tempdir().unwrap();
    let (state, storage) = hub(dir.path(), config());
    let running = RunningHub::start(state).await;
    let mut kiosk = enrolled_kiosk(dir.path(), storage.as_ref(), &running.url(), "v1", "k1").await;
    record(&mut kiosk, "v1", "k1", 0, 10);
    let behind = TimeDelta::days(3);
    let mut s = syncer(&kiosk, None, 500, Arc::new(SkewedClock { behind }));
    let report = s.round(&mut kiosk).await;
    assert!(report.error.is_none(), "{:?}", report.error);
    assert_eq!(report.acknowledged, 10);
    assert_eq!(
        report.uploads, 2,
        "one refused for its time, one retried at once"
    );
    let offset = s.status().clock_offset_seconds.unwrap();
    assert!(
        (offset + behind.num_seconds()).abs() <= 2,
        "offset {offset} s for a clock {} s behind",
        behind.num_seconds()
    );
    assert_eq!(storage.all_entries().unwrap().len(), 10);
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trust_and_revocation_documents_reach_the_kiosk_only_when_valid_and_newer() {
    let dir = tempfile::tempdir().unwrap();
    let (state, storage) = hub(dir.path(), config());
    let running = RunningHub::start(state).await;
    let mut kiosk = enrolled_kiosk(dir.path(), storage.as_ref(), &running.url(), "v1", "k1").await;
    let root = root();
    let vk = root.verifying_key();
    let mut s = syncer(&kiosk, None, 500, Arc::new(SystemClock));

    // Nothing published yet: not an error. With nothing to upload, the
    // round still tells the hub the kiosk is alive (an empty signed batch).
    let report = s.round(&mut kiosk).await;
    assert!(report.error.is_none(), "{:?}", report.error);
    assert_eq!(s.status().trust_list_seq, None);
    assert_eq!(report.uploads, 1);
    let seen = &storage.devices().unwrap()[0];
    assert!(seen.last_upload_at.is_some());
    assert_eq!(seen.last_backlog, Some(0));

    let revs = [revocation(&root, 2, 0, 1), revocation(&root, 4, 2, 2)].concat();
    publish(
        storage.as_ref(),
        &vk,
        Some(&trust_list(&root, 3)),
        Some(&revs),
        Utc::now(),
    )
    .unwrap();
    let report = s.round(&mut kiosk).await;
    assert!(report.error.is_none(), "{:?}", report.error);
    assert_eq!(report.new_trust_list, Some(3));
    assert_eq!(report.new_revocations, Some(4));
    assert_eq!(kiosk.load_trust_list(&vk).unwrap().unwrap().list.seq(), 3);
    let set = kiosk.load_revocations(&vk).unwrap().set;
    assert!(set.is_pass_revoked(&passgate_pass::PassId::from_bytes([2; 16])));
    assert_eq!(
        (s.status().trust_list_seq, s.status().revocations_seq),
        (Some(3), 4)
    );

    // Unchanged: the trust list answers 304, revocations nothing new.
    let report = s.round(&mut kiosk).await;
    assert!(report.error.is_none(), "{:?}", report.error);
    assert_eq!(
        (report.new_trust_list, report.new_revocations),
        (None, None)
    );

    // A delta published later arrives alone.
    publish(
        storage.as_ref(),
        &vk,
        None,
        Some(&revocation(&root, 7, 4, 3)),
        Utc::now(),
    )
    .unwrap();
    let report = s.round(&mut kiosk).await;
    assert_eq!(report.new_revocations, Some(7));

    // A hub that serves a forged or an older list (its storage written
    // behind `publish`'s back): the kiosk keeps its cache and says why.
    let forged = trust_list(&SigningKey::from_bytes(&[13; 32]), 9);
    storage
        .put_trust_list(
            &StoredDocument {
                seq: 9,
                base_seq: 0,
                bytes: forged,
            },
            Utc::now(),
        )
        .unwrap();
    let report = s.round(&mut kiosk).await;
    let err = report.error.unwrap().describe();
    assert!(
        err.contains("trust list refused") && err.contains("root key"),
        "{err}"
    );
    assert_eq!(kiosk.load_trust_list(&vk).unwrap().unwrap().list.seq(), 3);
    assert!(s.status().last_error.is_some());
    storage
        .put_trust_list(
            &StoredDocument {
                seq: 10,
                base_seq: 0,
                bytes: trust_list(&root, 2),
            },
            Utc::now(),
        )
        .unwrap();
    let report = s.round(&mut kiosk).await;
    assert!(report.error.is_some());
    assert_eq!(kiosk.load_trust_list(&vk).unwrap().unwrap().list.seq(), 3);
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_of_another_venue_stays_pending_and_does_not_block_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let (state, storage) = hub(dir.path(), config());
    let running = RunningHub::start(state).await;
    let mut kiosk = enrolled_kiosk(dir.path(), storage.as_ref(), &running.url(), "v1", "k1").await;
    record(&mut kiosk, "v1", "k1", 0, 5);
    // Recorded under an old kiosk.toml venue id.
    record(&mut kiosk, "v-old", "k1", 5, 1);
    record(&mut kiosk, "v1", "k1", 6, 5);
    let mut s = syncer(&kiosk, None, 500, Arc::new(SystemClock));
    let report = s.round(&mut kiosk).await;
    assert_eq!(report.acknowledged, 10);
    let err = report.error.unwrap().describe();
    assert!(err.contains("v-old"), "{err}");
    let backlog = kiosk.backlog().unwrap();
    assert_eq!(backlog.pending, 1);
    assert!(
        backlog
            .last_error
            .unwrap()
            .contains("enrolled as venue \"v1\"")
    );
    assert_eq!(storage.all_entries().unwrap().len(), 10);
    running.stop().await;
}
