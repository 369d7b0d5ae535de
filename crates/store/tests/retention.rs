//! Retention never deletes an entry the hub has not acknowledged.
#![allow(clippy::unwrap_used)] // helpers of tests may panic

mod common;

use chrono::TimeDelta;
use common::{admit, temp_store, utc};
use passgate_store::{Error, PurgeReport};

#[test]
fn purge_deletes_only_old_acknowledged_entries() {
    let (_dir, mut store) = temp_store();
    let now = utc(2026, 11, 28, 12, 0, 0);
    let old = now - TimeDelta::days(40);
    let recent = now - TimeDelta::days(3);
    let old_acked: Vec<_> = (0..3)
        .map(|_| store.record(&admit("a"), old).unwrap())
        .collect();
    let old_in_flight = store.record(&admit("b"), old).unwrap();
    let old_pending = store.record(&admit("c"), old).unwrap();
    let old_failed = store.record(&admit("d"), old).unwrap();
    let recent_acked = store.record(&admit("e"), recent).unwrap();

    // Upload everything; the hub holds the three old ones and the recent one.
    let batch = store.take_pending(100, now).unwrap();
    assert_eq!(batch.len(), 7);
    store.mark_acknowledged(&old_acked, now).unwrap();
    store.mark_acknowledged(&[recent_acked], now).unwrap();
    store
        .mark_failed(&[old_failed, old_pending], "offline", now)
        .unwrap();
    // old_in_flight stays in flight, old_pending/old_failed are pending.

    let report = store.purge(now, 28).unwrap();
    assert_eq!(
        report,
        PurgeReport {
            deleted: 3,
            held_back: 3
        }
    );
    for id in &old_acked {
        assert_eq!(store.entry(*id).unwrap(), None);
    }
    for id in [old_in_flight, old_pending, old_failed, recent_acked] {
        assert!(store.entry(id).unwrap().is_some(), "{id} was purged");
    }
    // Their outbox rows went with them; the unsynced ones are still queued.
    let b = store.backlog().unwrap();
    assert_eq!((b.pending, b.in_flight), (2, 1));
    assert_eq!(store.entry_count().unwrap(), 4);
    assert_eq!(store.integrity_check().unwrap(), ["ok"]);

    // Once the hub acknowledges them, the next purge deletes them.
    store
        .mark_acknowledged(&[old_in_flight, old_pending, old_failed], now)
        .unwrap();
    let report = store.purge(now, 28).unwrap();
    assert_eq!(
        report,
        PurgeReport {
            deleted: 3,
            held_back: 0
        }
    );
    assert_eq!(store.entry_count().unwrap(), 1);
}

#[test]
fn purge_keeps_entries_inside_the_window_and_refuses_zero_days() {
    let (_dir, mut store) = temp_store();
    let now = utc(2026, 11, 28, 12, 0, 0);
    let edge = store
        .record(
            &admit("a"),
            now - TimeDelta::days(28) + TimeDelta::seconds(1),
        )
        .unwrap();
    store.take_pending(10, now).unwrap();
    store.mark_acknowledged(&[edge], now).unwrap();
    assert_eq!(store.purge(now, 28).unwrap(), PurgeReport::default());
    assert!(store.entry(edge).unwrap().is_some());
    assert!(matches!(
        store.purge(now, 0),
        Err(Error::InvalidArgument(_))
    ));
}
