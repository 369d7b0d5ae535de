//! The kiosk service with its real parts: demo keys and passes, a real
//! SQLite file in a temp dir, the real gate, and (for the replay test) the
//! real frame source and QR reader.

use std::path::Path;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use passgate_kiosk::view::{
    Cleared, ExportFormat, ExportRequest, LogQuery, PinChange, StatusView, VerdictKind, VerdictView,
};
use passgate_kiosk::{Error, EventSink, Kiosk, KioskConfig, StartOptions, demo};

struct Events(Mutex<Sender<VerdictView>>);

impl EventSink for Events {
    fn verdict(&self, v: &VerdictView) {
        let _ = self.0.lock().expect("lock").send(v.clone());
    }
    fn cleared(&self, _: &Cleared) {}
    fn status(&self, _: &StatusView) {}
}

fn start(dir: &Path, source: &str) -> (Kiosk, Receiver<VerdictView>, demo::DemoPasses) {
    let passes = demo::create(&dir.join("demo"), Utc::now()).expect("demo files");
    let (kiosk, rx) = start_with(dir, source);
    (kiosk, rx, passes)
}

fn start_with(dir: &Path, source: &str) -> (Kiosk, Receiver<VerdictView>) {
    start_at(dir, source, 5)
}

fn start_at(dir: &Path, source: &str, fps: u32) -> (Kiosk, Receiver<VerdictView>) {
    let text = format!(
        "[venue]\nid = \"v1\"\ndevice = \"k1\"\ntime_zone = \"Asia/Shanghai\"\n\
         [trust]\nroot_public_key = \"demo/root.pub\"\ninitial_trust_list = \"demo/trust.json\"\n\
         [camera]\nsource = \"{source}\"\nwidth = 640\nheight = 480\nfps = {fps}\n\
         [storage]\ndatabase = \"k.sqlite\"\n[manager]\ninitial_pin = \"1234\"\n"
    );
    std::fs::write(dir.join("kiosk.toml"), text).expect("write config");
    let config = KioskConfig::load(&dir.join("kiosk.toml")).expect("config");
    let (tx, rx) = channel();
    let kiosk = Kiosk::start(
        config,
        StartOptions::default(),
        Arc::new(Events(Mutex::new(tx))),
    )
    .expect("kiosk starts");
    (kiosk, rx)
}

#[test]
fn a_green_pass_waits_for_a_temperature_and_is_recorded_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (kiosk, _rx, passes) = start(dir.path(), "camera:97");
    let snap = kiosk.snapshot().expect("snapshot");
    assert_eq!(snap.status.camera.source, "camera:97");
    assert!(snap.settings.default_pin);

    let amber = kiosk
        .submit_wedge(&passes.green)
        .expect("decided")
        .expect("a verdict");
    assert_eq!(amber.kind, VerdictKind::NeedsTemperature);
    assert!(!amber.recorded);
    assert_eq!(
        kiosk.submit_wedge(&passes.green).expect("ok"),
        None,
        "the held pass seen again does not start a new hold"
    );
    assert!(matches!(
        kiosk.record_temperature(99.0),
        Err(Error::BadInput(_))
    ));

    let admit = kiosk.record_temperature(36.6).expect("admitted");
    assert_eq!(
        (admit.kind, admit.recorded, admit.temperature),
        (VerdictKind::Admit, true, Some(36.6))
    );
    assert_eq!(admit.masked_name.as_deref(), Some("刘*爽"));
    assert_eq!(
        kiosk.submit_wedge(&passes.green).expect("ok"),
        None,
        "repeat within the cooldown"
    );
    assert!(matches!(
        kiosk.record_temperature(36.6),
        Err(Error::BadInput(_))
    ));

    let forged = kiosk
        .submit_wedge(&passes.forged)
        .expect("ok")
        .expect("verdict");
    assert_eq!(
        (forged.kind, forged.reason_code.as_str()),
        (VerdictKind::Deny, "bad_signature")
    );
    assert!(forged.recorded);
    let status = kiosk.snapshot().expect("snapshot").status;
    assert_eq!((status.counters.admitted, status.counters.denied), (1, 1));
    assert_eq!(status.sync.backlog, 2, "both entries wait in the outbox");
}

#[test]
fn a_different_pass_replaces_the_held_one_which_can_then_come_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (kiosk, _rx, passes) = start(dir.path(), "camera:97");
    let amber = kiosk
        .submit_wedge(&passes.green)
        .expect("ok")
        .expect("hold");
    let deny = kiosk
        .submit_wedge(&passes.yellow)
        .expect("ok")
        .expect("the yellow pass is decided while the green one is held");
    assert_eq!(
        (deny.kind, deny.reason_code.as_str()),
        (VerdictKind::Deny, "code_yellow")
    );
    assert!(deny.seq > amber.seq);
    assert!(
        matches!(kiosk.record_temperature(36.6), Err(Error::BadInput(_))),
        "the replaced hold is gone"
    );
    let again = kiosk
        .submit_wedge(&passes.green)
        .expect("ok")
        .expect("the replaced pass was never recorded, so it is not a repeat");
    assert_eq!(again.kind, VerdictKind::NeedsTemperature);
    let admit = kiosk.record_temperature(36.6).expect("admitted");
    assert_eq!(admit.kind, VerdictKind::Admit);
    assert_eq!(
        kiosk.submit_wedge(&passes.yellow).expect("ok"),
        None,
        "the yellow pass was recorded: a repeat within the cooldown"
    );
    let status = kiosk.snapshot().expect("snapshot").status;
    assert_eq!((status.counters.admitted, status.counters.denied), (1, 1));
}

/// Two green passes in one picture (two phones held up together): one of
/// them is held for a temperature and stays on screen while it is in view;
/// the other code does not swap the banner back and forth. The forged pass
/// alone (the visitors stepped away) then replaces the hold.
#[test]
fn a_second_code_in_view_does_not_swap_the_held_pass_back_and_forth() {
    let dir = tempfile::tempdir().expect("temp dir");
    let frames = dir.path().join("frames");
    std::fs::create_dir_all(&frames).expect("frames dir");
    let passes = demo::create(&dir.path().join("demo"), Utc::now()).expect("demo files");
    let issuer_text =
        std::fs::read_to_string(dir.path().join("demo/issuer.key")).expect("demo issuer key");
    let issuer = passgate_pass::keys::parse_secret_key(&issuer_text).expect("issuer key");
    let now = Utc::now();
    let claims = passgate_pass::Claims {
        iss: passgate_pass::IssuerId::new(demo::DEMO_ISSUER).expect("issuer id"),
        iat: now,
        exp: now + chrono::TimeDelta::days(30),
        nbf: None,
        pass_id: passgate_pass::PassId::from_bytes([7; 16]),
        health: passgate_pass::HealthClaim {
            status: passgate_pass::CodeColour::Green,
            subject: "second-green".into(),
            masked_name: "周*杰".into(),
        },
    };
    let second = passgate_pass::issue(&issuer, &claims).expect("second green pass");
    let left = demo::scene_luma(&passes.green, 640, 480).expect("scene");
    let right = demo::scene_luma(&second, 640, 480).expect("scene");
    let forged = demo::scene_luma(&passes.forged, 1280, 480).expect("scene");
    // A light moving over the top edge makes every frame differ from the
    // last, so each one is read. Two seconds of both phones (5 fps), then
    // two seconds of a forged pass alone end the replay.
    for i in 0..20u32 {
        let mut frame = if i < 10 {
            let mut f = image::GrayImage::new(1280, 480);
            image::imageops::replace(&mut f, &left, 0, 0);
            image::imageops::replace(&mut f, &right, 640, 0);
            f
        } else {
            forged.clone()
        };
        for y in 0..16 {
            for x in 0..64 {
                frame.put_pixel(i * 64 + x, y, image::Luma([255]));
            }
        }
        frame
            .save(frames.join(format!("{i:02}.png")))
            .expect("frame");
    }
    let (_kiosk, rx) = start_with(dir.path(), "images:frames");
    let mut amber = Vec::new();
    loop {
        let v = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("verdicts up to the forged pass");
        if v.reason_code == "bad_signature" {
            break;
        }
        assert_eq!(v.kind, VerdictKind::NeedsTemperature, "{v:?}");
        amber.push(v.masked_name.unwrap_or_default());
    }
    // The first frame decides both codes (the second replaces the first's
    // hold); from then on the held pass stands. Never back and forth.
    let mut distinct = amber.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        amber.len(),
        "a pass shown amber twice: {amber:?}"
    );
    assert!(!amber.is_empty());
}

#[test]
fn a_fever_is_denied_and_recorded_with_the_temperature() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (kiosk, _rx, passes) = start(dir.path(), "camera:97");
    kiosk.submit_wedge(&passes.green).expect("ok");
    let v = kiosk.record_temperature(38.2).expect("decided");
    assert_eq!(
        (v.kind, v.reason_code.as_str(), v.temperature),
        (VerdictKind::Deny, "fever", Some(38.2))
    );
    assert!(v.recorded);
}

#[test]
fn the_manager_needs_the_pin_and_sees_and_exports_the_log() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (kiosk, _rx, passes) = start(dir.path(), "camera:97");
    kiosk.submit_wedge(&passes.expired).expect("ok");
    kiosk.submit_wedge(&passes.red).expect("ok");
    let q = LogQuery {
        day: String::new(),
        search: String::new(),
        page: 0,
        page_size: 10,
    };
    assert!(matches!(kiosk.list_entries(&q), Err(Error::Locked)));
    assert!(matches!(
        kiosk.unlock_manager("0000"),
        Err(Error::WrongPin { .. })
    ));
    assert!(matches!(kiosk.list_entries(&q), Err(Error::Locked)));
    kiosk.unlock_manager("1234").expect("right PIN");

    let page = kiosk.list_entries(&q).expect("log");
    assert_eq!(page.total, 2);
    let codes: Vec<&str> = page.rows.iter().map(|r| r.reason_code.as_str()).collect();
    assert_eq!(codes, vec!["expired", "code_red"]);
    let found = kiosk
        .list_entries(&LogQuery {
            search: "code_red".into(),
            ..q.clone()
        })
        .expect("search");
    assert_eq!(found.total, 1);
    let hours = kiosk.hourly_counts("").expect("hourly");
    assert_eq!(hours.len(), 24);
    assert_eq!(hours.iter().map(|h| h.denied).sum::<u32>(), 2);

    let out = kiosk
        .export_day(&ExportRequest {
            day: String::new(),
            format: ExportFormat::Csv,
        })
        .expect("export");
    assert_eq!(out.rows, 2);
    let csv = std::fs::read_to_string(&out.path).expect("csv file");
    assert_eq!(csv.lines().count(), 3, "header and two rows: {csv}");
    assert!(csv.contains("code_red") && csv.contains("expired"));
    let xlsx = kiosk
        .export_day(&ExportRequest {
            day: String::new(),
            format: ExportFormat::Xlsx,
        })
        .expect("xlsx");
    assert!(std::fs::metadata(&xlsx.path).expect("xlsx file").len() > 0);
    assert!(matches!(
        kiosk.list_entries(&LogQuery {
            day: "yesterday".into(),
            ..q.clone()
        }),
        Err(Error::BadInput(_))
    ));

    let bad = PinChange {
        current: "9999".into(),
        new: "5678".into(),
    };
    assert!(matches!(
        kiosk.change_pin(&bad),
        Err(Error::WrongPin { .. })
    ));
    kiosk
        .change_pin(&PinChange {
            current: "1234".into(),
            new: "5678".into(),
        })
        .expect("PIN changed");
    assert!(!kiosk.snapshot().expect("snapshot").settings.default_pin);
    kiosk.lock_manager();
    assert!(matches!(
        kiosk.unlock_manager("1234"),
        Err(Error::WrongPin { .. })
    ));
    kiosk.unlock_manager("5678").expect("new PIN works");
}

#[test]
fn settings_are_checked_and_kept() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (kiosk, _rx, passes) = start(dir.path(), "camera:97");
    kiosk.unlock_manager("1234").expect("PIN");
    let mut s = kiosk.settings().expect("settings");
    s.fever_threshold_c = 45.0;
    assert!(matches!(kiosk.update_settings(&s), Err(Error::BadInput(_))));
    s.fever_threshold_c = 36.5;
    s.language = "en".into();
    kiosk.update_settings(&s).expect("saved");
    kiosk.submit_wedge(&passes.green).expect("ok");
    let v = kiosk.record_temperature(36.6).expect("decided");
    assert_eq!(v.reason_code, "fever", "the new threshold applies at once");
    assert_eq!(kiosk.snapshot().expect("snapshot").settings.language, "en");
}

#[test]
fn a_replayed_forged_pass_is_read_from_frames_and_denied() {
    let dir = tempfile::tempdir().expect("temp dir");
    let frames = dir.path().join("frames");
    std::fs::create_dir_all(&frames).expect("frames dir");
    let passes = demo::create(&dir.path().join("demo"), Utc::now()).expect("demo files");
    demo::write_scene_png(&passes.forged, 640, 480, &frames.join("0.png")).expect("frame");
    let (kiosk, rx) = start_with(dir.path(), "images:frames");
    let v = loop {
        let v = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("a verdict from the frames");
        if v.reason_code == "bad_signature" {
            break v;
        }
    };
    assert_eq!(v.kind, VerdictKind::Deny);
    assert!(v.recorded);
    assert_eq!(
        kiosk.snapshot().expect("snapshot").status.counters.denied,
        1
    );
}

/// Regression: a replay was read latest-frame-wins, so a pass shown for one
/// frame between blank frames could be skipped by a slow reader.
#[test]
fn every_replayed_pass_between_blank_frames_gets_its_own_verdict() {
    let dir = tempfile::tempdir().expect("temp dir");
    let frames = dir.path().join("frames");
    std::fs::create_dir_all(&frames).expect("frames dir");
    let passes = demo::create(&dir.path().join("demo"), Utc::now()).expect("demo files");
    let shown = [&passes.forged, &passes.yellow, &passes.expired, &passes.red];
    for (i, text) in shown.iter().enumerate() {
        demo::write_scene_png(text, 640, 480, &frames.join(format!("{i}a.png"))).expect("frame");
        demo::blank_luma(640, 480)
            .save(frames.join(format!("{i}b.png")))
            .expect("blank frame");
    }
    // 120 fps: far faster than the reader, so a live source would drop most frames.
    let (_kiosk, rx) = start_at(dir.path(), "images:frames", 120);
    let mut got: Vec<String> = (0..shown.len())
        .map(|_| {
            rx.recv_timeout(Duration::from_secs(60))
                .expect("a verdict for each pass")
                .reason_code
        })
        .collect();
    got.sort();
    assert_eq!(got, ["bad_signature", "code_red", "code_yellow", "expired"]);
}
