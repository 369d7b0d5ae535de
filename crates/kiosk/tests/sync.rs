//! The kiosk service against a real hub on 127.0.0.1 (`passgate_hub::run`
//! on port 0, its own SQLite file): an entry the kiosk records reaches the
//! hub, and a newer trust list published on the hub is used by the kiosk's
//! next decision. Nothing is mocked: real sockets, real SQLite files, the
//! real sync loop started by `Kiosk::start`.

use std::path::Path;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, SubsecRound, TimeDelta, Utc};
use passgate_hub::{HubConfig, HubState, HubStorage, SqliteStorage, create_enrol_token};
use passgate_kiosk::view::{Cleared, StatusView, VerdictKind, VerdictView};
use passgate_kiosk::{EventSink, Kiosk, KioskConfig, StartOptions, demo};
use passgate_pass::keys::{parse_secret_key, signing_key_from_seed};
use passgate_pass::{
    Claims, CodeColour, HealthClaim, IssuerDraft, IssuerId, PassId, SigningKey, TrustListDraft,
    issue,
};
use passgate_store::Store;
use passgate_sync::ClientOptions;

struct Statuses(Mutex<Sender<StatusView>>);

impl EventSink for Statuses {
    fn verdict(&self, _: &VerdictView) {}
    fn cleared(&self, _: &Cleared) {}
    fn status(&self, s: &StatusView) {
        if let Ok(tx) = self.0.lock() {
            let _ = tx.send(s.clone());
        }
    }
}

/// The first status the kiosk reports that satisfies `ok`.
fn wait_status(rx: &Receiver<StatusView>, what: &str, ok: impl Fn(&StatusView) -> bool) {
    loop {
        let s = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no status with {what} within a minute"));
        if ok(&s) {
            return;
        }
    }
}

/// A hub on 127.0.0.1:0 in its own runtime; stops when dropped.
struct Hub {
    runtime: tokio::runtime::Runtime,
    storage: Arc<SqliteStorage>,
    url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Hub {
    fn start(dir: &Path) -> Hub {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let storage = Arc::new(SqliteStorage::open(dir.join("hub.sqlite")).expect("hub db"));
        let state = HubState::new(storage.clone(), HubConfig::default());
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        runtime.spawn(passgate_hub::run(
            listener,
            async move {
                let _ = rx.await;
            },
            state,
        ));
        Hub {
            runtime,
            storage,
            url,
            stop: Some(tx),
        }
    }

    /// Enrols the kiosk database at `db` as device `k1` of venue `v1`.
    fn enrol(&self, db: &Path) {
        let token =
            create_enrol_token(self.storage.as_ref(), "v1", TimeDelta::hours(1), Utc::now())
                .expect("token");
        let mut store = Store::open(db).expect("kiosk db");
        self.runtime
            .block_on(passgate_sync::enrol(
                &mut store,
                &self.url,
                &token,
                "k1",
                "v1",
                ClientOptions::default(),
            ))
            .expect("enrolled");
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

fn green_pass(issuer: &SigningKey, iss: &IssuerId, name: &str, now: DateTime<Utc>) -> String {
    let claims = Claims {
        iss: iss.clone(),
        iat: now - TimeDelta::minutes(1),
        exp: now + TimeDelta::days(30),
        nbf: None,
        pass_id: PassId::from_bytes([9; 16]),
        health: HealthClaim {
            status: CodeColour::Green,
            subject: "regional-visitor".into(),
            masked_name: name.into(),
        },
    };
    issue(issuer, &claims).expect("pass")
}

#[test]
fn an_entry_reaches_the_hub_and_a_newer_trust_list_decides_the_next_pass() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let now = Utc::now().trunc_subsecs(0);
    let passes = demo::create(&d.join("demo"), now).expect("demo files");
    let hub = Hub::start(d);
    hub.enrol(&d.join("k.sqlite"));
    let config = format!(
        "[venue]\nid = \"v1\"\ndevice = \"k1\"\ntime_zone = \"Asia/Shanghai\"\n\
         [trust]\nroot_public_key = \"demo/root.pub\"\ninitial_trust_list = \"demo/trust.json\"\n\
         [policy]\ncooldown_seconds = 0\n\
         [camera]\nsource = \"camera:97\"\n\
         [storage]\ndatabase = \"k.sqlite\"\n\
         [sync]\nhub_url = \"{}\"\ninterval_seconds = 1\nbatch_size = 50\n",
        hub.url
    );
    std::fs::write(d.join("kiosk.toml"), config).expect("config");
    let config = KioskConfig::load(&d.join("kiosk.toml")).expect("config loads");
    let (tx, rx) = channel();
    let kiosk = Kiosk::start(
        config,
        StartOptions::default(),
        Arc::new(Statuses(Mutex::new(tx))),
    )
    .expect("kiosk starts");

    // An entry recorded by the kiosk reaches the hub, once, unchanged.
    let denied = kiosk
        .submit_wedge(&passes.forged)
        .expect("decided")
        .expect("a verdict");
    assert!(denied.recorded);
    kiosk.sync_now();
    wait_status(&rx, "the entry uploaded", |s| {
        s.counters.denied == 1 && s.sync.online && s.sync.backlog == 0
    });
    let ours = Store::open(d.join("k.sqlite"))
        .expect("kiosk db")
        .day_entries(passgate_store::local_day(now, chrono_tz::Asia::Shanghai))
        .expect("kiosk entries");
    assert_eq!(ours.len(), 1);
    assert_eq!(hub.storage.all_entries().expect("hub entries"), ours);
    let status = kiosk.snapshot().expect("snapshot").status;
    assert!(status.sync.enabled && status.sync.enrolled && status.sync.online);
    assert!(status.sync.last_success.is_some());
    assert_eq!(status.clock_warning, None, "same clock as the hub");
    assert_eq!(status.trust_list_seq, Some(1));

    // A pass from an issuer the kiosk does not know yet is denied...
    let new_issuer = signing_key_from_seed([77; 32]);
    let iss = IssuerId::new("CN-NEW").expect("issuer id");
    let pass = green_pass(&new_issuer, &iss, "周*杰", now);
    let before = kiosk
        .submit_wedge(&pass)
        .expect("decided")
        .expect("a verdict");
    assert_eq!(
        (before.kind, before.reason_code.as_str()),
        (VerdictKind::Deny, "unknown_issuer")
    );

    // ...until the authority publishes a trust list (seq 2) that has it.
    let root_text = std::fs::read_to_string(d.join("demo/root.key")).expect("demo root key");
    let root = parse_secret_key(&root_text).expect("root key");
    let list = TrustListDraft {
        seq: 2,
        issued_at: now - TimeDelta::hours(1),
        expires_at: now + TimeDelta::days(30),
        issuers: vec![IssuerDraft {
            iss,
            name: "New region".into(),
            public_key: new_issuer.verifying_key(),
            not_before: now - TimeDelta::days(1),
            not_after: now + TimeDelta::days(30),
        }],
    }
    .sign(&root)
    .expect("signed list");
    passgate_hub::publish(
        hub.storage.as_ref() as &dyn HubStorage,
        &root.verifying_key(),
        Some(&list),
        None,
        Utc::now(),
    )
    .expect("published");
    kiosk.sync_now();
    wait_status(&rx, "trust list seq 2", |s| s.trust_list_seq == Some(2));

    let after = kiosk
        .submit_wedge(&pass)
        .expect("decided")
        .expect("a verdict");
    assert_eq!(after.kind, VerdictKind::NeedsTemperature);
    assert_eq!(after.issuer.as_deref(), Some("New region"));
    let admitted = kiosk.record_temperature(36.6).expect("admitted");
    assert_eq!(admitted.kind, VerdictKind::Admit);
    // The demo issuer is not in list 2: its passes are refused from now on.
    assert_eq!(
        kiosk
            .submit_wedge(&passes.yellow)
            .expect("decided")
            .expect("a verdict")
            .reason_code,
        "unknown_issuer"
    );
    kiosk.sync_now();
    wait_status(&rx, "all four entries uploaded", |s| {
        s.counters.denied == 3 && s.counters.admitted == 1 && s.sync.backlog == 0
    });
    assert_eq!(hub.storage.all_entries().expect("hub entries").len(), 4);
}
