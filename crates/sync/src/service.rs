//! The background sync loop for the kiosk service: one thread with its own
//! small tokio runtime and its own connection to the kiosk database, so the
//! caller needs no async runtime.
//!
//! ```no_run
//! # fn demo(root: passgate_pass::VerifyingKey) -> passgate_sync::Result<()> {
//! use std::sync::Arc;
//! use passgate_sync::{SyncHandle, SyncOptions, SystemClock};
//! let handle = SyncHandle::start(
//!     SyncOptions::new("passgate.sqlite".into(), root),
//!     Arc::new(SystemClock),
//!     Arc::new(|status: &passgate_sync::SyncStatus| println!("{status:?}")),
//! )?;
//! let now = handle.status(); // the latest status, at any time
//! handle.sync_now();         // e.g. after the attendant pressed "sync"
//! handle.stop();             // waits for the loop to end
//! # Ok(()) }
//! ```

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use ed25519_dalek::VerifyingKey;
use passgate_store::Store;
use tokio::sync::Notify;

use crate::engine::{Clock, SyncStatus, Syncer};
use crate::plan::Backoff;
use crate::{ClientOptions, Error, Result};

/// How the loop runs.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// The kiosk database (the loop opens its own connection).
    pub db_path: PathBuf,
    /// The hub URL (`sync.hub_url`); `None` or empty: the one saved at enrolment.
    pub hub_url: Option<String>,
    /// The pinned root key; downloaded documents must verify with it.
    pub root: VerifyingKey,
    /// Time between rounds when all is well (`sync.interval_seconds`).
    pub interval: Duration,
    /// Entries per upload (`sync.batch_size`).
    pub batch_size: usize,
    /// Waits after failed rounds.
    pub backoff: Backoff,
    /// HTTP timeouts.
    pub client: ClientOptions,
}

impl SyncOptions {
    /// Defaults: 30 s interval, batches of 500, 1 s .. 5 min backoff.
    pub fn new(db_path: PathBuf, root: VerifyingKey) -> Self {
        Self {
            db_path,
            hub_url: None,
            root,
            interval: Duration::from_secs(30),
            batch_size: 500,
            backoff: Backoff::default(),
            client: ClientOptions::default(),
        }
    }
}

/// Called with the new status after every round.
pub type StatusCallback = Arc<dyn Fn(&SyncStatus) + Send + Sync>;

struct Shared {
    status: Mutex<SyncStatus>,
    wake: Notify,
    stop: AtomicBool,
}

impl Shared {
    fn status(&self) -> MutexGuard<'_, SyncStatus> {
        self.status.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The running sync loop. Dropping it stops the loop too.
pub struct SyncHandle {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl SyncHandle {
    /// Starts the loop on its own thread. The first round starts at once.
    /// Not being enrolled, or the hub being down, is a status, not an error.
    pub fn start(
        options: SyncOptions,
        clock: Arc<dyn Clock>,
        on_status: StatusCallback,
    ) -> Result<SyncHandle> {
        if options.batch_size == 0 {
            return Err(Error::InvalidArgument(
                "sync.batch_size must be at least 1".into(),
            ));
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::InvalidArgument(format!("cannot start the sync runtime: {e}")))?;
        let shared = Arc::new(Shared {
            status: Mutex::new(SyncStatus::default()),
            wake: Notify::new(),
            stop: AtomicBool::new(false),
        });
        let looped = shared.clone();
        let thread = std::thread::Builder::new()
            .name("passgate-sync".into())
            .spawn(move || runtime.block_on(run_loop(options, clock, on_status, looped)))
            .map_err(|e| Error::InvalidArgument(format!("cannot start the sync thread: {e}")))?;
        Ok(SyncHandle {
            shared,
            thread: Some(thread),
        })
    }

    /// The status after the latest round.
    pub fn status(&self) -> SyncStatus {
        self.shared.status().clone()
    }

    /// Starts a round now instead of waiting for the interval or backoff.
    pub fn sync_now(&self) {
        self.shared.wake.notify_one();
    }

    /// Stops the loop and waits for its thread. An upload cut short is
    /// put back to pending; the hub stores ids once, so resending is safe.
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.wake.notify_one();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for SyncHandle {
    fn drop(&mut self) {
        self.halt();
    }
}

async fn run_loop(
    options: SyncOptions,
    clock: Arc<dyn Clock>,
    on_status: StatusCallback,
    shared: Arc<Shared>,
) {
    let mut store: Option<Store> = None;
    let mut syncer: Option<Syncer> = None;
    let mut failures = 0u32;
    while !shared.stop.load(Ordering::SeqCst) {
        let result = round(&options, &clock, &mut store, &mut syncer, &shared).await;
        let status = match (&result, &syncer) {
            (Ok(()), Some(s)) => s.status().clone(),
            (Err(e), _) => SyncStatus {
                enrolled: !matches!(e, Error::NotEnrolled),
                last_error: Some(e.describe()),
                backlog: store
                    .as_ref()
                    .and_then(|s| s.backlog().ok())
                    .map_or(0, |b| b.unsynced()),
                failures: failures + 1,
                ..shared.status().clone()
            },
            (Ok(()), None) => shared.status().clone(),
        };
        failures = status.failures;
        *shared.status() = status.clone();
        on_status(&status);
        let wait = if failures == 0 {
            options.interval
        } else {
            options.backoff.delay(failures, random_unit())
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shared.wake.notified() => {}
        }
    }
    if let Some(s) = store.as_mut() {
        let _ = s.requeue_in_flight(clock.now());
    }
}

/// One round, opening the store and loading the identity when needed; a
/// stop request cancels the round in progress.
async fn round(
    options: &SyncOptions,
    clock: &Arc<dyn Clock>,
    store: &mut Option<Store>,
    syncer: &mut Option<Syncer>,
    shared: &Shared,
) -> Result<()> {
    if store.is_none() {
        let mut s = Store::open(&options.db_path)?;
        s.requeue_in_flight(clock.now())?;
        *store = Some(s);
    }
    let Some(st) = store.as_mut() else {
        return Ok(());
    };
    if syncer.is_none() {
        *syncer = Some(Syncer::new(
            st,
            options.hub_url.as_deref(),
            options.root,
            options.batch_size,
            options.client,
            clock.clone(),
        )?);
    }
    let Some(sy) = syncer.as_mut() else {
        return Ok(());
    };
    tokio::select! {
        _ = sy.round(st) => {}
        _ = wait_for_stop(shared) => {}
    }
    Ok(())
}

async fn wait_for_stop(shared: &Shared) {
    while !shared.stop.load(Ordering::SeqCst) {
        shared.wake.notified().await;
    }
    // Hand the wake-up on, so the loop sees it too.
    shared.wake.notify_one();
}

/// A uniform random number in `[0, 1)` for the jitter.
fn random_unit() -> f64 {
    let mut b = [0u8; 8];
    if getrandom::fill(&mut b).is_err() {
        return 0.5;
    }
    (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
}
