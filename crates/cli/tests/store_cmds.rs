//! `passgate record`, `log` and `export` against a real kiosk database in a
//! temp directory.

use std::path::Path;

use assert_cmd::Command;
use assert_cmd::cargo::cargo_bin_cmd;
use chrono::NaiveDate;
use passgate_store::export::{COLUMNS, CSV_BOM};
use passgate_store::{Outcome, Store};
use tempfile::TempDir;

fn passgate(dir: &Path) -> Command {
    let mut cmd = cargo_bin_cmd!("passgate");
    cmd.current_dir(dir);
    cmd
}

fn run(cmd: &mut Command) -> (Option<i32>, String, String) {
    let out = cmd.output().expect("passgate runs");
    (
        out.status.code(),
        String::from_utf8(out.stdout).expect("utf-8 stdout"),
        String::from_utf8(out.stderr).expect("utf-8 stderr"),
    )
}

/// Keys, a trust list and a green pass valid 2026-11-28 08:00-18:00 UTC.
fn setup() -> (TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();
    for name in ["root", "ln"] {
        passgate(p)
            .args(["keygen", "--out", ".", "--name", name])
            .assert()
            .success();
    }
    passgate(p)
        .args(["trust", "sign", "--root", "root.key"])
        .args(["--issuer", "ln.pub,CN-LN,Liaoning Health"])
        .args(["--seq", "1", "--valid-days", "30"])
        .args(["--issued-at", "2026-11-01T00:00:00Z", "--out", "trust.json"])
        .assert()
        .success();
    let (code, pass, err) = run(passgate(p)
        .args([
            "issue", "--key", "ln.key", "--iss", "CN-LN", "--status", "green",
        ])
        .args(["--sub", "subject-7", "--name", "刘*爽"])
        .args([
            "--issued-at",
            "2026-11-28T08:00:00Z",
            "--valid-minutes",
            "600",
        ]));
    assert_eq!(code, Some(0), "{err}");
    (dir, pass.trim().to_owned())
}

/// `passgate record` with flags for venue, device and time zone.
fn record(dir: &Path, at: &str, temperature: Option<&str>, text: &str) -> Command {
    let mut cmd = passgate(dir);
    cmd.args(["record", "--db", "kiosk.sqlite", "--root", "root.pub"])
        .args([
            "--trust",
            "trust.json",
            "--venue",
            "venue-1",
            "--device",
            "kiosk-1",
        ])
        .args(["--tz", "Asia/Shanghai", "--at", at]);
    if let Some(t) = temperature {
        cmd.args(["--temperature", t]);
    }
    cmd.arg(text);
    cmd
}

fn recorded_id(stdout: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("recorded"))
        .map(|id| id.trim().to_owned())
        .unwrap_or_else(|| panic!("no entry id in {stdout}"))
}

const DAY: &str = "2026-11-28";

#[test]
fn record_log_and_export_a_day() {
    let (dir, pass) = setup();
    let p = dir.path();

    let (code, out, err) = run(&mut record(p, "2026-11-28T09:00:00Z", Some("36.5"), &pass));
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.starts_with("ADMIT"), "{out}");
    let admitted = recorded_id(&out);

    let (code, out, _) = run(&mut record(p, "2026-11-28T09:05:00Z", Some("38.2"), &pass));
    assert_eq!(code, Some(1), "{out}");
    assert!(out.starts_with("DENY (fever)"), "{out}");
    let fever = recorded_id(&out);

    let (code, out, _) = run(&mut record(p, "2026-11-28T09:10:00Z", None, "HC1:garbage"));
    assert_eq!(code, Some(1), "{out}");
    assert!(out.starts_with("DENY (malformed)"), "{out}");
    let malformed = recorded_id(&out);

    // The three entries are in the database, each with its outbox row.
    let store = Store::open(p.join("kiosk.sqlite")).expect("open");
    let day = NaiveDate::from_ymd_opt(2026, 11, 28).expect("day");
    let entries = store.day_entries(day).expect("entries");
    let ids: Vec<String> = entries.iter().map(|e| e.id.to_string()).collect();
    assert_eq!(ids, [admitted.clone(), fever.clone(), malformed.clone()]);
    assert_eq!(entries[0].outcome, Outcome::Admit);
    assert_eq!(entries[0].masked_name.as_deref(), Some("刘*爽"));
    assert_eq!(entries[0].subject.as_deref(), Some("subject-7"));
    assert_eq!(entries[0].venue_id, "venue-1");
    assert_eq!(entries[1].temperature, Some(38.2));
    assert_eq!(entries[2].masked_name, None);
    assert_eq!(store.backlog().expect("backlog").pending, 3);
    drop(store);

    // log: a table with every entry, then JSON lines in the upload format.
    let (code, out, err) = run(passgate(p).args(["log", "--db", "kiosk.sqlite", "--date", DAY]));
    assert_eq!(code, Some(0), "{err}");
    for id in [&admitted, &fever, &malformed] {
        assert!(out.contains(id.as_str()), "{id} missing from\n{out}");
    }
    assert!(
        out.contains("17:00:00  ADMIT"),
        "local time and outcome:\n{out}"
    );
    assert!(out.contains("1 admitted, 2 denied"), "{out}");
    let (_, out, _) = run(passgate(p).args([
        "log",
        "--db",
        "kiosk.sqlite",
        "--date",
        DAY,
        "--json",
        "--search",
        "fever",
    ]));
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["id"], fever.as_str());
    assert_eq!(lines[0]["local_time"], "2026-11-28T17:05:00+08:00");

    // export: CSV (BOM, headers, one row per entry) and XLSX.
    let (code, _, err) = run(passgate(p).args([
        "export",
        "--db",
        "kiosk.sqlite",
        "--date",
        DAY,
        "--format",
        "csv",
        "--out",
        "day.csv",
    ]));
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("exported 3 entries of 2026-11-28"), "{err}");
    let bytes = std::fs::read(p.join("day.csv")).expect("csv written");
    assert!(bytes.starts_with(CSV_BOM));
    let mut reader = csv::Reader::from_reader(&bytes[CSV_BOM.len()..]);
    assert_eq!(reader.headers().expect("headers"), &COLUMNS[..]);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(&rows[1][0], fever);
    assert_eq!(&rows[1][8], "fever");

    let (code, _, err) = run(passgate(p).args([
        "export",
        "--db",
        "kiosk.sqlite",
        "--date",
        DAY,
        "--format",
        "xlsx",
        "--out",
        "day.xlsx",
    ]));
    assert_eq!(code, Some(0), "{err}");
    let xlsx = std::fs::read(p.join("day.xlsx")).expect("xlsx written");
    assert!(xlsx.starts_with(b"PK"), "an xlsx file is a zip");
    // No temporary file is left next to it.
    let names: Vec<_> = std::fs::read_dir(p)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(names.is_empty(), "{names:?}");

    // Another day: headers only.
    let (code, _, err) = run(passgate(p).args([
        "export",
        "--db",
        "kiosk.sqlite",
        "--date",
        "2026-11-27",
        "--format",
        "csv",
        "--out",
        "empty.csv",
    ]));
    assert_eq!(code, Some(0), "{err}");
    let empty = std::fs::read_to_string(p.join("empty.csv")).expect("csv");
    assert_eq!(empty.lines().count(), 1);
}

#[test]
fn a_pass_waiting_for_a_temperature_is_not_recorded() {
    let (dir, pass) = setup();
    let p = dir.path();
    // kiosk.toml gives venue, device, time zone, database and the policy
    // (a temperature is required by default).
    std::fs::write(
        p.join("kiosk.toml"),
        "[venue]\nid = \"venue-9\"\ndevice = \"kiosk-9\"\ntime_zone = \"Asia/Shanghai\"\n\n\
         [trust]\nroot_public_key = \"root.pub\"\n\n[storage]\ndatabase = \"from-config.sqlite\"\n",
    )
    .expect("config written");
    let mut cmd = passgate(p);
    cmd.args(["record", "--config", "kiosk.toml", "--root", "root.pub"])
        .args([
            "--trust",
            "trust.json",
            "--at",
            "2026-11-28T09:00:00Z",
            &pass,
        ]);
    let (code, out, err) = run(&mut cmd);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(out.contains("not recorded"), "{out}");
    assert!(
        !p.join("from-config.sqlite").exists(),
        "a database was created"
    );

    let mut cmd = passgate(p);
    cmd.args(["record", "--config", "kiosk.toml", "--root", "root.pub"])
        .args(["--trust", "trust.json", "--at", "2026-11-28T09:00:00Z"])
        .args(["--temperature", "36.6", &pass]);
    let (code, out, err) = run(&mut cmd);
    assert_eq!(code, Some(0), "{out}{err}");
    let store = Store::open(p.join("from-config.sqlite")).expect("open");
    let id = recorded_id(&out).parse().expect("uuid");
    let entry = store.entry(id).expect("read").expect("recorded");
    assert_eq!(
        (entry.venue_id.as_str(), entry.device_id.as_str()),
        ("venue-9", "kiosk-9")
    );
    assert_eq!(entry.local_time.to_rfc3339(), "2026-11-28T17:00:00+08:00");
}

#[test]
fn bad_arguments_fail_clearly_and_change_nothing() {
    let (dir, pass) = setup();
    let p = dir.path();
    let fails_with = |cmd: &mut Command, needle: &str| {
        let (code, _, err) = run(cmd);
        assert_eq!(code, Some(2), "{err}");
        assert!(err.contains(needle), "expected {needle:?} in: {err}");
    };
    // export/log never create a database.
    fails_with(
        passgate(p)
            .args([
                "export",
                "--db",
                "nope.sqlite",
                "--date",
                DAY,
                "--format",
                "csv",
            ])
            .args(["--out", "x.csv"]),
        "does not exist",
    );
    fails_with(
        passgate(p).args(["log", "--db", "nope.sqlite"]),
        "does not exist",
    );
    assert!(!p.join("nope.sqlite").exists());
    assert!(!p.join("x.csv").exists());
    fails_with(
        passgate(p).args(["log", "--db", "kiosk.sqlite", "--date", "28/11/2026"]),
        "expected a day as YYYY-MM-DD",
    );
    fails_with(
        passgate(p).args(["log", "--db", "kiosk.sqlite", "--tz", "Mars/Base"]),
        "unknown time zone",
    );
    fails_with(passgate(p).args(["log"]), "give the database with --db");
    // record without a venue.
    let mut cmd = passgate(p);
    cmd.args(["record", "--db", "kiosk.sqlite", "--root", "root.pub"])
        .args(["--trust", "trust.json", "--temperature", "36.5", &pass]);
    fails_with(&mut cmd, "give the venue with --venue");
    assert!(!p.join("kiosk.sqlite").exists());
}

/// `record` decides as the kiosk does: with the fever threshold the manager
/// set on the kiosk (kept in its database), not only the configured one.
#[test]
fn record_applies_the_fever_threshold_the_manager_set_on_the_kiosk() {
    let (dir, pass) = setup();
    let p = dir.path();
    let (code, out, err) = run(&mut record(p, "2026-11-28T09:00:00Z", Some("37.0"), &pass));
    assert_eq!(code, Some(0), "37.0 is under the default 37.3: {out}{err}");
    Store::open(p.join("kiosk.sqlite"))
        .expect("open")
        .set_setting(passgate_kiosk::decision::SETTING_FEVER, "36.9")
        .expect("manager's threshold saved");
    let (code, out, err) = run(&mut record(p, "2026-11-28T09:05:00Z", Some("37.0"), &pass));
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(out.starts_with("DENY (fever)"), "{out}");
}
