//! `passgate record`: decide on one scanned pass and record the decision,
//! as a kiosk with a keyboard-wedge scanner does. The decision, the venue
//! rule (with the fever threshold the manager set in the kiosk's database)
//! and the stored entry come from the kiosk's own helpers
//! (`passgate_kiosk::decision`), so a recorded entry is what the kiosk
//! would have recorded.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use passgate_gate::{VenuePolicy, decide};
use passgate_kiosk::KioskConfig;
use passgate_kiosk::decision::{Origin, entry_of, policy_of, stored_fever_threshold};
use passgate_store::{Outcome, Store};

use crate::venue::VenueArgs;
use crate::verify::{DecideArgs, pass_text};

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
    #[command(flatten)]
    decide: DecideArgs,
    /// The pass text (HC1:...), or - to read one line from stdin.
    text: String,
}

/// Decides, records a final decision and prints it with the entry id.
/// Exit 0 admitted, 1 denied or waiting for a temperature (not recorded).
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let config = args.venue.config()?;
    let origin = origin(&args, config.as_ref())?;
    let db = args.venue.db_path(config.as_ref())?;
    let trust = args.decide.trust.load()?;
    let text = pass_text(&args.text)?;
    // An existing database may hold the manager's fever threshold; a new
    // one is created only when there is an entry to record.
    let mut store = db.exists().then(|| open(&db)).transpose()?;
    let policy = policy(config.as_ref(), store.as_ref());

    let now = args.decide.now();
    let temperature = args.decide.temperature;
    let verdict = decide(&text, &trust, &policy, now, temperature);
    let Some(entry) = entry_of(&verdict, temperature, &origin) else {
        println!(
            "CHECK: valid green pass; take the temperature and record again with --temperature"
        );
        println!("  not recorded");
        return Ok(ExitCode::from(1));
    };
    let store = match store.as_mut() {
        Some(s) => s,
        None => store.insert(open(&db)?),
    };
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

fn open(db: &Path) -> anyhow::Result<Store> {
    Store::open(db).with_context(|| format!("cannot open the database {}", db.display()))
}

/// Who records: the flags, else `[venue]` of the configuration.
fn origin(args: &Args, config: Option<&KioskConfig>) -> anyhow::Result<Origin> {
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

/// The kiosk's rule: `[policy]` of the configuration (else the defaults),
/// with the manager's fever threshold from the database when set.
fn policy(config: Option<&KioskConfig>, store: Option<&Store>) -> VenuePolicy {
    let mut policy = config
        .map(|c| policy_of(c, c.policy.fever_threshold_c))
        .unwrap_or_default();
    if let Some(fever) = store.and_then(stored_fever_threshold) {
        policy.fever_threshold_c = fever;
    }
    policy
}
