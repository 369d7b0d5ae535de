//! 10,000 entries sync through a proxy that drops connections before and
//! after the hub commits, answers 500 and 503, delays and truncates: the
//! hub ends up holding exactly the kiosk's entries, once each.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use common::net::{RunningHub, enrolled_kiosk, kiosk_entries, record};
use common::proxy::{Fault, FaultProxy};
use common::*;
use passgate_hub::{HubStorage, publish};
use passgate_sync::{Backoff, ClientOptions, SyncHandle, SyncOptions, SyncStatus, SystemClock};

const ENTRIES: u32 = 10_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_entries_cross_a_faulty_network_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let (state, storage) = hub(dir.path(), config());
    let running = RunningHub::start(state).await;
    let mut kiosk = enrolled_kiosk(dir.path(), storage.as_ref(), &running.url(), "v1", "k1").await;
    record(&mut kiosk, "v1", "k1", 0, ENTRIES);
    let started = std::time::Instant::now();
    let root = root();
    publish(
        storage.as_ref(),
        &root.verifying_key(),
        Some(&trust_list(&root, 1)),
        Some(&revocation(&root, 1, 0, 1)),
        Utc::now(),
    )
    .unwrap();

    let proxy = FaultProxy::start(running.addr, 0x5eed_1234_abcd).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<SyncStatus>();
    let options = SyncOptions {
        hub_url: Some(proxy.url()),
        interval: Duration::from_millis(20),
        batch_size: 250,
        backoff: Backoff {
            base: Duration::from_millis(1),
            max: Duration::from_millis(8),
        },
        client: ClientOptions {
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
        },
        ..SyncOptions::new(kiosk.path().to_owned(), root.verifying_key())
    };
    let handle = SyncHandle::start(
        options,
        Arc::new(SystemClock),
        Arc::new(move |s: &SyncStatus| {
            let _ = tx.send(s.clone());
        }),
    )
    .unwrap();

    // Wait for the loop to report an empty backlog and both documents; the
    // guard only stops a broken build from hanging CI.
    let mut rounds = 0;
    let mut errors = HashSet::new();
    let done = tokio::time::timeout(Duration::from_secs(300), async {
        while let Some(s) = rx.recv().await {
            rounds += 1;
            if let Some(e) = &s.last_error {
                errors.insert(e.split(':').next().unwrap_or_default().to_owned());
            }
            if s.backlog == 0 && s.trust_list_seq == Some(1) && s.revocations_seq == 1 {
                return s;
            }
        }
        panic!("the sync loop ended without draining the backlog");
    })
    .await
    .expect("the sync loop did not drain the backlog");
    handle.stop();
    assert_eq!(done.backlog, 0);

    // Every kind of fault happened.
    let counts = proxy.counts();
    for fault in [
        Fault::DropBeforeHub,
        Fault::DropAfterHub,
        Fault::Answer500,
        Fault::Answer503,
        Fault::Delay,
        Fault::Truncate,
    ] {
        assert!(
            counts.get(&fault).copied().unwrap_or(0) > 0,
            "{fault:?} never happened: {counts:?}"
        );
    }
    eprintln!(
        "synced in {:?}, {rounds} rounds; proxy: {counts:?}; error kinds: {errors:?}",
        started.elapsed()
    );

    // The hub holds exactly the kiosk's set: same ids, same contents, once.
    let on_kiosk = kiosk_entries(&kiosk);
    assert_eq!(on_kiosk.len(), ENTRIES as usize);
    let on_hub = storage.all_entries().unwrap();
    let ids: HashSet<_> = on_hub.iter().map(|e| e.id).collect();
    assert_eq!(ids.len(), on_hub.len(), "no duplicates");
    assert_eq!(on_hub, on_kiosk, "nothing missing, nothing changed");
    let backlog = kiosk.backlog().unwrap();
    assert_eq!((backlog.pending, backlog.in_flight), (0, 0));
    assert_eq!(storage.devices().unwrap()[0].entries, u64::from(ENTRIES));
    running.stop().await;
}
