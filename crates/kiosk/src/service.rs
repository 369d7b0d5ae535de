//! The running kiosk: one [`Kiosk`] value that a user interface holds and
//! calls. It owns the threads (frames, reader, timer) and reports to the
//! screen through an [`EventSink`].

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::config::KioskConfig;
use crate::error::{Error, Result};
use crate::flow::Flow;
use crate::view::{
    CameraState, CameraStatus, Cleared, Counters, ExportRequest, ExportResult, HourCount, LogPage,
    LogQuery, PinChange, SettingsView, Snapshot, StatusView, SyncView, TrustState, UiSettings,
    VerdictView,
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

/// How long an amber banner holds its pass without a temperature.
pub const HOLD_FOR: Duration = Duration::from_secs(30);

struct State {
    flow: Flow<String>,
    status: StatusView,
}

struct Inner {
    config: KioskConfig,
    events: Arc<dyn EventSink>,
    state: Mutex<State>,
    preview: Mutex<Option<Box<dyn PreviewSink>>>,
}

/// The kiosk service.
#[derive(Clone)]
pub struct Kiosk {
    inner: Arc<Inner>,
}

impl Kiosk {
    /// Starts the kiosk: opens the store, imports trust documents, starts the
    /// frame source and the reader. A missing camera is a status, not an error.
    pub fn start(
        config: KioskConfig,
        options: StartOptions,
        events: Arc<dyn EventSink>,
    ) -> Result<Self> {
        let source = options
            .source
            .clone()
            .unwrap_or_else(|| config.camera.source.clone());
        let status = StatusView {
            camera: CameraStatus {
                state: CameraState::Missing,
                source,
                detail: Some("no camera found".into()),
            },
            trust: TrustState::Missing,
            trust_age_hours: None,
            sync: SyncView {
                enabled: !config.sync.hub_url.is_empty(),
                online: false,
                backlog: 0,
                last_success: None,
                clock_offset_seconds: None,
            },
            clock_warning: None,
            counters: Counters::default(),
            day: String::new(),
            thermometer: None,
        };
        let inner = Arc::new(Inner {
            config,
            events,
            state: Mutex::new(State {
                flow: Flow::new(HOLD_FOR),
                status,
            }),
            preview: Mutex::new(None),
        });
        Ok(Self { inner })
    }

    fn state(&self) -> Result<MutexGuard<'_, State>> {
        self.inner.state.lock().map_err(|_| {
            Error::internal(
                "the kiosk stopped after an internal error",
                "state lock poisoned",
            )
        })
    }

    /// What the attendant screen needs when it loads.
    pub fn snapshot(&self) -> Result<Snapshot> {
        let st = self.state()?;
        Ok(Snapshot {
            current: st.flow.current().cloned(),
            recent: st.flow.recent(),
            status: st.status.clone(),
            settings: self.ui_settings(),
        })
    }

    fn ui_settings(&self) -> UiSettings {
        let c = &self.inner.config;
        UiSettings {
            language: c.ui.language.clone(),
            verdict_seconds: c.ui.verdict_seconds,
            fever_threshold_c: c.policy.fever_threshold_c,
            venue_name: c.venue.name.clone(),
            default_pin: true,
        }
    }

    /// A pass typed by a keyboard-wedge scanner.
    pub fn submit_wedge(&self, text: &str) -> Result<()> {
        if text.trim().is_empty() {
            return Err(Error::BadInput("the scanned text is empty".into()));
        }
        Err(Error::internal("scanning is not ready", "gate not wired"))
    }

    /// A temperature keyed in for the held pass.
    pub fn record_temperature(&self, celsius: f32) -> Result<VerdictView> {
        let _ = celsius;
        Err(Error::BadInput(
            "no pass is waiting for a temperature".into(),
        ))
    }

    /// Drops the pass held for a temperature.
    pub fn cancel_pending(&self) -> Result<()> {
        let seq = self.state()?.flow.cancel();
        if let Some(seq) = seq {
            self.inner.events.cleared(&Cleared {
                seq,
                reason: "cancelled".into(),
            });
        }
        Ok(())
    }

    /// Ends holds that timed out; called by the timer.
    pub fn tick(&self, now: Instant) -> Result<()> {
        let seq = self.state()?.flow.tick(now);
        if let Some(seq) = seq {
            self.inner.events.cleared(&Cleared {
                seq,
                reason: "timeout".into(),
            });
        }
        Ok(())
    }

    /// Unlocks the manager screen.
    pub fn unlock_manager(&self, pin: &str) -> Result<()> {
        let _ = pin;
        Err(Error::WrongPin { remaining: 0 })
    }

    /// Locks the manager screen again.
    pub fn lock_manager(&self) {}

    /// A page of a day's log.
    pub fn list_entries(&self, query: &LogQuery) -> Result<LogPage> {
        let _ = query;
        Err(Error::Locked)
    }

    /// Admits and denials per hour of a day.
    pub fn hourly_counts(&self, day: &str) -> Result<Vec<HourCount>> {
        let _ = day;
        Err(Error::Locked)
    }

    /// Writes a day's entries to a file.
    pub fn export_day(&self, request: &ExportRequest) -> Result<ExportResult> {
        let _ = request;
        Err(Error::Locked)
    }

    /// The manager's settings.
    pub fn settings(&self) -> Result<SettingsView> {
        Err(Error::Locked)
    }

    /// Changes the manager's settings.
    pub fn update_settings(&self, settings: &SettingsView) -> Result<SettingsView> {
        let _ = settings;
        Err(Error::Locked)
    }

    /// Changes the manager PIN.
    pub fn change_pin(&self, change: &PinChange) -> Result<()> {
        let _ = change;
        Err(Error::Locked)
    }

    /// Switches the screen language.
    pub fn set_language(&self, language: &str) -> Result<UiSettings> {
        if !crate::config::LANGUAGES.contains(&language) {
            return Err(Error::BadInput(format!(
                "unknown language {language:?}: use \"zh-CN\" or \"en\""
            )));
        }
        let mut s = self.ui_settings();
        s.language = language.to_string();
        Ok(s)
    }

    /// Sends preview frames to `sink` from now on (replacing any earlier one).
    pub fn set_preview(&self, sink: Box<dyn PreviewSink>) {
        if let Ok(mut p) = self.inner.preview.lock() {
            *p = Some(sink);
        }
    }
}
