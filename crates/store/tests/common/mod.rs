//! Helpers shared by the store's integration tests.
#![allow(clippy::unwrap_used, dead_code)] // test helpers: may panic, not all used by every test

use chrono::{DateTime, TimeZone, Utc};
use passgate_store::{Colour, Kind, NewEntry, Outcome, Store, Tz};
use tempfile::TempDir;

/// The venue time zone used by the tests.
pub const TZ: Tz = chrono_tz::Asia::Shanghai;

/// A fresh store in a temp dir (the dir lives as long as the returned guard).
pub fn temp_store() -> (TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("kiosk.sqlite")).unwrap();
    (dir, store)
}

/// A UTC instant.
pub fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
}

/// An admitted green-code scan.
pub fn admit(name: &str) -> NewEntry {
    NewEntry {
        venue_id: "venue-1".into(),
        device_id: "kiosk-1".into(),
        tz: TZ,
        kind: Kind::Scan,
        outcome: Outcome::Admit,
        reason_code: "ok".into(),
        reason_text: "Admitted".into(),
        colour: Some(Colour::Green),
        issuer: Some("CN-LN".into()),
        subject: Some(format!("subj-{name}")),
        masked_name: Some(name.into()),
        temperature: Some(36.6),
        pass_id: Some("0123456789abcdef0123456789abcdef".into()),
    }
}

/// A denial with the given reason code.
pub fn deny(name: &str, code: &str) -> NewEntry {
    NewEntry {
        outcome: Outcome::Deny,
        reason_code: code.into(),
        reason_text: format!("Denied: {code}"),
        ..admit(name)
    }
}
