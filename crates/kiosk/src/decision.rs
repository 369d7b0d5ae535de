//! From the gate's verdict to what is stored and what is shown. Pure.

use chrono::{DateTime, TimeDelta, Utc};
use passgate_gate::{VenuePolicy, Verdict};
use passgate_pass::CodeColour;
use passgate_store::{Colour, Kind, MAX_REASON_TEXT_CHARS, NewEntry, Outcome, Store, Tz, fit_text};

use crate::config::KioskConfig;
use crate::view::{InputKind, VerdictKind, VerdictView};

/// Who records: venue, device and the venue's time zone.
#[derive(Debug, Clone, PartialEq)]
pub struct Origin {
    /// Venue id.
    pub venue_id: String,
    /// Device id.
    pub device_id: String,
    /// Venue time zone.
    pub tz: Tz,
}

impl Origin {
    /// The origin named in `kiosk.toml`.
    pub fn of(config: &KioskConfig) -> Self {
        Self {
            venue_id: config.venue.id.clone(),
            device_id: config.venue.device.clone(),
            tz: config.time_zone(),
        }
    }
}

/// The store setting that holds the manager's fever threshold.
pub const SETTING_FEVER: &str = "kiosk.fever_threshold_c";

/// The fever threshold the manager set on this kiosk, if any.
pub fn stored_fever_threshold(store: &Store) -> Option<f32> {
    store
        .setting(SETTING_FEVER)
        .ok()
        .flatten()
        .and_then(|v| v.parse().ok())
}

/// The venue rule a kiosk with this store applies: `[policy]`, with the
/// manager's fever threshold when one is set.
pub fn policy_in(config: &KioskConfig, store: &Store) -> VenuePolicy {
    policy_of(
        config,
        stored_fever_threshold(store).unwrap_or(config.policy.fever_threshold_c),
    )
}

/// The venue rule from `[policy]`, with the manager's overrides.
pub fn policy_of(config: &KioskConfig, fever_threshold_c: f32) -> VenuePolicy {
    let p = &config.policy;
    VenuePolicy {
        fever_threshold_c,
        require_temperature: p.require_temperature,
        clock_skew: TimeDelta::seconds(i64::from(p.clock_skew_seconds)),
        trust_list_grace: TimeDelta::hours(i64::from(p.trust_list_grace_hours)),
        max_code_age: (p.max_code_age_minutes > 0)
            .then(|| TimeDelta::minutes(i64::from(p.max_code_age_minutes))),
    }
}

fn colour(c: CodeColour) -> Colour {
    match c {
        CodeColour::Green => Colour::Green,
        CodeColour::Yellow => Colour::Yellow,
        CodeColour::Red => Colour::Red,
    }
}

fn reason_of(verdict: &Verdict) -> (String, String) {
    match verdict {
        Verdict::Admit { .. } => ("ok".into(), "admitted".into()),
        Verdict::NeedsTemperature { .. } => (
            "needs_temperature".into(),
            "valid green pass: take the temperature".into(),
        ),
        Verdict::Deny { reason, .. } => (
            reason.code().into(),
            fit_text(&reason.to_string(), MAX_REASON_TEXT_CHARS),
        ),
    }
}

/// The temperature a verdict carries (admitted, or denied for fever).
pub fn temperature_of(verdict: &Verdict, keyed: Option<f32>) -> Option<f32> {
    match verdict {
        Verdict::Admit { temperature, .. } => temperature.or(keyed),
        _ => keyed,
    }
}

/// The entry for a final decision; `None` for the amber NEEDS TEMPERATURE.
pub fn entry_of(verdict: &Verdict, temperature: Option<f32>, origin: &Origin) -> Option<NewEntry> {
    let outcome = match verdict {
        Verdict::Admit { .. } => Outcome::Admit,
        Verdict::Deny { .. } => Outcome::Deny,
        Verdict::NeedsTemperature { .. } => return None,
    };
    let (reason_code, reason_text) = reason_of(verdict);
    let pass = verdict.pass();
    Some(NewEntry {
        venue_id: origin.venue_id.clone(),
        device_id: origin.device_id.clone(),
        tz: origin.tz,
        kind: Kind::Scan,
        outcome,
        reason_code,
        reason_text,
        colour: pass.map(|p| colour(p.colour)),
        issuer: pass.map(|p| p.issuer.to_string()),
        subject: pass.map(|p| p.subject.clone()),
        masked_name: pass.map(|p| p.masked_name.clone()),
        temperature: temperature_of(verdict, temperature),
        pass_id: pass.map(|p| p.pass_id.to_hex()),
    })
}

/// What the attendant sees for a verdict.
pub fn view_of(
    verdict: &Verdict,
    temperature: Option<f32>,
    seq: u32,
    input: InputKind,
    at: DateTime<Utc>,
    tz: Tz,
    recorded: bool,
) -> VerdictView {
    let (reason_code, reason_text) = reason_of(verdict);
    let pass = verdict.pass();
    VerdictView {
        seq,
        kind: match verdict {
            Verdict::Admit { .. } => VerdictKind::Admit,
            Verdict::Deny { .. } => VerdictKind::Deny,
            Verdict::NeedsTemperature { .. } => VerdictKind::NeedsTemperature,
        },
        reason_code,
        reason_text,
        masked_name: pass.map(|p| p.masked_name.clone()),
        issuer: pass.map(|p| {
            if p.issuer_name.is_empty() {
                p.issuer.to_string()
            } else {
                p.issuer_name.clone()
            }
        }),
        colour: pass.map(|p| p.colour.as_str().to_string()),
        temperature: temperature_of(verdict, temperature),
        recorded,
        input,
        at: at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        time: at.with_timezone(&tz).format("%H:%M:%S").to_string(),
        hold_seconds: None,
    }
}
