//! Migrations: from a committed database of schema version 1, the refusal
//! of a database newer than the code, and a failed migration that leaves
//! the file as it was.
#![allow(clippy::unwrap_used)] // helpers of tests may panic

mod common;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use common::{admit, utc};
use passgate_pass::keys::signing_key_from_seed;
use passgate_store::{Error, Outcome, SCHEMA_VERSION, Store};
use rusqlite::Connection;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema-v1.sqlite")
}

fn user_version(path: &Path) -> i64 {
    Connection::open(path)
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap()
}

#[test]
fn a_version_1_database_opens_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    std::fs::copy(fixture(), &path).unwrap();
    assert_eq!(
        user_version(&path),
        1,
        "the fixture must stay at schema version 1"
    );

    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(store.integrity_check().unwrap(), ["ok"]);

    let day = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let entries = store.day_entries(day).unwrap();
    assert_eq!(entries.len(), 3);
    let fever = &entries[1];
    assert_eq!(fever.id.to_string(), "019ac7f0-2a00-7000-8000-000000000002");
    assert_eq!(fever.outcome, Outcome::Deny);
    assert_eq!(fever.reason_code, "fever");
    assert_eq!(fever.masked_name.as_deref(), Some("张*三"));
    assert_eq!(fever.temperature, Some(38.1));
    assert_eq!(fever.local_time.to_rfc3339(), "2026-11-20T09:10:00+08:00");
    assert_eq!(entries[2].colour, None);

    let backlog = store.backlog().unwrap();
    assert_eq!((backlog.pending, backlog.in_flight), (1, 1));
    assert_eq!(backlog.last_error.as_deref(), Some("hub unreachable"));
    // The trust list is verified again with the root key the fixture used.
    let root = signing_key_from_seed([7; 32]).verifying_key();
    let trust = store.load_trust_list(&root).unwrap().unwrap();
    assert_eq!(trust.list.seq(), 7);
    // Migration 2 dropped version 1's single revocation document.
    assert_eq!(store.load_revocations(&root).unwrap().set.seq(), 0);
    assert_eq!(store.setting("ui.language").unwrap().as_deref(), Some("zh"));

    // The migrated file takes new entries.
    let id = store
        .record(&admit("new"), utc(2026, 11, 28, 1, 0, 0))
        .unwrap();
    assert!(store.entry(id).unwrap().is_some());
    assert_eq!(store.backlog().unwrap().pending, 2);
}

#[test]
fn a_newer_database_is_refused_and_left_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.sqlite");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE future_things (x TEXT);")
            .unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();

    let err = Store::open(&path).unwrap_err();
    match &err {
        Error::TooNew {
            found, supported, ..
        } => {
            assert_eq!((*found, *supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
        }
        other => panic!("expected TooNew, got {other:?}"),
    }
    let msg = err.to_string();
    assert!(
        msg.contains("newer than this passgate understands"),
        "{msg}"
    );
    assert!(msg.contains("upgrade passgate"), "{msg}");

    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the file was modified"
    );
    assert!(
        !dir.path().join("future.sqlite-wal").exists(),
        "a WAL file was created"
    );
    assert_eq!(user_version(&path), SCHEMA_VERSION + 1);
}

#[test]
fn a_failed_migration_leaves_the_file_at_its_old_version() {
    // A foreign SQLite file that already has an `outbox` table: migration 1
    // fails half-way and must leave nothing of itself behind.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("foreign.sqlite");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE outbox (x TEXT);").unwrap();
    }
    let err = Store::open(&path).unwrap_err();
    assert!(
        matches!(err, Error::Migration { version: 1, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("left at version 0"), "{err}");
    let conn = Connection::open(&path).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        tables,
        ["outbox"],
        "the entries table of the failed migration was kept"
    );
    assert_eq!(user_version(&path), 0);
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "delete", "the foreign file was switched to WAL");
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_and_left_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    let text = "these are not the entries you are looking for\n".repeat(100);
    std::fs::write(&path, &text).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, Error::NotADatabase { .. }), "{err:?}");
    assert!(
        err.to_string().contains("is not a passgate database"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}
