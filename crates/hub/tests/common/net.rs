//! Real sockets for the sync tests: a hub served on 127.0.0.1:0 and a
//! kiosk store enrolled with it.
#![allow(dead_code, clippy::unwrap_used)]

use std::net::SocketAddr;
use std::path::Path;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use passgate_hub::{HubState, HubStorage, create_enrol_token, run};
use passgate_store::Store;
use passgate_sync::ClientOptions;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A hub running in this process.
pub struct RunningHub {
    /// Where it listens.
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl RunningHub {
    /// Serves `state` on a free port of 127.0.0.1.
    pub async fn start(state: HubState) -> Self {
        Self::start_on(state, "127.0.0.1:0".parse().unwrap()).await
    }

    /// Serves `state` on `addr`.
    pub async fn start_on(state: HubState, addr: SocketAddr) -> Self {
        let listener = TcpListener::bind(addr).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(run(
            listener,
            async move {
                let _ = rx.await;
            },
            state,
        ));
        Self {
            addr,
            stop: Some(tx),
            task: Some(task),
        }
    }

    /// Its base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Graceful shutdown; waits until the server has ended.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
    }
}

/// The instant kiosk entry `n` is recorded at: one per second from
/// 09:00 Shanghai time, so 10,000 of them stay on one local day.
pub fn entry_time(n: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 1, 0, 0).unwrap() + TimeDelta::seconds(n.into())
}

/// Records `count` entries (numbered from `first`) in the kiosk store, in
/// transactions of 1,000.
pub fn record(store: &mut Store, venue: &str, device: &str, first: u32, count: u32) {
    let all: Vec<u32> = (first..first + count).collect();
    for chunk in all.chunks(1000) {
        let batch: Vec<_> = chunk
            .iter()
            .map(|n| (super::new_entry(venue, device, *n), entry_time(*n)))
            .collect();
        store.record_batch(&batch).unwrap();
    }
}

/// A kiosk store in `dir`, enrolled with the hub at `url` through the API.
pub async fn enrolled_kiosk(
    dir: &Path,
    storage: &dyn HubStorage,
    url: &str,
    venue: &str,
    device: &str,
) -> Store {
    let mut store = Store::open(dir.join(format!("{device}.sqlite"))).unwrap();
    let token = create_enrol_token(storage, venue, TimeDelta::hours(1), Utc::now()).unwrap();
    passgate_sync::enrol(
        &mut store,
        url,
        &token,
        device,
        venue,
        ClientOptions::default(),
    )
    .await
    .unwrap();
    store
}

/// Sorted entries of a kiosk store (all recorded on one local day).
pub fn kiosk_entries(store: &Store) -> Vec<passgate_store::Entry> {
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    let mut all = store.day_entries(day).unwrap();
    all.sort_by_key(|e| e.id);
    all
}
