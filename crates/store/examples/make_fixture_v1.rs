//! Writes `tests/fixtures/schema-v1.sqlite`: a database of schema version 1
//! with a few rows in every table, made with the version-1 SQL itself (not
//! the current code), so the migration test starts from a real old file.
//! The trust documents are signed with the test root key (seed `[7; 32]`).
//!
//! Run from the repository root:
//! `cargo run -p passgate-store --example make_fixture_v1`

use std::path::Path;

use chrono::{DateTime, TimeDelta, Utc};
use passgate_pass::keys::signing_key_from_seed;
use passgate_pass::{IssuerDraft, IssuerId, PassId, RevocationDraft, TrustListDraft};
use rusqlite::Connection;

const SCHEMA_V1: &str = include_str!("../migrations/0001_init.sql");

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema-v1.sqlite");
    if path.exists() {
        std::fs::remove_file(&path)?;
    }
    let conn = Connection::open(&path)?;
    // Small pages keep the committed file small.
    conn.execute_batch("PRAGMA page_size = 1024;")?;
    conn.execute_batch(SCHEMA_V1)?;
    conn.execute_batch(
        r#"
        INSERT INTO entries VALUES
          ('019ac7f0-2a00-7000-8000-000000000001', '2026-11-20T00:05:00.000000Z',
           '2026-11-20T08:05:00.000000+08:00', '2026-11-20', 'venue-1', 'kiosk-1', 'scan',
           'admit', 'ok', 'Admitted', 'green', 'CN-LN', 'subj-1', '王*明', 36.5,
           '00112233445566778899aabbccddeeff'),
          ('019ac7f0-2a00-7000-8000-000000000002', '2026-11-20T01:10:00.000000Z',
           '2026-11-20T09:10:00.000000+08:00', '2026-11-20', 'venue-1', 'kiosk-1', 'scan',
           'deny', 'fever', 'Fever (38.1 °C)', 'green', 'CN-LN', 'subj-2', '张*三', 38.1,
           'ffeeddccbbaa99887766554433221100'),
          ('019ac7f0-2a00-7000-8000-000000000003', '2026-11-20T02:00:00.000000Z',
           '2026-11-20T10:00:00.000000+08:00', '2026-11-20', 'venue-1', 'kiosk-1', 'manual',
           'admit', 'ok', 'Admitted by attendant', NULL, NULL, NULL, 'visitor', NULL, NULL);
        INSERT INTO outbox (entry_id, state, attempts, last_error, updated_at, acked_at) VALUES
          ('019ac7f0-2a00-7000-8000-000000000001', 'acked', 1, NULL,
           '2026-11-20T00:06:00.000000Z', '2026-11-20T00:06:00.000000Z'),
          ('019ac7f0-2a00-7000-8000-000000000002', 'pending', 2, 'hub unreachable',
           '2026-11-20T01:20:00.000000Z', NULL),
          ('019ac7f0-2a00-7000-8000-000000000003', 'in_flight', 0, NULL,
           '2026-11-20T02:01:00.000000Z', NULL);
        INSERT INTO settings VALUES ('ui.language', 'zh');
        PRAGMA user_version = 1;
        "#,
    )?;
    // Trust documents signed with the test root key (seed [7; 32]).
    let root = signing_key_from_seed([7; 32]);
    let t0 = DateTime::parse_from_rfc3339("2026-11-01T00:00:00Z")?.with_timezone(&Utc);
    let list = TrustListDraft {
        seq: 7,
        issued_at: t0,
        expires_at: t0 + TimeDelta::days(60),
        issuers: vec![IssuerDraft {
            iss: IssuerId::new("CN-LN")?,
            name: "Liaoning".into(),
            public_key: signing_key_from_seed([1; 32]).verifying_key(),
            not_before: t0,
            not_after: t0 + TimeDelta::days(365),
        }],
    }
    .sign(&root)?;
    let revocations = RevocationDraft {
        seq: 3,
        base_seq: 0,
        issued_at: t0,
        pass_ids: vec![PassId::from_bytes([0xee; 16])],
        subjects: vec![],
    }
    .sign(&root)?;
    conn.execute(
        "INSERT INTO trust_documents VALUES ('trust_list', 7, ?1, '2026-11-19T23:00:00.000000Z'), \
         ('revocations', 3, ?2, '2026-11-19T23:00:00.000000Z')",
        rusqlite::params![list, revocations],
    )?;
    conn.execute_batch("VACUUM;")?;
    drop(conn);
    println!("wrote {}", path.display());
    Ok(())
}
