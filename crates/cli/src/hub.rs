//! `passgate hub ...`: run the upstream hub and administer its database.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use chrono::{NaiveDate, TimeDelta, Utc};
use clap::{Args, Subcommand, ValueEnum};
use passgate_hub::{HubConfig, HubState, HubStorage, SqliteStorage};

use crate::input;
use crate::venue::parse_day;

/// `passgate hub <command>`.
#[derive(Debug, Subcommand)]
pub enum HubCommand {
    /// Serve the hub API until Ctrl-C or SIGTERM.
    Serve(ServeArgs),
    /// Make a one-time enrolment token for a venue (printed once).
    EnrolToken(EnrolTokenArgs),
    /// Publish a trust list and/or revocation documents signed by the root key.
    Publish(PublishArgs),
    /// Export a venue's entries of one day as CSV or XLSX.
    Export(ExportArgs),
    /// Show the enrolled kiosks, when each last synced and its backlog.
    Status(StatusArgs),
    /// Remove an enrolled kiosk (its entries stay), so its id can enrol again.
    ForgetDevice(ForgetArgs),
}

/// `passgate hub serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0: any free port; the bound address is printed).
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub listen: SocketAddr,
    /// The hub database (created if missing).
    #[arg(long)]
    pub db: PathBuf,
    /// Largest accepted upload body, KiB.
    #[arg(long, default_value_t = 4096)]
    pub max_body_kib: usize,
    /// Most entries in one upload.
    #[arg(long, default_value_t = 5000)]
    pub max_batch: usize,
    /// How far a kiosk's signed request time may be from the hub's clock, seconds.
    #[arg(long, default_value_t = 300)]
    pub clock_window_seconds: u32,
}

/// `passgate hub enrol-token`.
#[derive(Debug, Args)]
pub struct EnrolTokenArgs {
    /// The hub database.
    #[arg(long)]
    pub db: PathBuf,
    /// The venue the kiosk will be bound to.
    #[arg(long)]
    pub venue: String,
    /// Hours until the token expires.
    #[arg(long, default_value_t = 24)]
    pub ttl_hours: u32,
}

/// `passgate hub publish`.
#[derive(Debug, Args)]
pub struct PublishArgs {
    /// The hub database.
    #[arg(long)]
    pub db: PathBuf,
    /// The root public key (a `.pub` file or 64 hex digits).
    #[arg(long)]
    pub root: String,
    /// A signed trust list.
    #[arg(long)]
    pub trust: Option<PathBuf>,
    /// Signed revocation documents, one per line.
    #[arg(long)]
    pub revocations: Option<PathBuf>,
}

/// Export formats (the same as the kiosk's export).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// CSV with a UTF-8 byte order mark.
    Csv,
    /// An Excel workbook.
    Xlsx,
}

/// `passgate hub export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The hub database.
    #[arg(long)]
    pub db: PathBuf,
    /// The venue.
    #[arg(long)]
    pub venue: String,
    /// The venue-local day, YYYY-MM-DD.
    #[arg(long, value_parser = parse_day)]
    pub date: NaiveDate,
    /// The file format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
    /// Output file (default: stdout for CSV; required for XLSX).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `passgate hub status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The hub database.
    #[arg(long)]
    pub db: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `passgate hub forget-device`.
#[derive(Debug, Args)]
pub struct ForgetArgs {
    /// The hub database.
    #[arg(long)]
    pub db: PathBuf,
    /// The device id.
    #[arg(long)]
    pub device: String,
}

/// Runs a `passgate hub` command.
pub fn run(cmd: HubCommand) -> Result<ExitCode> {
    dispatch(cmd).map(|()| ExitCode::SUCCESS)
}

fn dispatch(cmd: HubCommand) -> Result<()> {
    match cmd {
        HubCommand::Serve(a) => serve(a),
        HubCommand::EnrolToken(a) => {
            let storage = open(&a.db)?;
            let ttl = TimeDelta::hours(i64::from(a.ttl_hours));
            let token = passgate_hub::create_enrol_token(&storage, &a.venue, ttl, Utc::now())
                .context("cannot make an enrolment token")?;
            println!("{token}");
            eprintln!(
                "one-time token for venue {} (valid {} h); on the kiosk run: passgate enrol --hub URL --token {token} --db PATH --device ID --venue {}",
                a.venue, a.ttl_hours, a.venue
            );
            Ok(())
        }
        HubCommand::Publish(a) => publish(a),
        HubCommand::Export(a) => export(a),
        HubCommand::Status(a) => status(a),
        HubCommand::ForgetDevice(a) => {
            if !open(&a.db)?.forget_device(&a.device)? {
                bail!("device {:?} is not enrolled with this hub", a.device);
            }
            println!("forgot device {}", a.device);
            Ok(())
        }
    }
}

fn open(db: &Path) -> Result<SqliteStorage> {
    SqliteStorage::open(db)
        .with_context(|| format!("cannot open the hub database {}", db.display()))
}

fn serve(a: ServeArgs) -> Result<()> {
    let storage = Arc::new(open(&a.db)?);
    let config = HubConfig {
        max_body_bytes: a.max_body_kib.saturating_mul(1024),
        max_batch: a.max_batch,
        clock_window: TimeDelta::seconds(i64::from(a.clock_window_seconds)),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(a.listen)
            .await
            .with_context(|| format!("cannot listen on {}; is the port in use?", a.listen))?;
        let addr = listener.local_addr()?;
        // Tests and scripts read this line to learn the bound port.
        println!("passgate hub listening on http://{addr}");
        std::io::stdout().flush()?;
        let state = HubState::new(storage, config);
        passgate_hub::run(listener, shutdown_signal(), state)
            .await
            .context("the hub server failed")?;
        eprintln!("passgate hub stopped");
        Ok(())
    })
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

fn publish(a: PublishArgs) -> Result<()> {
    if a.trust.is_none() && a.revocations.is_none() {
        bail!("nothing to publish: give --trust FILE and/or --revocations FILE");
    }
    let root = input::public_key(&a.root).context("cannot load the root key (--root)")?;
    let read = |p: &Option<PathBuf>| -> Result<Option<Vec<u8>>> {
        p.as_ref()
            .map(|p| std::fs::read(p).with_context(|| format!("cannot read {}", p.display())))
            .transpose()
    };
    let trust = read(&a.trust)?;
    let revocations = read(&a.revocations)?;
    let storage = open(&a.db)?;
    let done = passgate_hub::publish(
        &storage,
        &root,
        trust.as_deref(),
        revocations.as_deref(),
        Utc::now(),
    )
    .context("publish refused")?;
    if let Some(seq) = done.trust_list {
        println!("published trust list seq {seq}");
    }
    for seq in &done.revocations {
        println!("published revocation document seq {seq}");
    }
    if done.unchanged > 0 {
        println!(
            "{} document(s) were already published unchanged",
            done.unchanged
        );
    }
    Ok(())
}

fn export(a: ExportArgs) -> Result<()> {
    let entries = open(&a.db)?
        .day_entries(&a.venue, a.date)
        .context("cannot read the entries")?;
    match (a.format, &a.out) {
        (Format::Csv, None) => {
            passgate_store::export::write_csv(&entries, std::io::stdout().lock())?;
        }
        (Format::Xlsx, None) => bail!("an XLSX export needs --out FILE"),
        (format, Some(path)) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            let out = std::io::BufWriter::new(file);
            match format {
                Format::Csv => passgate_store::export::write_csv(&entries, out)?,
                Format::Xlsx => passgate_store::export::write_xlsx(&entries, out)?,
            }
            eprintln!(
                "wrote {} entries of venue {} on {} to {}",
                entries.len(),
                a.venue,
                a.date,
                path.display()
            );
        }
    }
    Ok(())
}

fn status(a: StatusArgs) -> Result<()> {
    let storage = open(&a.db)?;
    let devices = storage.devices()?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&devices)?);
        return Ok(());
    }
    if devices.is_empty() {
        println!("no kiosk is enrolled; make a token with `passgate hub enrol-token`");
        return Ok(());
    }
    let trust = storage
        .trust_list()?
        .map_or("none".into(), |d| d.seq.to_string());
    let revocations = storage
        .revocations()?
        .last()
        .map_or("none".into(), |d| d.seq.to_string());
    println!("published: trust list seq {trust}, revocations seq {revocations}");
    println!(
        "{:<20} {:<20} {:<22} {:>9} {:>10}",
        "venue", "device", "last sync (UTC)", "backlog", "entries"
    );
    for d in devices {
        println!(
            "{:<20} {:<20} {:<22} {:>9} {:>10}",
            d.venue_id,
            d.device_id,
            d.last_upload_at.map_or("never".into(), |t| t
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()),
            d.last_backlog.map_or("-".into(), |b| b.to_string()),
            d.entries
        );
    }
    Ok(())
}
