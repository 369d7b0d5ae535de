//! The running kiosk: one [`Kiosk`] value that a user interface holds and
//! calls. It owns the threads (frames + reader, preview, thermometer,
//! timer), the store and the flow, and reports to the screen through an
//! [`EventSink`]. Decisions are made under one lock, in arrival order.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use passgate_gate::{TrustState as GateTrust, VenuePolicy, Verdict, decide, is_repeat};
use passgate_pass::VerifyingKey;
use passgate_scan::{Delivery, Pipeline, PipelineEvent, Reader, ReaderConfig};
use passgate_store::{PinCheck, Store, local_day};
use passgate_sync::{SyncHandle, SyncOptions, SyncStatus, SystemClock};

use crate::config::{KioskConfig, LANGUAGES, valid_source};
use crate::decision::{Origin, entry_of, policy_in, policy_of, view_of};
use crate::error::{Error, Result};
use crate::flow::{Admission, Flow, frame_scans};
use crate::frames::{CaptureTimes, Tapped, choose};
use crate::preview::{Credit, Slot, Throttle};
use crate::scene::{SceneConfig, SceneGate};
use crate::view::{
    CameraState, CameraStatus, Cleared, Counters, ExportFormat, ExportRequest, ExportResult,
    HourCount, InputKind, LogPage, LogQuery, LogRow, PinChange, SettingsView, Snapshot, StatusView,
    SyncView, ThermometerStatus, TrustState, UiSettings, VerdictView,
};

/// Where the kiosk reports what the screen must show.
pub trait EventSink: Send + Sync + 'static {
    /// A verdict (or an amber hold) to show now.
    fn verdict(&self, verdict: &VerdictView);
    /// The verdict on screen went away without a new one.
    fn cleared(&self, cleared: &Cleared);
    /// The status bar changed.
    fn status(&self, status: &StatusView);
}

/// Where preview frames go; returns false once the screen stopped listening.
pub trait PreviewSink: Send + 'static {
    /// Sends one encoded preview frame (see [`crate::view::PREVIEW_HEADER_BYTES`]).
    fn send(&mut self, frame: Vec<u8>) -> bool;
}

/// Choices made at start, beside `kiosk.toml`.
#[derive(Debug, Clone, Default)]
pub struct StartOptions {
    /// Replaces `camera.source` (the app's `--source`).
    pub source: Option<String>,
}

/// How long the manager screen stays unlocked without a command.
pub const MANAGER_IDLE: Duration = Duration::from_secs(15 * 60);
/// A thermometer reading this recent is used for a pass scanned after it.
pub const READING_FRESH: TimeDelta = TimeDelta::seconds(20);

/// The shortest time between two status events caused by verdicts.
const STATUS_EVERY: Duration = Duration::from_millis(250);
/// How long the preview waits for the screen to draw the last frame before
/// it sends the next one anyway.
const PREVIEW_ACK_WAIT: Duration = Duration::from_secs(1);
const SET_FEVER: &str = crate::decision::SETTING_FEVER;
const SET_COOLDOWN: &str = "kiosk.cooldown_seconds";
const SET_LANGUAGE: &str = "kiosk.language";
const SET_CAMERA: &str = "kiosk.camera_source";
const SET_PIN_INITIAL: &str = "kiosk.pin_is_initial";

type Held = (String, InputKind);

struct Engine {
    store: Store,
    root: VerifyingKey,
    trust: GateTrust,
    trust_fetched: Option<DateTime<Utc>>,
    policy: VenuePolicy,
    origin: Origin,
    cooldown: TimeDelta,
    seen: HashMap<String, DateTime<Utc>>,
    flow: Flow<Held>,
    camera: CameraStatus,
    camera_source: String,
    sync: SyncView,
    thermometer: Option<ThermometerStatus>,
    last_reading: Option<(f32, DateTime<Utc>)>,
    manager_until: Option<Instant>,
    language: String,
    latencies: Vec<f64>,
}

struct Inner {
    config: KioskConfig,
    events: Arc<dyn EventSink>,
    engine: Mutex<Engine>,
    preview: Arc<Mutex<Option<Box<dyn PreviewSink>>>>,
    preview_credit: Credit,
    /// A status change not yet sent (sent at most every [`STATUS_EVERY`]).
    status_dirty: AtomicBool,
    status_sent: Mutex<Instant>,
    times: Arc<CaptureTimes>,
    gate: Arc<Mutex<SceneGate>>,
    sync: Mutex<Option<SyncHandle>>,
}

/// The kiosk service.
#[derive(Clone)]
pub struct Kiosk {
    inner: Arc<Inner>,
}

fn import_initial(
    store: &mut Store,
    config: &KioskConfig,
    root: &VerifyingKey,
    now: DateTime<Utc>,
) {
    let file = config.trust.initial_trust_list.trim();
    if file.is_empty() {
        return;
    }
    let path = config.resolve(file);
    match std::fs::read(&path) {
        Ok(bytes) => match store.save_trust_list(&bytes, root, now) {
            Ok(list) => log::info!("trust list seq {} from {}", list.seq(), path.display()),
            Err(e) => log::warn!("initial trust list {} not used: {e}", path.display()),
        },
        Err(e) => log::warn!("cannot read the initial trust list {}: {e}", path.display()),
    }
    let file = config.trust.initial_revocations.trim();
    if !file.is_empty() {
        let path = config.resolve(file);
        match std::fs::read(&path) {
            Ok(bytes) => {
                if let Err(e) = store.save_revocations(&bytes, root, now) {
                    log::warn!("initial revocations {} not used: {e}", path.display());
                }
            }
            Err(e) => log::warn!(
                "cannot read the initial revocations {}: {e}",
                path.display()
            ),
        }
    }
}

fn setting<T: std::str::FromStr>(store: &Store, key: &str) -> Option<T> {
    store
        .setting(key)
        .ok()
        .flatten()
        .and_then(|v| v.parse().ok())
}

fn store_err(what: &str) -> impl FnOnce(passgate_store::Error) -> Error + '_ {
    move |e| Error::internal(what, e)
}

impl Kiosk {
    /// Starts the kiosk: creates demo files when asked, opens the store,
    /// imports the initial trust documents, starts the frame source, the
    /// reader and the thermometer. A missing camera is a status, not an error.
    pub fn start(
        config: KioskConfig,
        options: StartOptions,
        events: Arc<dyn EventSink>,
    ) -> Result<Self> {
        let now = Utc::now();
        let demo = crate::demo::ensure(&config, now)?;
        let root = crate::preflight::root_key(&config)?;
        let db = config.database_path();
        let mut store = Store::open(&db).map_err(|e| {
            Error::internal(format!("cannot open the database {}", db.display()), e)
        })?;
        import_initial(&mut store, &config, &root, now);
        if !store
            .has_pin()
            .map_err(store_err("cannot read the manager PIN"))?
        {
            store
                .set_pin(&config.manager.initial_pin)
                .and_then(|()| store.set_setting(SET_PIN_INITIAL, "true"))
                .map_err(store_err("cannot set the initial manager PIN"))?;
        }
        let policy = policy_in(&config, &store);
        let cooldown = setting(&store, SET_COOLDOWN).unwrap_or(config.policy.cooldown_seconds);
        let language = setting(&store, SET_LANGUAGE).unwrap_or_else(|| config.ui.language.clone());
        let camera_source = options
            .source
            .clone()
            .or_else(|| setting(&store, SET_CAMERA))
            .unwrap_or_else(|| config.camera.source.clone());
        let thermometer = (!config.thermometer.serial_port.is_empty()).then(|| ThermometerStatus {
            port: config.thermometer.serial_port.clone(),
            connected: false,
            last_reading: None,
        });
        let mut engine = Engine {
            store,
            root,
            trust: GateTrust::default(),
            trust_fetched: None,
            policy,
            origin: Origin::of(&config),
            cooldown: TimeDelta::seconds(i64::from(cooldown)),
            seen: HashMap::new(),
            flow: Flow::new(Duration::from_secs(u64::from(
                config.ui.temperature_timeout_seconds,
            ))),
            camera: CameraStatus {
                state: CameraState::Ok,
                source: camera_source.clone(),
                detail: None,
            },
            camera_source: camera_source.clone(),
            sync: SyncView {
                enabled: !config.sync.hub_url.trim().is_empty(),
                ..crate::sync::disabled()
            },
            thermometer,
            last_reading: None,
            manager_until: None,
            language,
            latencies: Vec::new(),
        };
        engine.reload_trust();
        let chosen = choose(&camera_source, &config, demo.as_ref());
        engine.camera = CameraStatus {
            state: if chosen.missing.is_some() {
                CameraState::Missing
            } else {
                CameraState::Ok
            },
            source: chosen.name.clone(),
            detail: chosen.missing.clone(),
        };
        let kiosk = Kiosk {
            inner: Arc::new(Inner {
                config,
                events,
                engine: Mutex::new(engine),
                preview: Arc::new(Mutex::new(None)),
                preview_credit: Credit::default(),
                status_dirty: AtomicBool::new(false),
                status_sent: Mutex::new(Instant::now()),
                times: Arc::new(CaptureTimes::default()),
                gate: Arc::new(Mutex::new(SceneGate::new(SceneConfig::default()))),
                sync: Mutex::new(None),
            }),
        };
        if let Some(source) = chosen.source {
            kiosk.spawn_frames(source, chosen.delivery, chosen.missing.is_some());
        }
        kiosk.spawn_thermometer();
        kiosk.spawn_timer();
        kiosk.start_sync()?;
        Ok(kiosk)
    }

    /// Starts the upload / download loop when `[sync] hub_url` is set. Its
    /// status feeds the status bar; newer trust documents it stored are
    /// loaded for the next decision.
    fn start_sync(&self) -> Result<()> {
        let c = &self.inner.config;
        if c.sync.hub_url.trim().is_empty() {
            return Ok(());
        }
        let root = self.engine()?.root;
        let options = SyncOptions {
            hub_url: Some(c.sync.hub_url.trim().to_string()),
            interval: Duration::from_secs(u64::from(c.sync.interval_seconds)),
            batch_size: c.sync.batch_size as usize,
            ..SyncOptions::new(c.database_path(), root)
        };
        // Weak: the loop's callback must not keep the kiosk alive.
        let weak: Weak<Inner> = Arc::downgrade(&self.inner);
        let handle = SyncHandle::start(
            options,
            Arc::new(SystemClock),
            Arc::new(move |status: &SyncStatus| {
                if let Some(inner) = weak.upgrade() {
                    Kiosk { inner }.on_sync(status);
                }
            }),
        )
        .map_err(|e| Error::internal("cannot start the sync loop", e))?;
        if let Ok(mut slot) = self.inner.sync.lock() {
            *slot = Some(handle);
        }
        Ok(())
    }

    fn on_sync(&self, status: &SyncStatus) {
        if let Ok(mut e) = self.engine() {
            e.sync = crate::sync::view_of(status);
            if crate::sync::documents_changed(&e.trust, status) {
                e.reload_trust();
            }
        }
        self.emit_status();
    }

    /// Starts a sync round now (no-op without a hub).
    pub fn sync_now(&self) {
        if let Ok(slot) = self.inner.sync.lock()
            && let Some(handle) = slot.as_ref()
        {
            handle.sync_now();
        }
    }

    fn engine(&self) -> Result<MutexGuard<'_, Engine>> {
        self.inner.engine.lock().map_err(|_| {
            Error::internal(
                "the kiosk stopped after an internal error",
                "engine lock poisoned",
            )
        })
    }

    fn spawn_frames(
        &self,
        source: Box<dyn passgate_scan::FrameSource>,
        delivery: Delivery,
        fallback: bool,
    ) {
        let slot: Slot<Vec<u8>> = Slot::default();
        let tapped = Tapped {
            inner: source,
            preview: slot.clone(),
            times: self.inner.times.clone(),
            throttle: Throttle::default(),
            gate: self.inner.gate.clone(),
        };
        let preview = self.inner.preview.clone();
        let credit = self.inner.preview_credit.clone();
        let spawned = std::thread::Builder::new()
            .name("preview".into())
            .spawn(move || {
                while let Some(bytes) = slot.take() {
                    // The latest frame is taken again once the screen is ready.
                    let bytes = if credit.take_within(PREVIEW_ACK_WAIT) {
                        slot.take_now().unwrap_or(bytes)
                    } else {
                        bytes
                    };
                    if let Ok(mut p) = preview.lock()
                        && let Some(sink) = p.as_mut()
                        && !sink.send(bytes)
                    {
                        *p = None;
                    }
                }
            });
        if let Err(e) = spawned {
            log::error!("cannot start the preview thread: {e}");
        }
        let kiosk = self.clone();
        let spawned = std::thread::Builder::new()
            .name("kiosk-frames".into())
            .spawn(move || {
                let pipeline = Pipeline::spawn(
                    move || Box::new(tapped),
                    Reader::new(ReaderConfig::default()),
                    delivery,
                    Duration::from_secs(2),
                );
                for event in pipeline.events() {
                    kiosk.on_pipeline(event, fallback);
                }
            });
        if let Err(e) = spawned {
            log::error!("cannot start the frame thread: {e}");
        }
    }

    fn on_pipeline(&self, event: PipelineEvent, fallback: bool) {
        let camera = |state, detail: Option<String>| {
            if let Ok(mut e) = self.engine() {
                if fallback || e.camera.state == state && e.camera.detail == detail {
                    return;
                }
                e.camera.state = state;
                e.camera.detail = detail;
                drop(e);
                self.emit_status();
            }
        };
        match event {
            PipelineEvent::Read { seq, codes, .. } => {
                if let Ok(mut g) = self.inner.gate.lock() {
                    g.answered(seq, !codes.is_empty());
                }
                let held = match self.engine() {
                    Ok(mut e) => {
                        if codes.is_empty() {
                            e.flow.frame_empty();
                        }
                        e.flow.held().map(|h| h.pass.0.clone())
                    }
                    Err(_) => None,
                };
                let texts: Vec<&str> = codes
                    .iter()
                    .map(|c| c.text.trim_end_matches(['\r', '\n']))
                    .collect();
                let captured = self.inner.times.get(seq);
                for text in frame_scans(&texts, |t| held.as_deref() == Some(t)) {
                    if let Err(e) = self.handle_text(text, InputKind::Camera, captured) {
                        log::error!("scan not handled: {e}");
                    }
                }
            }
            PipelineEvent::SourceDown(why) => camera(CameraState::Missing, Some(why)),
            PipelineEvent::SourceUp => camera(CameraState::Ok, None),
            PipelineEvent::Finished { .. } => camera(CameraState::Finished, None),
        }
    }

    fn spawn_thermometer(&self) {
        let t = &self.inner.config.thermometer;
        if t.serial_port.is_empty() {
            return;
        }
        let pattern = match crate::thermometer::compile(&t.pattern) {
            Ok(p) => p,
            Err(e) => {
                log::error!("{e}");
                return;
            }
        };
        let (k1, k2) = (self.clone(), self.clone());
        crate::thermometer::spawn(
            self.inner.config.resolve(&t.serial_port),
            pattern,
            move |c| k1.on_reading(c),
            move |up| {
                if let Ok(mut e) = k2.engine()
                    && let Some(t) = e.thermometer.as_mut()
                {
                    t.connected = up;
                }
                k2.emit_status();
            },
        );
    }

    fn on_reading(&self, celsius: f32) {
        let held = match self.engine() {
            Ok(mut e) => {
                e.last_reading = Some((celsius, Utc::now()));
                if let Some(t) = e.thermometer.as_mut() {
                    t.last_reading = Some(celsius);
                }
                e.flow.held().is_some()
            }
            Err(_) => return,
        };
        if held {
            if let Err(e) = self.record_temperature(celsius) {
                log::error!("thermometer reading {celsius} not used: {e}");
            }
        } else {
            self.emit_status();
        }
    }

    fn spawn_timer(&self) {
        let kiosk = self.clone();
        let spawned = std::thread::Builder::new()
            .name("kiosk-timer".into())
            .spawn(move || {
                let mut last_status = Instant::now();
                let mut last_counts = Instant::now();
                loop {
                    std::thread::sleep(Duration::from_millis(250));
                    let _ = kiosk.tick(Instant::now());
                    if kiosk.inner.status_dirty.load(Ordering::Relaxed)
                        || last_status.elapsed() >= Duration::from_secs(5)
                    {
                        last_status = Instant::now();
                        kiosk.emit_status();
                    }
                    if last_counts.elapsed() >= Duration::from_secs(60) {
                        last_counts = Instant::now();
                        kiosk.log_frame_counts();
                    }
                }
            });
        if let Err(e) = spawned {
            log::error!("cannot start the timer thread: {e}");
        }
    }

    fn log_frame_counts(&self) {
        if let Ok(g) = self.inner.gate.lock() {
            let c = g.counts();
            log::info!(
                "frames read {}, skipped as unchanged {} ({:.0} % read)",
                c.read,
                c.skipped,
                100.0 * c.read as f64 / (c.read + c.skipped).max(1) as f64
            );
        }
    }

    fn emit_status(&self) {
        self.inner.status_dirty.store(false, Ordering::Relaxed);
        if let Ok(mut sent) = self.inner.status_sent.lock() {
            *sent = Instant::now();
        }
        let status = match self.engine() {
            Ok(mut e) => e.status(&self.inner.config, Utc::now()),
            Err(_) => return,
        };
        self.inner.events.status(&status);
    }

    /// Sends the status after a verdict, or leaves it to the timer when one
    /// went out less than [`STATUS_EVERY`] ago: a burst of verdicts does not
    /// become a burst of status events (each one a database query and a
    /// message the web view must process).
    fn status_changed(&self) {
        let recent = self
            .inner
            .status_sent
            .lock()
            .map(|t| t.elapsed() < STATUS_EVERY)
            .unwrap_or(false);
        if recent {
            self.inner.status_dirty.store(true, Ordering::Relaxed);
        } else {
            self.emit_status();
        }
    }

    /// Decides on one scanned text; `captured` is when its frame was taken.
    /// Returns the verdict shown, or `None` when the scan was a repeat
    /// within the cooldown or is the pass already held for a temperature.
    /// A different pass replaces a held one.
    pub fn handle_text(
        &self,
        text: &str,
        input: InputKind,
        captured: Option<Instant>,
    ) -> Result<Option<VerdictView>> {
        let text = text.trim_end_matches(['\r', '\n']);
        let now = Utc::now();
        let mut e = self.engine()?;
        let window = e.cooldown;
        let admission = e.flow.admit_scan(|held| held.0 == text);
        if admission == Admission::Held {
            // Still in front of the camera: the hold stands, no new banner.
            e.flow.saw_held(Instant::now());
            e.seen.insert(text.to_string(), now);
            return Ok(None);
        }
        if admission == Admission::Replace
            && input == InputKind::Camera
            && e.flow.held_in_view(Instant::now())
        {
            // Another code in the same picture (a second phone): the held
            // visitor is still there; this one is decided after the hold.
            return Ok(None);
        }
        let repeat = is_repeat(e.seen.get(text).copied(), now, window);
        e.seen.retain(|_, t| is_repeat(Some(*t), now, window));
        e.seen.insert(text.to_string(), now);
        if repeat {
            return Ok(None);
        }
        if admission == Admission::Replace
            && let Some(held) = e.flow.held().map(|h| h.pass.0.clone())
        {
            // The replaced pass was never recorded: shown again, it is
            // decided again instead of being taken for a repeat.
            e.seen.remove(&held);
        }
        let mut verdict = decide(text, &e.trust, &e.policy, now, None);
        let mut temperature = None;
        if matches!(verdict, Verdict::NeedsTemperature { .. })
            && let Some((c, at)) = e.last_reading
            && now.signed_duration_since(at) < READING_FRESH
        {
            e.last_reading = None;
            temperature = Some(c);
            verdict = decide(text, &e.trust, &e.policy, now, temperature);
        }
        let view = self.finish(&mut e, verdict, text, input, temperature, now);
        if let Some(at) = captured {
            e.note_latency(at.elapsed());
        }
        drop(e);
        self.inner.events.verdict(&view);
        self.status_changed();
        Ok(Some(view))
    }

    /// Records a final verdict (before saying so), or holds an amber one.
    fn finish(
        &self,
        e: &mut Engine,
        verdict: Verdict,
        text: &str,
        input: InputKind,
        temperature: Option<f32>,
        now: DateTime<Utc>,
    ) -> VerdictView {
        let recorded = match entry_of(&verdict, temperature, &e.origin) {
            None => false,
            Some(entry) => match e.store.record(&entry, now) {
                Ok(_) => true,
                Err(err) => {
                    log::error!("entry NOT recorded ({}): {err}", entry.reason_code);
                    false
                }
            },
        };
        let seq = e.flow.next_seq();
        let view = view_of(
            &verdict,
            temperature,
            seq,
            input,
            now,
            e.origin.tz,
            recorded,
        );
        e.flow.show(view, (text.to_string(), input), Instant::now())
    }

    /// What the attendant screen needs when it loads.
    pub fn snapshot(&self) -> Result<Snapshot> {
        let mut e = self.engine()?;
        let status = e.status(&self.inner.config, Utc::now());
        Ok(Snapshot {
            current: e.flow.current().cloned(),
            recent: e.flow.recent(),
            status,
            settings: self.ui_settings(&e),
        })
    }

    fn ui_settings(&self, e: &Engine) -> UiSettings {
        let c = &self.inner.config;
        UiSettings {
            language: e.language.clone(),
            verdict_seconds: c.ui.verdict_seconds,
            fever_threshold_c: e.policy.fever_threshold_c,
            venue_name: c.venue.name.clone(),
            default_pin: setting::<bool>(&e.store, SET_PIN_INITIAL).unwrap_or(false),
        }
    }

    /// A pass typed by a keyboard-wedge scanner.
    pub fn submit_wedge(&self, text: &str) -> Result<Option<VerdictView>> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Error::BadInput("the scanned text is empty".into()));
        }
        self.handle_text(text, InputKind::Wedge, None)
    }

    /// A temperature (keypad or thermometer) for the held pass.
    pub fn record_temperature(&self, celsius: f32) -> Result<VerdictView> {
        if !celsius.is_finite() || !(30.0..=45.0).contains(&celsius) {
            return Err(Error::BadInput(format!(
                "{celsius} °C is not a body temperature: measure again"
            )));
        }
        let now = Utc::now();
        let mut e = self.engine()?;
        let Some((text, input)) = e.flow.held().map(|h| h.pass.clone()) else {
            return Err(Error::BadInput(
                "no pass is waiting for a temperature".into(),
            ));
        };
        let verdict = decide(&text, &e.trust, &e.policy, now, Some(celsius));
        let view = self.finish(&mut e, verdict, &text, input, Some(celsius), now);
        e.seen.insert(text, now);
        drop(e);
        self.inner.events.verdict(&view);
        self.emit_status();
        Ok(view)
    }

    /// Drops the pass held for a temperature.
    pub fn cancel_pending(&self) -> Result<()> {
        let seq = self.engine()?.flow.cancel();
        if let Some(seq) = seq {
            self.inner.events.cleared(&Cleared {
                seq,
                reason: "cancelled".into(),
            });
        }
        Ok(())
    }

    /// Ends a hold that timed out; called by the timer.
    pub fn tick(&self, now: Instant) -> Result<()> {
        let seq = self.engine()?.flow.tick(now);
        if let Some(seq) = seq {
            self.inner.events.cleared(&Cleared {
                seq,
                reason: "timeout".into(),
            });
        }
        Ok(())
    }

    /// The sync loop reports here; the status bar shows it.
    pub fn update_sync(&self, sync: SyncView) {
        if let Ok(mut e) = self.engine() {
            e.sync = sync;
        }
        self.emit_status();
    }

    /// Unlocks the manager screen.
    pub fn unlock_manager(&self, pin: &str) -> Result<()> {
        let mut e = self.engine()?;
        match e
            .store
            .check_pin(pin, Utc::now())
            .map_err(store_err("cannot check the PIN"))?
        {
            PinCheck::Ok => {
                e.manager_until = Some(Instant::now() + MANAGER_IDLE);
                Ok(())
            }
            PinCheck::Wrong { remaining } => Err(Error::WrongPin { remaining }),
            PinCheck::LockedOut { until } => Err(Error::RateLimited {
                seconds: until.signed_duration_since(Utc::now()).num_seconds().max(1) as u64,
            }),
        }
    }

    /// Locks the manager screen again.
    pub fn lock_manager(&self) {
        if let Ok(mut e) = self.engine() {
            e.manager_until = None;
        }
    }

    fn manager(&self) -> Result<MutexGuard<'_, Engine>> {
        let mut e = self.engine()?;
        match e.manager_until {
            Some(t) if Instant::now() < t => {
                e.manager_until = Some(Instant::now() + MANAGER_IDLE);
                Ok(e)
            }
            _ => Err(Error::Locked),
        }
    }

    fn day(&self, day: &str) -> Result<NaiveDate> {
        if day.trim().is_empty() {
            return Ok(local_day(Utc::now(), self.inner.config.time_zone()));
        }
        day.trim()
            .parse()
            .map_err(|_| Error::BadInput(format!("{day:?} is not a day: use YYYY-MM-DD")))
    }

    /// A page of a day's log.
    pub fn list_entries(&self, query: &LogQuery) -> Result<LogPage> {
        let day = self.day(&query.day)?;
        if !(1..=200).contains(&query.page_size) {
            return Err(Error::BadInput(
                "page size must be between 1 and 200".into(),
            ));
        }
        let e = self.manager()?;
        let page = e
            .store
            .day_log(&passgate_store::LogQuery {
                day,
                search: Some(query.search.trim().to_string()).filter(|s| !s.is_empty()),
                offset: u64::from(query.page) * u64::from(query.page_size),
                limit: u64::from(query.page_size),
            })
            .map_err(store_err("cannot read the log"))?;
        Ok(LogPage {
            day: day.to_string(),
            rows: page
                .entries
                .iter()
                .map(|en| LogRow {
                    id: en.id.to_string(),
                    time: en.local_time.format("%H:%M:%S").to_string(),
                    outcome: en.outcome.as_str().to_string(),
                    reason_code: en.reason_code.clone(),
                    reason_text: en.reason_text.clone(),
                    masked_name: en.masked_name.clone(),
                    issuer: en.issuer.clone(),
                    colour: en.colour.map(|c| c.as_str().to_string()),
                    temperature: en.temperature,
                    pass_id: en.pass_id.clone(),
                })
                .collect(),
            total: page.total as u32,
            page: query.page,
            page_size: query.page_size,
        })
    }

    /// Admits and denials per hour of a day.
    pub fn hourly_counts(&self, day: &str) -> Result<Vec<HourCount>> {
        let day = self.day(day)?;
        let e = self.manager()?;
        let summary = e
            .store
            .day_summary(day)
            .map_err(store_err("cannot count the day"))?;
        Ok(summary
            .hourly
            .iter()
            .enumerate()
            .map(|(hour, t)| HourCount {
                hour: hour as u32,
                admitted: t.admitted as u32,
                denied: t.denied as u32,
            })
            .collect())
    }

    /// Writes a day's entries to a file in `storage.export_dir`.
    pub fn export_day(&self, request: &ExportRequest) -> Result<ExportResult> {
        let day = self.day(&request.day)?;
        let e = self.manager()?;
        let entries = e
            .store
            .day_entries(day)
            .map_err(store_err("cannot read the day"))?;
        drop(e);
        let c = &self.inner.config;
        let dir = c.resolve(&c.storage.export_dir);
        std::fs::create_dir_all(&dir).map_err(|err| {
            Error::internal(
                format!("cannot create the export folder {}", dir.display()),
                err,
            )
        })?;
        let ext = match request.format {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
        };
        let path = dir.join(format!("passgate-{}-{day}.{ext}", c.venue.id));
        let file = std::fs::File::create(&path)
            .map_err(|err| Error::internal(format!("cannot write {}", path.display()), err))?;
        let out = std::io::BufWriter::new(file);
        let written = match request.format {
            ExportFormat::Csv => passgate_store::export::write_csv(&entries, out),
            ExportFormat::Xlsx => passgate_store::export::write_xlsx(&entries, out),
        };
        written.map_err(|err| Error::internal(format!("cannot write {}", path.display()), err))?;
        Ok(ExportResult {
            path: path.display().to_string(),
            rows: entries.len() as u32,
        })
    }

    /// The manager's settings.
    pub fn settings(&self) -> Result<SettingsView> {
        let e = self.manager()?;
        Ok(e.settings_view())
    }

    /// Changes the manager's settings (kept in the database).
    pub fn update_settings(&self, s: &SettingsView) -> Result<SettingsView> {
        if !(35.0..=40.0).contains(&s.fever_threshold_c) {
            return Err(Error::BadInput(
                "the fever threshold must be between 35.0 and 40.0 °C".into(),
            ));
        }
        if s.cooldown_seconds > 3600 {
            return Err(Error::BadInput(
                "the cooldown must be at most 3600 s".into(),
            ));
        }
        if !LANGUAGES.contains(&s.language.as_str()) {
            return Err(Error::BadInput("the language must be zh-CN or en".into()));
        }
        if !valid_source(&s.camera_source) {
            return Err(Error::BadInput(format!(
                "{:?} is not a camera source",
                s.camera_source
            )));
        }
        let mut e = self.manager()?;
        let fever = format!("{:.1}", s.fever_threshold_c);
        for (k, v) in [
            (SET_FEVER, fever.as_str()),
            (SET_COOLDOWN, &s.cooldown_seconds.to_string()),
            (SET_LANGUAGE, &s.language),
            (SET_CAMERA, &s.camera_source),
        ] {
            e.store
                .set_setting(k, v)
                .map_err(store_err("cannot save the settings"))?;
        }
        e.policy = policy_of(
            &self.inner.config,
            fever.parse().unwrap_or(s.fever_threshold_c),
        );
        e.cooldown = TimeDelta::seconds(i64::from(s.cooldown_seconds));
        e.language = s.language.clone();
        e.camera_source = s.camera_source.clone();
        Ok(e.settings_view())
    }

    /// Changes the manager PIN.
    pub fn change_pin(&self, change: &PinChange) -> Result<()> {
        passgate_store::validate_pin(&change.new)
            .map_err(|e| Error::BadInput(format!("the new PIN is not valid: {e}")))?;
        let mut e = self.manager()?;
        match e
            .store
            .check_pin(&change.current, Utc::now())
            .map_err(store_err("cannot check the PIN"))?
        {
            PinCheck::Ok => {}
            PinCheck::Wrong { remaining } => return Err(Error::WrongPin { remaining }),
            PinCheck::LockedOut { until } => {
                return Err(Error::RateLimited {
                    seconds: until.signed_duration_since(Utc::now()).num_seconds().max(1) as u64,
                });
            }
        }
        e.store
            .set_pin(&change.new)
            .and_then(|()| e.store.set_setting(SET_PIN_INITIAL, "false"))
            .map_err(store_err("cannot save the new PIN"))
    }

    /// Switches the screen language (no PIN needed: it is on the attendant screen).
    pub fn set_language(&self, language: &str) -> Result<UiSettings> {
        if !LANGUAGES.contains(&language) {
            return Err(Error::BadInput(format!(
                "unknown language {language:?}: use \"zh-CN\" or \"en\""
            )));
        }
        let mut e = self.engine()?;
        e.store
            .set_setting(SET_LANGUAGE, language)
            .map_err(store_err("cannot save the language"))?;
        e.language = language.to_string();
        Ok(self.ui_settings(&e))
    }

    /// The screen drew the last preview frame: the next one may go.
    pub fn preview_shown(&self) {
        self.inner.preview_credit.give();
    }

    /// Sends preview frames to `sink` from now on (replacing any earlier one).
    pub fn set_preview(&self, sink: Box<dyn PreviewSink>) {
        self.inner.preview_credit.give();
        if let Ok(mut p) = self.inner.preview.lock() {
            *p = Some(sink);
        }
    }

    /// Frame-to-verdict latencies measured so far (ms), oldest first.
    pub fn latencies_ms(&self) -> Vec<f64> {
        self.engine()
            .map(|e| e.latencies.clone())
            .unwrap_or_default()
    }
}

impl Engine {
    fn reload_trust(&mut self) {
        match self.store.load_trust_list(&self.root) {
            Ok(Some(cached)) => {
                log::info!("using trust list seq {}", cached.list.seq());
                self.trust_fetched = Some(cached.fetched_at);
                self.trust.trust_list = Some(cached.list);
            }
            Ok(None) => log::warn!("no trust list: every pass will be denied"),
            Err(e) => log::error!("cached trust list not usable: {e}"),
        }
        match self.store.load_revocations(&self.root) {
            Ok(r) => self.trust.revocations = r.set,
            Err(e) => log::error!("cached revocations not usable: {e}"),
        }
    }

    fn note_latency(&mut self, d: Duration) {
        const KEEP: usize = 10_000;
        if self.latencies.len() == KEEP {
            self.latencies.remove(0);
        }
        self.latencies.push(d.as_secs_f64() * 1000.0);
        let n = self.latencies.len();
        if n.is_multiple_of(20) {
            let mut v = self.latencies.clone();
            v.sort_by(f64::total_cmp);
            let p = |q: f64| v[((n as f64 - 1.0) * q).round() as usize];
            log::info!(
                "frame-to-verdict latency over {n} verdicts: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
                p(0.5),
                p(0.95),
                v[n - 1]
            );
        }
    }

    fn settings_view(&self) -> SettingsView {
        SettingsView {
            camera_source: self.camera_source.clone(),
            cameras: passgate_scan::source::camera::list_cameras()
                .iter()
                .enumerate()
                .map(|(i, _)| format!("camera:{i}"))
                .collect(),
            fever_threshold_c: self.policy.fever_threshold_c,
            cooldown_seconds: self.cooldown.num_seconds() as u32,
            language: self.language.clone(),
        }
    }

    fn status(&mut self, config: &KioskConfig, now: DateTime<Utc>) -> StatusView {
        let tz = config.time_zone();
        let totals = self.store.today_totals(now, tz).unwrap_or_default();
        if let Ok(b) = self.store.backlog() {
            self.sync.backlog = b.unsynced();
        }
        let grace = self.policy.trust_list_grace;
        let (trust, age) = match &self.trust.trust_list {
            None => (TrustState::Missing, None),
            Some(l) => {
                let state = if now > l.expires_at() + grace {
                    TrustState::Stale
                } else if now > l.expires_at() {
                    TrustState::Grace
                } else {
                    TrustState::Ok
                };
                let since = self.trust_fetched.unwrap_or(l.issued_at());
                (
                    state,
                    Some(now.signed_duration_since(since).num_hours().max(0) as u32),
                )
            }
        };
        let clock_warning = match (
            self.sync
                .clock_offset_seconds
                .and_then(crate::sync::clock_warning),
            &self.trust.trust_list,
        ) {
            (Some(warning), _) => Some(warning),
            (None, Some(l)) if now + TimeDelta::minutes(5) < l.issued_at() => {
                Some("this clock is behind the trust list's signing time: set the time".into())
            }
            _ => None,
        };
        StatusView {
            camera: self.camera.clone(),
            trust,
            trust_age_hours: age,
            trust_list_seq: self.trust.trust_list.as_ref().map(|l| l.seq()),
            sync: self.sync.clone(),
            clock_warning,
            counters: Counters {
                admitted: totals.admitted as u32,
                denied: totals.denied as u32,
            },
            day: local_day(now, tz).to_string(),
            thermometer: self.thermometer.clone(),
        }
    }
}
