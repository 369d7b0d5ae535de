//! The store against real SQLite files in a temp dir.
#![allow(clippy::unwrap_used)] // helpers of tests may panic

mod common;

use chrono::{NaiveDate, TimeDelta};
use common::{TZ, admit, deny, temp_store, utc};
use passgate_store::{
    Backlog, DaySummary, Error, LogQuery, NewEntry, Outcome, PinCheck, Store, Totals,
};

#[cfg(unix)]
#[test]
fn database_files_are_private_to_the_owner() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kiosk.sqlite");
    let mut store = Store::open(&path).unwrap();
    store
        .record(&admit("a"), utc(2026, 11, 28, 1, 0, 0))
        .unwrap();
    for name in ["kiosk.sqlite", "kiosk.sqlite-wal", "kiosk.sqlite-shm"] {
        let mode = std::fs::metadata(dir.path().join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{name} has mode {:o}", mode & 0o777);
    }
}

#[test]
fn open_reports_a_missing_directory() {
    let dir = tempfile::tempdir().unwrap();
    let err = Store::open(dir.path().join("nope/kiosk.sqlite")).unwrap_err();
    assert!(matches!(err, Error::Open { .. }), "{err:?}");
    assert!(
        err.to_string().contains("check that the directory exists"),
        "{err}"
    );
}

#[test]
fn recorded_entry_reads_back_with_times_and_outbox_row() {
    let (_dir, mut store) = temp_store();
    let now = utc(2026, 11, 27, 17, 30, 5);
    let id = store.record(&admit("刘*爽"), now).unwrap();
    let e = store.entry(id).unwrap().unwrap();
    assert_eq!(e.id, id);
    assert_eq!(e.at, now);
    assert_eq!(e.local_day, NaiveDate::from_ymd_opt(2026, 11, 28).unwrap());
    assert_eq!(e.local_time.to_rfc3339(), "2026-11-28T01:30:05+08:00");
    assert_eq!(e.masked_name.as_deref(), Some("刘*爽"));
    assert_eq!(e.temperature, Some(36.6));
    assert_eq!(e.outcome, Outcome::Admit);
    assert_eq!(id.0.get_version_num(), 7);
    let backlog = store.backlog().unwrap();
    assert_eq!(backlog.pending, 1);
    assert_eq!(backlog.oldest_unsynced, Some(now));
}

#[test]
fn ids_are_unique_and_ordered_within_one_instant() {
    let (_dir, mut store) = temp_store();
    let now = utc(2026, 11, 28, 1, 0, 0);
    let ids: Vec<_> = (0..50)
        .map(|_| store.record(&admit("a"), now).unwrap())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, ids);
}

#[test]
fn an_invalid_entry_writes_nothing() {
    let (_dir, mut store) = temp_store();
    let bad = NewEntry {
        reason_code: "Not Snake".into(),
        ..admit("a")
    };
    let err = store.record(&bad, utc(2026, 11, 28, 1, 0, 0)).unwrap_err();
    assert!(matches!(err, Error::InvalidEntry(_)), "{err:?}");
    assert_eq!(store.entry_count().unwrap(), 0);
    assert_eq!(store.backlog().unwrap(), Backlog::default());
}

#[test]
fn outbox_takes_oldest_first_and_acknowledges_only_given_ids() {
    let (_dir, mut store) = temp_store();
    let t0 = utc(2026, 11, 28, 1, 0, 0);
    let ids: Vec<_> = (0..5)
        .map(|i| {
            store
                .record(&admit("a"), t0 + TimeDelta::seconds(i))
                .unwrap()
        })
        .collect();

    let batch = store.take_pending(3, t0).unwrap();
    assert_eq!(batch.iter().map(|e| e.id).collect::<Vec<_>>(), ids[..3]);
    let b = store.backlog().unwrap();
    assert_eq!((b.pending, b.in_flight), (2, 3));

    // The hub holds only the first two; the third stays in flight.
    assert_eq!(store.mark_acknowledged(&ids[..2], t0).unwrap(), 2);
    let b = store.backlog().unwrap();
    assert_eq!((b.pending, b.in_flight, b.unsynced()), (2, 1, 3));
    assert_eq!(b.oldest_unsynced, Some(t0 + TimeDelta::seconds(2)));

    // The third fails: back to pending with the error; it is taken again first.
    assert_eq!(
        store.mark_failed(&ids[2..3], "hub said 503", t0).unwrap(),
        1
    );
    let b = store.backlog().unwrap();
    assert_eq!((b.pending, b.in_flight), (3, 0));
    assert_eq!(b.last_error.as_deref(), Some("hub said 503"));
    let batch = store.take_pending(10, t0).unwrap();
    assert_eq!(batch.iter().map(|e| e.id).collect::<Vec<_>>(), ids[2..]);

    // mark_failed ignores entries that are not in flight (acked ones stay acked).
    assert_eq!(store.mark_failed(&ids[..2], "late", t0).unwrap(), 0);
    // Acknowledging twice changes nothing the second time.
    assert_eq!(store.mark_acknowledged(&ids[2..], t0).unwrap(), 3);
    assert_eq!(store.mark_acknowledged(&ids[2..], t0).unwrap(), 0);
    let b = store.backlog().unwrap();
    assert_eq!(b, Backlog::default());
}

#[test]
fn requeue_returns_in_flight_entries_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kiosk.sqlite");
    let t0 = utc(2026, 11, 28, 1, 0, 0);
    {
        let mut store = Store::open(&path).unwrap();
        store.record(&admit("a"), t0).unwrap();
        store.record(&admit("b"), t0).unwrap();
        assert_eq!(store.take_pending(10, t0).unwrap().len(), 2);
    }
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.backlog().unwrap().in_flight, 2);
    assert_eq!(store.requeue_in_flight(t0).unwrap(), 2);
    let b = store.backlog().unwrap();
    assert_eq!((b.pending, b.in_flight), (2, 0));
}

#[test]
fn two_connections_share_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kiosk.sqlite");
    let mut kiosk = Store::open(&path).unwrap();
    let mut sync = Store::open(&path).unwrap();
    let t0 = utc(2026, 11, 28, 1, 0, 0);
    let id = kiosk.record(&admit("a"), t0).unwrap();
    let batch = sync.take_pending(10, t0).unwrap();
    assert_eq!(batch[0].id, id);
    sync.mark_acknowledged(&[id], t0).unwrap();
    assert_eq!(kiosk.backlog().unwrap().unsynced(), 0);
}

#[test]
fn settings_round_trip() {
    let (_dir, mut store) = temp_store();
    assert_eq!(store.setting("ui.language").unwrap(), None);
    store.set_setting("ui.language", "zh").unwrap();
    store.set_setting("ui.language", "en").unwrap();
    assert_eq!(store.setting("ui.language").unwrap().as_deref(), Some("en"));
}

#[test]
fn pin_lockout_doubles_and_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kiosk.sqlite");
    let t0 = utc(2026, 11, 28, 1, 0, 0);
    let mut store = Store::open(&path).unwrap();
    assert!(matches!(store.check_pin("1234", t0), Err(Error::PinNotSet)));
    assert!(matches!(store.set_pin("12"), Err(Error::InvalidPin(_))));
    assert!(!store.has_pin().unwrap());
    store.set_pin("2468").unwrap();
    assert!(store.has_pin().unwrap());
    assert_eq!(store.check_pin("2468", t0).unwrap(), PinCheck::Ok);
    for remaining in (1..=4).rev() {
        assert_eq!(
            store.check_pin("0000", t0).unwrap(),
            PinCheck::Wrong { remaining }
        );
    }
    let until = t0 + TimeDelta::seconds(30);
    assert_eq!(
        store.check_pin("0000", t0).unwrap(),
        PinCheck::LockedOut { until }
    );
    drop(store);

    let mut store = Store::open(&path).unwrap();
    // Still locked after a restart, even for the right PIN.
    assert_eq!(
        store
            .check_pin("2468", t0 + TimeDelta::seconds(29))
            .unwrap(),
        PinCheck::LockedOut { until }
    );
    // After the lockout, one more wrong try locks for twice as long.
    let t1 = until;
    assert_eq!(
        store.check_pin("0000", t1).unwrap(),
        PinCheck::LockedOut {
            until: t1 + TimeDelta::seconds(60)
        }
    );
    let t2 = t1 + TimeDelta::seconds(60);
    assert_eq!(store.check_pin("2468", t2).unwrap(), PinCheck::Ok);
    // The right PIN reset the count.
    assert_eq!(
        store.check_pin("0000", t2).unwrap(),
        PinCheck::Wrong { remaining: 4 }
    );
}

fn seed_day(store: &mut Store) -> Vec<passgate_store::EntryId> {
    // Shanghai 2026-11-28: 08:05, 08:40, 09:10 (x2), 13:00; one on the next day.
    let mut ids = Vec::new();
    let day = [
        (utc(2026, 11, 28, 0, 5, 0), admit("王*明")),
        (utc(2026, 11, 28, 0, 40, 0), deny("李*", "code_red")),
        (utc(2026, 11, 28, 1, 10, 0), deny("张*三", "fever")),
        (utc(2026, 11, 28, 1, 10, 30), admit("赵*")),
        (utc(2026, 11, 28, 5, 0, 0), deny("王*明", "expired")),
        (utc(2026, 11, 28, 16, 0, 0), admit("next day")),
    ];
    for (at, e) in day {
        ids.push(store.record(&e, at).unwrap());
    }
    ids
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
}

#[test]
fn day_log_pages_and_searches() {
    let (_dir, mut store) = temp_store();
    let ids = seed_day(&mut store);
    let q = |search: Option<&str>, offset, limit| LogQuery {
        day: day(),
        search: search.map(str::to_owned),
        offset,
        limit,
    };
    let page = store.day_log(&q(None, 0, 2)).unwrap();
    assert_eq!(page.total, 5);
    assert_eq!(
        page.entries.iter().map(|e| e.id).collect::<Vec<_>>(),
        ids[..2]
    );
    let page = store.day_log(&q(None, 4, 2)).unwrap();
    assert_eq!(
        page.entries.iter().map(|e| e.id).collect::<Vec<_>>(),
        ids[4..5]
    );
    // Search by name, subject, reason code, reason text and issuer.
    let found = |s: &str| {
        let p = store.day_log(&q(Some(s), 0, 100)).unwrap();
        assert_eq!(p.total as usize, p.entries.len());
        p.entries.iter().map(|e| e.id).collect::<Vec<_>>()
    };
    assert_eq!(found("王*明"), vec![ids[0], ids[4]]);
    assert_eq!(found("subj-赵"), vec![ids[3]]);
    assert_eq!(found("fever"), vec![ids[2]]);
    assert_eq!(found("Denied: code_"), vec![ids[1]]);
    assert_eq!(found("CN-LN").len(), 5);
    assert_eq!(found("nobody"), vec![]);
    // '%' and '_' are plain text, not patterns.
    assert_eq!(found("%"), vec![]);
    assert_eq!(found("code_red"), vec![ids[1]]);
    assert!(store.day_log(&q(None, 0, 0)).is_err());
}

#[test]
fn day_summary_in_sql_matches_the_pure_summary() {
    let (_dir, mut store) = temp_store();
    seed_day(&mut store);
    let sql = store.day_summary(day()).unwrap();
    let pure = DaySummary::from_entries(&store.day_entries(day()).unwrap());
    assert_eq!(sql, pure);
    assert_eq!(
        sql.totals,
        Totals {
            admitted: 2,
            denied: 3
        }
    );
    assert_eq!(
        sql.hourly[8],
        Totals {
            admitted: 1,
            denied: 1
        }
    );
    assert_eq!(
        sql.hourly[9],
        Totals {
            admitted: 1,
            denied: 1
        }
    );
    assert_eq!(
        sql.hourly[13],
        Totals {
            admitted: 0,
            denied: 1
        }
    );
    let codes: Vec<_> = sql
        .by_reason
        .iter()
        .map(|r| (r.outcome, r.reason_code.as_str(), r.count))
        .collect();
    assert_eq!(
        codes,
        [
            (Outcome::Admit, "ok", 2),
            (Outcome::Deny, "code_red", 1),
            (Outcome::Deny, "expired", 1),
            (Outcome::Deny, "fever", 1)
        ]
    );
    // An empty day.
    let other = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    assert_eq!(store.day_summary(other).unwrap(), DaySummary::default());
}

#[test]
fn today_totals_use_the_venue_day() {
    let (_dir, mut store) = temp_store();
    seed_day(&mut store);
    // 2026-11-28 15:59 UTC is 23:59 in Shanghai: still the 28th.
    let late = utc(2026, 11, 28, 15, 59, 0);
    assert_eq!(
        store.today_totals(late, TZ).unwrap(),
        Totals {
            admitted: 2,
            denied: 3
        }
    );
    // One minute later it is the 29th there, with one entry.
    let next = utc(2026, 11, 28, 16, 0, 0);
    assert_eq!(
        store.today_totals(next, TZ).unwrap(),
        Totals {
            admitted: 1,
            denied: 0
        }
    );
    // The tz only picks which day is today: in UTC that instant is still the
    // 28th, and the entries keep the Shanghai day they were recorded on.
    assert_eq!(store.today_totals(next, chrono_tz::UTC).unwrap().total(), 5);
}
