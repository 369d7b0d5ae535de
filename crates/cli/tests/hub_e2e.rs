//! End to end with real processes: `passgate hub serve` on 127.0.0.1 (port
//! 0, the bound address read from its stdout) and a kiosk database synced
//! with `passgate enrol` / `passgate sync --once`. Entries recorded while
//! the hub is down are all uploaded once it is up, and a trust list
//! published on the hub reaches the kiosk.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Output, Stdio};

use chrono::{TimeDelta, TimeZone, Utc};
use passgate_hub::{HubStorage, SqliteStorage};
use passgate_pass::keys::public_key_to_text;
use passgate_pass::{IssuerDraft, IssuerId, PassId, RevocationDraft, SigningKey, TrustListDraft};
use passgate_store::{Colour, Kind, NewEntry, Outcome, Store};

const ENTRIES: u32 = 300;

fn passgate() -> Command {
    Command::new(env!("CARGO_BIN_EXE_passgate"))
}

fn run(args: &[&str]) -> Output {
    passgate().args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A `passgate hub serve` process.
struct HubProcess {
    child: Child,
    // Kept open so the hub never writes to a closed pipe.
    _stdout: BufReader<ChildStdout>,
    url: String,
}

impl HubProcess {
    fn start(db: &Path) -> Self {
        let mut child = passgate()
            .args(["hub", "serve", "--listen", "127.0.0.1:0", "--db"])
            .arg(db)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let url = line
            .trim()
            .strip_prefix("passgate hub listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Self {
            child,
            _stdout: stdout,
            url,
        }
    }

    /// SIGTERM, then waits: a graceful shutdown exits 0.
    fn stop(mut self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let exit = self.child.wait().unwrap();
        assert!(exit.success(), "the hub did not stop cleanly: {exit}");
    }
}

impl Drop for HubProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

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
        subject: Some(format!("subject-{n}")),
        masked_name: Some("刘*爽".into()),
        temperature: Some(36.6),
        pass_id: Some(format!("{n:032x}")),
    }
}

fn documents(dir: &Path, root: &SigningKey) {
    let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let list = |seq: u64| {
        TrustListDraft {
            seq,
            issued_at: t0,
            expires_at: t0 + TimeDelta::days(3650),
            issuers: vec![IssuerDraft {
                iss: IssuerId::new("CN-LN").unwrap(),
                name: "Liaoning".into(),
                public_key: SigningKey::from_bytes(&[8; 32]).verifying_key(),
                not_before: t0,
                not_after: t0 + TimeDelta::days(3650),
            }],
        }
        .sign(root)
        .unwrap()
    };
    std::fs::write(
        dir.join("root.pub"),
        public_key_to_text(&root.verifying_key()),
    )
    .unwrap();
    std::fs::write(dir.join("trust.json"), list(2)).unwrap();
    std::fs::write(dir.join("trust-old.json"), list(1)).unwrap();
    let revocations = RevocationDraft {
        seq: 1,
        base_seq: 0,
        issued_at: t0,
        pass_ids: vec![PassId::from_bytes([3; 16])],
        subjects: vec![],
    }
    .sign(root)
    .unwrap();
    std::fs::write(dir.join("revocations.json"), revocations).unwrap();
}

#[test]
fn entries_recorded_while_the_hub_is_down_reach_it_and_its_trust_list_reaches_the_kiosk() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let path = |name: &str| d.join(name).to_string_lossy().into_owned();
    let root = SigningKey::from_bytes(&[21; 32]);
    documents(d, &root);

    // Enrol while the hub is up.
    let hub = HubProcess::start(&d.join("hub.sqlite"));
    let out = run(&[
        "hub",
        "enrol-token",
        "--db",
        &path("hub.sqlite"),
        "--venue",
        "v1",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let token = text(&out.stdout).trim().to_owned();
    let out = run(&[
        "enrol",
        "--hub",
        &hub.url,
        "--token",
        &token,
        "--db",
        &path("kiosk.sqlite"),
        "--device",
        "k1",
        "--venue",
        "v1",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // A token works once.
    let again = run(&[
        "enrol",
        "--hub",
        &hub.url,
        "--token",
        &token,
        "--db",
        &path("other.sqlite"),
        "--device",
        "k2",
        "--venue",
        "v1",
    ]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        text(&again.stderr).contains("token"),
        "{}",
        text(&again.stderr)
    );
    hub.stop();

    // The hub is down: the kiosk records, and a sync fails without losing anything.
    let mut kiosk = Store::open(d.join("kiosk.sqlite")).unwrap();
    let t0 = Utc.with_ymd_and_hms(2026, 11, 28, 1, 0, 0).unwrap();
    let batch: Vec<_> = (0..ENTRIES)
        .map(|n| (new_entry(n), t0 + TimeDelta::seconds(n.into())))
        .collect();
    kiosk.record_batch(&batch).unwrap();
    let sync = [
        "sync",
        "--once",
        "--db",
        &path("kiosk.sqlite"),
        "--root",
        &path("root.pub"),
    ];
    let out = run(&sync);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("cannot reach the hub"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(kiosk.backlog().unwrap().pending, u64::from(ENTRIES));

    // The hub is up again (on a new port) with a trust list published.
    let hub = HubProcess::start(&d.join("hub.sqlite"));
    let publish = |trust: &str| {
        run(&[
            "hub",
            "publish",
            "--db",
            &path("hub.sqlite"),
            "--root",
            &path("root.pub"),
            "--trust",
            &path(trust),
            "--revocations",
            &path("revocations.json"),
        ])
    };
    let out = publish("trust.json");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = publish("trust-old.json");
    assert_eq!(out.status.code(), Some(2), "a lower seq is refused");
    assert!(
        text(&out.stderr).contains("not newer"),
        "{}",
        text(&out.stderr)
    );

    let out = run(&[&sync[..], &["--hub", &hub.url]].concat());
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(text(&out.stdout).contains(&format!("uploaded {ENTRIES} entries")));

    // Everything arrived, once, unchanged; the trust documents reached the kiosk.
    assert_eq!(kiosk.backlog().unwrap().unsynced(), 0);
    let vk = root.verifying_key();
    assert_eq!(kiosk.load_trust_list(&vk).unwrap().unwrap().list.seq(), 2);
    assert_eq!(kiosk.load_revocations(&vk).unwrap().set.seq(), 1);
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    let mut on_kiosk = kiosk.day_entries(day).unwrap();
    on_kiosk.sort_by_key(|e| e.id);
    let on_hub = SqliteStorage::open(d.join("hub.sqlite"))
        .unwrap()
        .all_entries()
        .unwrap();
    assert_eq!(on_hub.len(), ENTRIES as usize);
    assert_eq!(on_hub, on_kiosk);

    // The authority's views.
    let out = run(&["hub", "status", "--db", &path("hub.sqlite")]);
    let status = text(&out.stdout);
    let row = status.lines().find(|l| l.contains("k1")).unwrap();
    assert!(
        row.contains("v1") && row.trim_end().ends_with(&ENTRIES.to_string()),
        "{status}"
    );
    assert!(status.contains("trust list seq 2"), "{status}");
    let out = run(&[
        "hub",
        "export",
        "--db",
        &path("hub.sqlite"),
        "--venue",
        "v1",
        "--date",
        "2026-11-28",
        "--format",
        "csv",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).lines().count(), ENTRIES as usize + 1);
    let out = run(&[
        "hub",
        "export",
        "--db",
        &path("hub.sqlite"),
        "--venue",
        "v1",
        "--date",
        "2026-11-28",
        "--format",
        "xlsx",
        "--out",
        &path("day.xlsx"),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(std::fs::metadata(d.join("day.xlsx")).unwrap().len() > 0);
    hub.stop();
}
