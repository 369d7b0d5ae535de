//! `passgate config check`: load and validate `kiosk.toml` exactly as the
//! kiosk does (values, then the root key, initial trust documents and
//! camera source it names), naming the key and line of the first problem.

use std::path::PathBuf;
use std::process::ExitCode;

use passgate_kiosk::KioskConfig;

/// `passgate config ...`
#[derive(clap::Subcommand)]
pub enum Command {
    /// Check a kiosk.toml: every key known, every value usable.
    Check(CheckArgs),
}

/// Arguments of `passgate config check`.
#[derive(clap::Args)]
pub struct CheckArgs {
    /// The file to check.
    #[arg(long, default_value = "kiosk.toml")]
    config: PathBuf,
}

/// Runs a `config` subcommand.
pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Check(args) => check(args),
    }
}

fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let c = KioskConfig::load(&args.config)?;
    let notes = passgate_kiosk::preflight::check(&c, chrono::Utc::now())?;
    println!("{}: ok", args.config.display());
    let name = if c.venue.name.is_empty() {
        String::new()
    } else {
        format!(" ({})", c.venue.name)
    };
    println!(
        "  venue      {}{name}, device {}",
        c.venue.id, c.venue.device
    );
    println!("  time zone  {}", c.venue.time_zone);
    println!(
        "  camera     {} {}x{}@{}",
        c.camera.source, c.camera.width, c.camera.height, c.camera.fps
    );
    println!("  database   {}", c.database_path().display());
    println!(
        "  hub        {}",
        if c.sync.hub_url.is_empty() {
            "none (offline)"
        } else {
            &c.sync.hub_url
        }
    );
    for note in notes {
        println!("  note: {note}");
    }
    if c.trust.demo {
        println!(
            "  warning: [trust] demo = true: demo keys are created; never use this on a real kiosk"
        );
    }
    Ok(ExitCode::SUCCESS)
}
