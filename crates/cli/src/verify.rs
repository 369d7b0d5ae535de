//! `passgate verify`: decide on a pass like a kiosk would.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono::{DateTime, TimeDelta, Utc};
use passgate_gate::{TrustState, VenuePolicy, Verdict, decide};
use passgate_pass::{RevocationDoc, RevocationSet, TrustList};
use serde_json::json;

use crate::{input, qr_image};

/// The trust documents a pass is checked against (`verify` and `record`).
#[derive(clap::Args, Debug)]
pub struct TrustArgs {
    /// Root public key: a .pub file or 64 hex digits.
    #[arg(long)]
    root: String,
    /// Signed trust list (from `passgate trust sign`).
    #[arg(long)]
    trust: PathBuf,
    /// Signed revocation documents, applied in the order given.
    #[arg(long = "revocations", value_name = "FILE")]
    revocations: Vec<PathBuf>,
}

impl TrustArgs {
    /// Verifies the trust list and the revocation documents with the root key.
    pub fn load(&self) -> anyhow::Result<TrustState> {
        let root = input::public_key(&self.root).context("cannot load the root key (--root)")?;
        let list = TrustList::verify(&input::file(&self.trust, "trust list")?, &root)
            .with_context(|| format!("cannot use the trust list {}", self.trust.display()))?;
        let mut revocations = RevocationSet::new();
        for path in &self.revocations {
            RevocationDoc::verify(&input::file(path, "revocation document")?, &root)
                .and_then(|doc| revocations.apply(&doc))
                .with_context(|| {
                    format!("cannot use the revocation document {}", path.display())
                })?;
        }
        Ok(TrustState::new(list, revocations))
    }
}

/// What a decision needs besides the pass and the venue rule (`verify` and `record`).
#[derive(clap::Args, Debug)]
pub struct DecideArgs {
    #[command(flatten)]
    pub trust: TrustArgs,
    /// Body temperature in °C.
    #[arg(long)]
    pub temperature: Option<f32>,
    /// Decide as of this time (RFC 3339; default: now), e.g. to replay scans.
    #[arg(long, value_parser = input::rfc3339)]
    pub at: Option<DateTime<Utc>>,
}

impl DecideArgs {
    /// `--at`, else now.
    pub fn now(&self) -> DateTime<Utc> {
        input::now_or(self.at)
    }
}

/// Arguments of `passgate verify`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    decide: DecideArgs,
    /// Deny for lack of a temperature (as a kiosk does by default).
    #[arg(long)]
    require_temperature: bool,
    /// Fever threshold in °C.
    #[arg(long, default_value_t = 37.3)]
    fever_threshold: f32,
    /// Largest accepted age of the pass's issue time, in minutes (dynamic codes).
    #[arg(long)]
    max_age_minutes: Option<u32>,
    /// Print the verdict as JSON.
    #[arg(long)]
    json: bool,
    /// Read the QR code from an image (PNG or JPEG) instead of TEXT.
    #[arg(long, value_name = "FILE", conflicts_with = "text")]
    image: Option<PathBuf>,
    /// The pass text (HC1:...), or - to read one line from stdin.
    #[arg(required_unless_present = "image")]
    text: Option<String>,
}

/// Prints the verdict; exit 0 admit, 1 deny (or temperature needed).
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let trust = args.decide.trust.load()?;
    let text = match (&args.image, args.text.as_deref()) {
        (Some(image), _) => qr_image::read_qr_text(image)?,
        (None, Some(text)) => pass_text(text)?,
        (None, None) => anyhow::bail!("give the pass text or --image FILE"),
    };
    let text = text.trim_end_matches(['\r', '\n']);
    let policy = VenuePolicy {
        fever_threshold_c: args.fever_threshold,
        require_temperature: args.require_temperature,
        max_code_age: args
            .max_age_minutes
            .map(|m| TimeDelta::minutes(i64::from(m))),
        ..VenuePolicy::default()
    };
    let temperature = args.decide.temperature;
    let verdict = decide(text, &trust, &policy, args.decide.now(), temperature);
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&to_json(&verdict, temperature))?
        );
    } else {
        print_text(&verdict);
    }
    Ok(if verdict.is_admit() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The pass text argument without its line ending; `-` reads one line from stdin.
pub fn pass_text(arg: &str) -> anyhow::Result<String> {
    let text = if arg == "-" {
        stdin_line()?
    } else {
        arg.to_owned()
    };
    Ok(text.trim_end_matches(['\r', '\n']).to_owned())
}

fn stdin_line() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the pass text from stdin")?;
    Ok(line)
}

fn to_json(verdict: &Verdict, temperature: Option<f32>) -> serde_json::Value {
    json!({
        "verdict": verdict.outcome(),
        "reason": verdict.reason().map(|r| r.code()),
        "reason_text": verdict.reason().map(ToString::to_string),
        "reason_detail": verdict.reason(),
        "pass": verdict.pass(),
        "temperature": temperature,
    })
}

fn print_text(verdict: &Verdict) {
    match verdict {
        Verdict::Admit { temperature, .. } => {
            println!("ADMIT");
            if let Some(t) = temperature {
                println!("  temperature  {t:.1} °C");
            }
        }
        Verdict::Deny { reason, .. } => println!("DENY ({}): {reason}", reason.code()),
        Verdict::NeedsTemperature { .. } => {
            println!(
                "CHECK: valid green pass; take the temperature and verify again with --temperature"
            );
        }
    }
    if let Some(p) = verdict.pass() {
        println!("  name         {}", p.masked_name);
        println!("  code         {}", p.colour);
        println!("  issuer       {} ({})", p.issuer, p.issuer_name);
        println!("  pass id      {}", p.pass_id);
        println!("  issued       {}", p.iat.to_rfc3339());
        println!("  expires      {}", p.exp.to_rfc3339());
    }
}
