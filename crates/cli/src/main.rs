//! The `passgate` command: keys, trust lists, revocations, passes and
//! verification (more subcommands join as the other crates land).
//!
//! Each command lives in its own module and returns the process exit code;
//! errors print their whole chain and exit with 2.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod config;
mod decode;
mod export;
mod hub;
mod input;
mod issue;
mod keygen;
mod log;
mod qr_image;
mod record;
mod revoke;
mod scan;
mod sync;
mod trust;
mod venue;
mod verify;

/// Offline health-pass kiosk tools.
#[derive(Parser)]
#[command(name = "passgate", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check kiosk.toml (`passgate config check --config kiosk.toml`).
    #[command(subcommand)]
    Config(config::Command),
    /// Create an Ed25519 key pair: NAME.key (secret, mode 0600) and NAME.pub.
    Keygen(keygen::Args),
    /// Sign trust lists (the issuers a kiosk accepts).
    #[command(subcommand)]
    Trust(trust::Command),
    /// Sign revocation documents.
    #[command(subcommand)]
    Revoke(revoke::Command),
    /// Issue a pass: print its HC1 text and optionally write a QR PNG.
    Issue(issue::Args),
    /// Verify a pass against a trust list: exit 0 admit, 1 deny, 2 error.
    Verify(verify::Args),
    /// Decide on a pass and record the decision in the kiosk database.
    Record(record::Args),
    /// Print a day of the kiosk log.
    Log(log::Args),
    /// Export a day of the kiosk log as CSV or XLSX.
    Export(export::Args),
    /// Read the QR codes in image files (one JSON line per image with --json).
    Decode(decode::DecodeArgs),
    /// Run the live pipeline (camera, images, video or synthetic) and print verdicts.
    Scan(scan::Args),
    /// Enrol this kiosk with a hub using a one-time token.
    Enrol(sync::EnrolArgs),
    /// Upload the kiosk's entries and fetch trust documents (--once: one round).
    Sync(sync::SyncArgs),
    /// Run and administer the upstream hub.
    #[command(subcommand)]
    Hub(hub::HubCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Config(cmd) => config::run(cmd),
        Command::Keygen(args) => keygen::run(args),
        Command::Trust(cmd) => trust::run(cmd),
        Command::Revoke(cmd) => revoke::run(cmd),
        Command::Issue(args) => issue::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Record(args) => record::run(args),
        Command::Log(args) => log::run(args),
        Command::Export(args) => export::run(args),
        Command::Decode(args) => decode::run(&args),
        Command::Scan(args) => scan::run(args),
        Command::Enrol(args) => sync::run_enrol(args),
        Command::Sync(args) => sync::run_sync(args),
        Command::Hub(cmd) => hub::run(cmd),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("passgate: error: {err:#}");
            ExitCode::from(2)
        }
    }
}
