//! Benchmark: sync a 100,000-entry kiosk backlog to a hub on 127.0.0.1,
//! and the hub's raw ingest rate. Both databases are real files in a temp
//! folder (WAL, `synchronous=FULL`).
//!
//! ```text
//! cargo run --release -p passgate-hub --example sync_bench [ENTRIES] [BATCH]
//! ```
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::sync::Arc;
use std::time::Instant;

use chrono::{TimeDelta, TimeZone, Utc};
use passgate_hub::storage::Batch;
use passgate_hub::{HubConfig, HubState, HubStorage, SqliteStorage, create_enrol_token, run};
use passgate_store::{Colour, Entry, EntryId, Kind, NewEntry, Outcome, Store};
use passgate_sync::{ClientOptions, Syncer, SystemClock};

fn new_entry(n: u32) -> NewEntry {
    NewEntry {
        venue_id: "v1".into(),
        device_id: "k1".into(),
        tz: chrono_tz::Asia::Shanghai,
        kind: Kind::Scan,
        outcome: Outcome::Admit,
        reason_code: "ok".into(),
        reason_text: "Admitted".into(),
        colour: Some(Colour::Green),
        issuer: Some("CN-LN".into()),
        subject: Some(format!("subject-{n:08}")),
        masked_name: Some("刘*爽".into()),
        temperature: Some(36.6),
        pass_id: Some(format!("{n:032x}")),
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let entries: u32 = args.next().map_or(100_000, |a| a.parse().unwrap());
    let batch: usize = args.next().map_or(500, |a| a.parse().unwrap());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(bench(entries, batch));
}

async fn bench(entries: u32, batch: usize) {
    let dir = tempfile::tempdir().unwrap();
    let t0 = Utc.with_ymd_and_hms(2026, 11, 28, 0, 0, 0).unwrap();

    // The kiosk's backlog.
    let started = Instant::now();
    let mut kiosk = Store::open(dir.path().join("kiosk.sqlite")).unwrap();
    let all: Vec<u32> = (0..entries).collect();
    for chunk in all.chunks(5000) {
        let items: Vec<_> = chunk
            .iter()
            .map(|n| {
                (
                    new_entry(*n),
                    t0 + TimeDelta::milliseconds(i64::from(*n) * 100),
                )
            })
            .collect();
        kiosk.record_batch(&items).unwrap();
    }
    println!(
        "setup: {entries} entries recorded in {:.1?}",
        started.elapsed()
    );

    // A hub on 127.0.0.1 and the kiosk enrolled with it.
    let storage = Arc::new(SqliteStorage::open(dir.path().join("hub.sqlite")).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let state = HubState::new(storage.clone(), HubConfig::default());
    let server = tokio::spawn(run(listener, std::future::pending(), state));
    let token =
        create_enrol_token(storage.as_ref(), "v1", TimeDelta::hours(1), Utc::now()).unwrap();
    passgate_sync::enrol(
        &mut kiosk,
        &url,
        &token,
        "k1",
        "v1",
        ClientOptions::default(),
    )
    .await
    .unwrap();
    let root = passgate_pass::SigningKey::from_bytes(&[1; 32]).verifying_key();

    // The measured part: rounds until the backlog is empty.
    let mut syncer = Syncer::new(
        &kiosk,
        None,
        root,
        batch,
        ClientOptions::default(),
        Arc::new(SystemClock),
    )
    .unwrap();
    let started = Instant::now();
    let mut uploads = 0;
    while kiosk.backlog().unwrap().unsynced() > 0 {
        let report = syncer.round(&mut kiosk).await;
        assert!(report.error.is_none(), "{:?}", report.error);
        uploads += report.uploads;
    }
    let took = started.elapsed();
    let held = storage.devices().unwrap()[0].entries;
    assert_eq!(held, u64::from(entries));
    println!(
        "sync: {entries} entries in {uploads} uploads of {batch}: {:.2} s ({:.0} entries/s end to end)",
        took.as_secs_f64(),
        f64::from(entries) / took.as_secs_f64()
    );
    server.abort();

    // Hub ingest alone: the storage call the upload handler makes.
    let raw = SqliteStorage::open(dir.path().join("ingest.sqlite")).unwrap();
    let rows: Vec<Entry> = (0..entries)
        .map(|n| {
            new_entry(n).to_entry(
                EntryId(uuid::Uuid::from_u128(u128::from(n) + 1)),
                t0 + TimeDelta::seconds(n.into()),
            )
        })
        .collect();
    let ingest = |nonce: usize, chunk: &[Entry]| {
        let now = Utc::now();
        raw.ingest(&Batch {
            device_id: "k1",
            nonce: &format!("{nonce:032x}"),
            entries: chunk,
            backlog: 0,
            now,
            forget_before: now - TimeDelta::minutes(10),
        })
        .unwrap();
    };
    let started = Instant::now();
    for (i, chunk) in rows.chunks(batch).enumerate() {
        ingest(i, chunk);
    }
    let took = started.elapsed();
    println!(
        "hub ingest (storage only, batches of {batch}): {:.0} entries/s",
        f64::from(entries) / took.as_secs_f64()
    );
    let started = Instant::now();
    for (i, chunk) in rows.chunks(batch).enumerate() {
        ingest(i + rows.len(), chunk);
    }
    println!(
        "hub re-ingest of held ids (idempotent path): {:.0} entries/s",
        f64::from(entries) / started.elapsed().as_secs_f64()
    );
}
