//! Kiosk-side sync commands: `passgate enrol` and `passgate sync`. They
//! take `--db` (or `--config kiosk.toml`) like `passgate record`.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use passgate_kiosk::KioskConfig;
use passgate_pass::VerifyingKey;
use passgate_store::Store;
use passgate_sync::{
    Backoff, ClientOptions, SyncHandle, SyncOptions, SyncStatus, Syncer, SystemClock,
};

use crate::input;
use crate::venue::{VenueArgs, now, open_existing};

/// Arguments of `passgate enrol`.
#[derive(Debug, clap::Args)]
pub struct EnrolArgs {
    #[command(flatten)]
    venue: VenueArgs,
    /// The hub's base URL, e.g. http://hub.example:8787 (default:
    /// `sync.hub_url` of --config).
    #[arg(long)]
    hub: Option<String>,
    /// The one-time token from `passgate hub enrol-token`.
    #[arg(long)]
    token: String,
    /// This kiosk's device id (default: `venue.device` of --config).
    #[arg(long)]
    device: Option<String>,
    /// This kiosk's venue id (default: `venue.id` of --config).
    #[arg(long = "venue", value_name = "ID")]
    venue_id: Option<String>,
}

/// Arguments of `passgate sync`.
#[derive(Debug, clap::Args)]
pub struct SyncArgs {
    #[command(flatten)]
    venue: VenueArgs,
    /// Run one round and exit (exit code 2 if it failed).
    #[arg(long)]
    once: bool,
    /// The pinned root public key: a .pub file or 64 hex digits (default:
    /// `trust.root_public_key` of --config).
    #[arg(long)]
    root: Option<String>,
    /// The hub URL (default: `sync.hub_url` of --config, else the one given
    /// at enrolment).
    #[arg(long)]
    hub: Option<String>,
    /// Entries per upload (default: `sync.batch_size` of --config, else 500).
    #[arg(long)]
    batch_size: Option<usize>,
    /// Seconds between rounds without --once (default: `sync.interval_seconds`
    /// of --config, else 30).
    #[arg(long)]
    interval_seconds: Option<u64>,
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn hub_of(flag: Option<String>, config: Option<&KioskConfig>) -> Option<String> {
    flag.or_else(|| config.map(|c| c.sync.hub_url.clone()))
        .filter(|u| !u.trim().is_empty())
}

/// Runs `passgate enrol`: makes the device key, presents it with the token
/// and saves the identity in the kiosk database (created if missing).
pub fn run_enrol(a: EnrolArgs) -> Result<ExitCode> {
    let config = a.venue.config()?;
    let db = a.venue.db_path(config.as_ref())?;
    let from_config = |pick: fn(&KioskConfig) -> &String| config.as_ref().map(|c| pick(c).clone());
    let Some(device) = a.device.or_else(|| from_config(|c| &c.venue.device)) else {
        bail!("give the device id with --device ID or --config kiosk.toml");
    };
    let Some(venue) = a.venue_id.or_else(|| from_config(|c| &c.venue.id)) else {
        bail!("give the venue id with --venue ID or --config kiosk.toml");
    };
    let Some(hub) = hub_of(a.hub, config.as_ref()) else {
        bail!("give the hub with --hub URL or sync.hub_url in kiosk.toml");
    };
    let mut store =
        Store::open(&db).with_context(|| format!("cannot open the database {}", db.display()))?;
    let identity = runtime()?
        .block_on(passgate_sync::enrol(
            &mut store,
            &hub,
            &a.token,
            &device,
            &venue,
            ClientOptions::default(),
        ))
        .context("enrolment failed")?;
    println!(
        "enrolled device {} of venue {} with {}",
        identity.device_id, identity.venue_id, identity.hub_url
    );
    Ok(ExitCode::SUCCESS)
}

/// Runs `passgate sync`: one round with --once, else the loop until Ctrl-C.
pub fn run_sync(a: SyncArgs) -> Result<ExitCode> {
    let config = a.venue.config()?;
    let db = a.venue.db_path(config.as_ref())?;
    let root = match (&a.root, &config) {
        (Some(r), _) => input::public_key(r).context("cannot load the root key (--root)")?,
        (None, Some(c)) => {
            let path = c.resolve(c.trust.root_public_key.trim());
            input::public_key(&path.to_string_lossy())
                .context("cannot load trust.root_public_key of --config")?
        }
        (None, None) => bail!("give the root key with --root or --config kiosk.toml"),
    };
    let batch = a
        .batch_size
        .or_else(|| config.as_ref().map(|c| c.sync.batch_size as usize))
        .unwrap_or(500);
    let hub = hub_of(a.hub.clone(), config.as_ref());
    if a.once {
        return sync_once(&db, hub.as_deref(), root, batch);
    }
    let interval = a
        .interval_seconds
        .or_else(|| config.as_ref().map(|c| u64::from(c.sync.interval_seconds)))
        .unwrap_or(30);
    let options = SyncOptions {
        hub_url: hub,
        interval: Duration::from_secs(interval.max(1)),
        batch_size: batch,
        backoff: Backoff::default(),
        ..SyncOptions::new(db, root)
    };
    let handle = SyncHandle::start(
        options,
        Arc::new(SystemClock),
        Arc::new(|s: &SyncStatus| println!("{}", describe(s))),
    )?;
    runtime()?.block_on(async {
        let _ = tokio::signal::ctrl_c().await;
    });
    handle.stop();
    Ok(ExitCode::SUCCESS)
}

fn sync_once(
    db: &std::path::Path,
    hub: Option<&str>,
    root: VerifyingKey,
    batch: usize,
) -> Result<ExitCode> {
    let mut store = open_existing(db)?;
    store.requeue_in_flight(now())?;
    let mut syncer = Syncer::new(
        &store,
        hub,
        root,
        batch,
        ClientOptions::default(),
        Arc::new(SystemClock),
    )?;
    let report = runtime()?.block_on(syncer.round(&mut store));
    println!(
        "uploaded {} entries in {} request(s)",
        report.acknowledged, report.uploads
    );
    if let Some(seq) = report.new_trust_list {
        println!("new trust list seq {seq}");
    }
    if let Some(seq) = report.new_revocations {
        println!("revocations now at seq {seq}");
    }
    println!("{}", describe(syncer.status()));
    if let Some(e) = report.error {
        return Err(anyhow::Error::new(e).context("sync failed"));
    }
    Ok(ExitCode::SUCCESS)
}

/// One line about the sync state.
fn describe(s: &SyncStatus) -> String {
    format!(
        "{}; backlog {}; clock offset {}; trust list {}; revocations seq {}{}",
        if s.online { "online" } else { "offline" },
        s.backlog,
        s.clock_offset_seconds
            .map_or("unknown".into(), |o| format!("{o} s")),
        s.trust_list_seq
            .map_or("none".into(), |q| format!("seq {q}")),
        s.revocations_seq,
        s.last_error
            .as_deref()
            .map_or(String::new(), |e| format!("; last error: {e}")),
    )
}
