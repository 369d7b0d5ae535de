//! `passgate record`: decide on one scanned pass and record the decision,
//! as a kiosk with a keyboard-wedge scanner does.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono::{DateTime, TimeDelta, Utc};
use passgate_gate::{TrustState, VenuePolicy, Verdict, decide};
use passgate_kiosk::KioskConfig;
use passgate_pass::{RevocationDoc, RevocationSet, TrustList};
use passgate_store::{Colour, Kind, MAX_REASON_TEXT_CHARS, NewEntry, Outcome, Store, Tz, fit_text};

use crate::input;
use crate::venue::VenueArgs;

/// Arguments of `passgate record`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    venue: VenueArgs,
    /// The venue id (default: `venue.id` of --config).
    #[arg(long = "venue", value_name = "ID")]
    venue_id: Option<String>,
    /// This kiosk's device id (default: `venue.device` of --config).
    #[arg(long)]
    device: Option<String>,
    /// Root public key: a .pub file or 64 hex digits.
    #[arg(long)]
    root: String,
    /// Signed trust list (from `passgate trust sign`).
    #[arg(long)]
    trust: PathBuf,
    /// Signed revocation documents, applied in the order given.
    #[arg(long = "revocations", value_name = "FILE")]
    revocations: Vec<PathBuf>,
    /// Body temperature in °C.
    #[arg(long)]
    temperature: Option<f32>,
    /// Decide and record as of this time (RFC 3339; default: now), e.g.
    /// to replay scans.
    #[arg(long, value_parser = input::rfc3339)]
    at: Option<DateTime<Utc>>,
    /// The pass text (HC1:...), or - to read one line from stdin.
    text: String,
}

/// Decides, records a final decision and prints it with the entry id.
/// Exit 0 admitted, 1 denied or waiting for a temperature (not recorded).
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let config = args.venue.config()?;
    let origin = Origin::from_args(&args, config.as_ref())?;
    let db = args.venue.db_path(config.as_ref())?;
    let policy = config.as_ref().map(policy_of).unwrap_or_default();

    let root = input::public_key(&args.root).context("cannot load the root key (--root)")?;
    let list = TrustList::verify(&input::file(&args.trust, "trust list")?, &root)
        .with_context(|| format!("cannot use the trust list {}", args.trust.display()))?;
    let mut revocations = RevocationSet::new();
    for path in &args.revocations {
        RevocationDoc::verify(&input::file(path, "revocation document")?, &root)
            .and_then(|doc| revocations.apply(&doc))
            .with_context(|| format!("cannot use the revocation document {}", path.display()))?;
    }
    let text = if args.text == "-" {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the pass text from stdin")?;
        line
    } else {
        args.text.clone()
    };

    let now = input::now_or(args.at);
    let verdict = decide(
        text.trim_end_matches(['\r', '\n']),
        &TrustState::new(list, revocations),
        &policy,
        now,
        args.temperature,
    );
    let Some(entry) = new_entry(&verdict, args.temperature, &origin) else {
        println!(
            "CHECK: valid green pass; take the temperature and record again with --temperature"
        );
        println!("  not recorded");
        return Ok(ExitCode::from(1));
    };
    let mut store =
        Store::open(&db).with_context(|| format!("cannot open the database {}", db.display()))?;
    let id = store
        .record(&entry, now)
        .context("cannot record the entry; it was not saved")?;
    match entry.outcome {
        Outcome::Admit => println!("ADMIT"),
        Outcome::Deny => println!("DENY ({}): {}", entry.reason_code, entry.reason_text),
    }
    if let Some(name) = &entry.masked_name {
        println!("  name         {name}");
    }
    if let Some(t) = entry.temperature {
        println!("  temperature  {t:.1} °C");
    }
    println!("  recorded     {id}");
    Ok(if verdict.is_admit() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Who records: venue, device and time zone.
struct Origin {
    venue_id: String,
    device_id: String,
    tz: Tz,
}

impl Origin {
    fn from_args(args: &Args, config: Option<&KioskConfig>) -> anyhow::Result<Origin> {
        let pick = |flag: &Option<String>, from_config: Option<&String>, what: &str| {
            flag.clone()
                .or_else(|| from_config.cloned())
                .with_context(|| format!("give the {what} with --{what} or --config kiosk.toml"))
        };
        Ok(Origin {
            venue_id: pick(&args.venue_id, config.map(|c| &c.venue.id), "venue")?,
            device_id: pick(&args.device, config.map(|c| &c.venue.device), "device")?,
            tz: args.venue.tz(config),
        })
    }
}

/// The venue rule from `[policy]` of kiosk.toml.
fn policy_of(config: &KioskConfig) -> VenuePolicy {
    let p = &config.policy;
    VenuePolicy {
        fever_threshold_c: p.fever_threshold_c,
        require_temperature: p.require_temperature,
        clock_skew: TimeDelta::seconds(i64::from(p.clock_skew_seconds)),
        trust_list_grace: TimeDelta::hours(i64::from(p.trust_list_grace_hours)),
        max_code_age: (p.max_code_age_minutes > 0)
            .then(|| TimeDelta::minutes(i64::from(p.max_code_age_minutes))),
    }
}

/// The entry for a final decision; `None` while a temperature is awaited.
fn new_entry(verdict: &Verdict, temperature: Option<f32>, origin: &Origin) -> Option<NewEntry> {
    let (outcome, reason_code, reason_text) = match verdict {
        Verdict::Admit { .. } => (Outcome::Admit, "ok".to_owned(), "admitted".to_owned()),
        Verdict::Deny { reason, .. } => (
            Outcome::Deny,
            reason.code().to_owned(),
            fit_text(&reason.to_string(), MAX_REASON_TEXT_CHARS),
        ),
        Verdict::NeedsTemperature { .. } => return None,
    };
    let pass = verdict.pass();
    Some(NewEntry {
        venue_id: origin.venue_id.clone(),
        device_id: origin.device_id.clone(),
        tz: origin.tz,
        kind: Kind::Scan,
        outcome,
        reason_code,
        reason_text,
        colour: pass.map(|p| match p.colour {
            passgate_pass::CodeColour::Green => Colour::Green,
            passgate_pass::CodeColour::Yellow => Colour::Yellow,
            passgate_pass::CodeColour::Red => Colour::Red,
        }),
        issuer: pass.map(|p| p.issuer.to_string()),
        subject: pass.map(|p| p.subject.clone()),
        masked_name: pass.map(|p| p.masked_name.clone()),
        temperature,
        pass_id: pass.map(|p| p.pass_id.to_hex()),
    })
}
