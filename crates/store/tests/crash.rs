//! Crash test: a child process records entries in a loop and prints each id
//! once `record()` has returned; the parent kills it with SIGKILL at random
//! moments, 200 times. After every kill the database must pass
//! `PRAGMA integrity_check`, every printed id must be in `entries` with its
//! outbox row, and no entry may lack its outbox row (or vice versa).
//!
//! The test binary is its own child: run with `--crash-child DB` it records
//! forever (until killed, or until its stdout is closed).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: failures panic

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use passgate_store::{Colour, Kind, NewEntry, Outcome, Store};
use rusqlite::Connection;

const KILLS: usize = 200;
const CHILD_FLAG: &str = "--crash-child";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == CHILD_FLAG) {
        Some(i) => child(Path::new(&args[i + 1])),
        None => parent(),
    }
}

fn entry(n: u64) -> NewEntry {
    NewEntry {
        venue_id: "venue-1".into(),
        device_id: "kiosk-1".into(),
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
        temperature: Some(36.5),
        pass_id: Some(format!("{n:032x}")),
    }
}

/// Records until killed. Exits when the parent closes the pipe.
fn child(db: &Path) {
    let mut store = Store::open(db).expect("child: open");
    let mut out = std::io::stdout().lock();
    for n in 0u64.. {
        let id = store.record(&entry(n), Utc::now()).expect("child: record");
        if writeln!(out, "{id}").and_then(|()| out.flush()).is_err() {
            return;
        }
    }
}

/// xorshift64*: a fixed-seed generator for the kill moments.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

fn parent() {
    let seed = std::env::var("PASSGATE_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_2026_1128_u64);
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.sqlite");
    let exe = std::env::current_exe().unwrap();
    let started = Instant::now();
    let mut printed: Vec<String> = Vec::new();
    let mut killed_before_first_id = 0;

    for round in 0..KILLS {
        let mut child = Command::new(&exe)
            .arg(CHILD_FLAG)
            .arg(&db)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        // The kill moment: after a random number of confirmed records
        // (0 = while the child may still be starting or opening the
        // database), then a random extra 0-3 ms into the next record.
        let lines_first = rng.below(20);
        let mut line = String::new();
        for _ in 0..lines_first {
            line.clear();
            if stdout.read_line(&mut line).unwrap() == 0 {
                panic!("round {round}: the child exited early; see its stderr above");
            }
            assert!(line.ends_with('\n'));
            printed.push(line.trim_end().to_owned());
        }
        std::thread::sleep(Duration::from_micros(rng.below(3000)));
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        assert!(
            !status.success(),
            "round {round}: child was not killed: {status}"
        );
        // Ids the child printed before it died are in the pipe; a line cut
        // short by the kill (no newline) was never fully printed.
        let mut rest = String::new();
        stdout.read_to_string(&mut rest).unwrap();
        let before = printed.len();
        let mut lines = rest.split_inclusive('\n');
        for l in lines.by_ref() {
            if let Some(id) = l.strip_suffix('\n') {
                printed.push(id.to_owned());
            }
        }
        if printed.len() == before && lines_first == 0 {
            killed_before_first_id += 1;
        }
        check(
            &db,
            &printed[before.saturating_sub(lines_first as usize)..],
            round,
        );
    }
    // Finally every id ever printed is still there.
    check(&db, &printed, KILLS);
    println!(
        "crash test: {KILLS} SIGKILLs (seed {seed:#x}), {} printed ids all present, \
         {killed_before_first_id} kills before the first id of a run, {:.1} s",
        printed.len(),
        started.elapsed().as_secs_f64()
    );
}

fn check(db: &Path, ids: &[String], round: usize) {
    if !db.exists() {
        assert!(ids.is_empty(), "round {round}: ids printed but no database");
        return;
    }
    let conn = Connection::open(db).unwrap();
    let report: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(report, ["ok"], "round {round}: integrity_check failed");
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    if version == 0 {
        assert!(
            ids.is_empty(),
            "round {round}: ids printed but schema missing"
        );
        return;
    }
    let mut find = conn
        .prepare(
            "SELECT count(*) FROM entries e JOIN outbox o ON o.entry_id = e.id \
             WHERE e.id = ?1 AND o.state = 'pending'",
        )
        .unwrap();
    for id in ids {
        let n: i64 = find.query_row([id], |r| r.get(0)).unwrap();
        assert_eq!(n, 1, "round {round}: printed id {id} is missing");
    }
    let (entries, outbox): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT count(*) FROM entries), (SELECT count(*) FROM outbox)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        entries, outbox,
        "round {round}: an entry without its outbox row"
    );
}
