//! `passgate issue`: sign a pass and print its HC1 text.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::anyhow;
use chrono::{DateTime, SubsecRound, TimeDelta, Utc};
use passgate_pass::{Claims, CodeColour, HealthClaim, IssuerId, PassId, issue};

use crate::{input, qr_image};

/// Arguments of `passgate issue`.
#[derive(clap::Args)]
pub struct Args {
    /// Issuer secret key file (ISSUER.key).
    #[arg(long)]
    key: PathBuf,
    /// Issuer id, as listed in the trust list (e.g. CN-LN).
    #[arg(long)]
    iss: IssuerId,
    /// Code colour: green, yellow or red.
    #[arg(long)]
    status: CodeColour,
    /// Subject pseudonym (1 to 64 characters).
    #[arg(long)]
    sub: String,
    /// Masked display name, e.g. "刘*爽".
    #[arg(long)]
    name: String,
    /// Minutes until the pass expires (short for dynamic codes).
    #[arg(long, default_value_t = 1440, value_parser = clap::value_parser!(u32).range(1..))]
    valid_minutes: u32,
    /// Issue time (RFC 3339; default: now).
    #[arg(long, value_parser = input::rfc3339)]
    issued_at: Option<DateTime<Utc>>,
    /// Optional not-before time (RFC 3339).
    #[arg(long, value_parser = input::rfc3339)]
    not_before: Option<DateTime<Utc>>,
    /// Pass id, 32 hex digits (default: random).
    #[arg(long)]
    pass_id: Option<PassId>,
    /// Also write the QR code as a PNG file.
    #[arg(long, value_name = "OUT.png")]
    png: Option<PathBuf>,
}

/// Prints the pass text (and writes the PNG when asked).
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let key = input::secret_key(&args.key)?;
    let pass_id = match args.pass_id {
        Some(id) => id,
        None => {
            let mut bytes = [0u8; 16];
            getrandom::fill(&mut bytes)
                .map_err(|e| anyhow!("cannot get random bytes from the operating system: {e}"))?;
            PassId::from_bytes(bytes)
        }
    };
    let iat = input::now_or(args.issued_at).trunc_subsecs(0);
    let claims = Claims {
        iss: args.iss,
        iat,
        exp: iat + TimeDelta::minutes(i64::from(args.valid_minutes)),
        nbf: args.not_before,
        pass_id,
        health: HealthClaim {
            status: args.status,
            subject: args.sub,
            masked_name: args.name,
        },
    };
    let text = issue(&key, &claims)?;
    if let Some(png) = &args.png {
        qr_image::write_png(&text, png)?;
        eprintln!("wrote {}", png.display());
    }
    println!("{text}");
    Ok(ExitCode::SUCCESS)
}
