//! `passgate trust sign`: a trust list signed by the root key.

use std::process::ExitCode;

use anyhow::Context;
use chrono::{DateTime, TimeDelta, Utc};
use passgate_pass::{IssuerDraft, IssuerId, TrustListDraft};

use crate::input;

/// `passgate trust ...`
#[derive(clap::Subcommand)]
pub enum Command {
    /// Sign a trust list with the root key.
    Sign(SignArgs),
}

/// Arguments of `passgate trust sign`.
#[derive(clap::Args)]
pub struct SignArgs {
    #[command(flatten)]
    signing: input::RootSigning,
    /// An issuer as PUB,ISSUER_ID,"Display name"; PUB is a .pub file or 64 hex digits. Repeat for several.
    #[arg(long = "issuer", required = true, value_name = "PUB,ISSUER_ID,NAME")]
    issuers: Vec<String>,
    /// Sequence number; kiosks accept only a higher one than they have.
    #[arg(long)]
    seq: u64,
    /// Days until the list expires.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=3650))]
    valid_days: u32,
    /// Start of the issuer keys' validity, by pass issue time (default: the signing time).
    #[arg(long, value_parser = input::rfc3339)]
    keys_not_before: Option<DateTime<Utc>>,
    /// Days the issuer keys stay valid after --keys-not-before.
    #[arg(long, default_value_t = 365, value_parser = clap::value_parser!(u32).range(1..=36500))]
    key_valid_days: u32,
}

/// Runs a `passgate trust` subcommand.
pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Sign(args) => sign(args),
    }
}

fn sign(args: SignArgs) -> anyhow::Result<ExitCode> {
    let root = args.signing.key()?;
    let issued_at = args.signing.issued_at();
    let not_before = args.keys_not_before.unwrap_or(issued_at);
    let not_after = not_before + TimeDelta::days(i64::from(args.key_valid_days));
    let issuers = args
        .issuers
        .iter()
        .map(|spec| {
            issuer(spec, not_before, not_after).with_context(|| format!("bad --issuer {spec:?}"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let draft = TrustListDraft {
        seq: args.seq,
        issued_at,
        expires_at: issued_at + TimeDelta::days(i64::from(args.valid_days)),
        issuers,
    };
    let out = args.signing.write(&draft.sign(&root)?)?;
    println!(
        "wrote {}: trust list seq {}, {} issuer(s), expires {}",
        out.display(),
        draft.seq,
        draft.issuers.len(),
        draft.expires_at.to_rfc3339()
    );
    Ok(ExitCode::SUCCESS)
}

fn issuer(
    spec: &str,
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
) -> anyhow::Result<IssuerDraft> {
    let mut parts = spec.splitn(3, ',');
    let (Some(key), Some(iss), Some(name)) = (parts.next(), parts.next(), parts.next()) else {
        anyhow::bail!("expected PUB,ISSUER_ID,\"Display name\"");
    };
    Ok(IssuerDraft {
        iss: IssuerId::new(iss.trim())?,
        name: name.trim().to_owned(),
        public_key: input::public_key(key)?,
        not_before,
        not_after,
    })
}
