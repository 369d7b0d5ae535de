//! Entry types: what the kiosk records, what the sync client uploads and
//! what the hub stores. Pure data, no IO.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{Error, Result};

/// The id of an entry: a UUIDv7, so ids sort roughly by time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EntryId(pub Uuid);

impl fmt::Display for EntryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl FromStr for EntryId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(EntryId)
    }
}

/// Whether the entry comes from a scanned pass or was typed by the attendant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A scanned pass.
    Scan,
    /// An entry the attendant recorded by hand.
    Manual,
}

/// The final decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The visitor was let in.
    Admit,
    /// The visitor was turned away.
    Deny,
}

/// The health code colour carried by the pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Colour {
    /// Green code.
    Green,
    /// Yellow code.
    Yellow,
    /// Red code.
    Red,
}

macro_rules! text_enum {
    ($ty:ident, $what:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $ty {
            /// The stable lower-case name stored in the database and in exports.
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $text),+ }
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $ty {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self> {
                match s {
                    $($text => Ok($ty::$variant),)+
                    other => Err(Error::InvalidArgument(format!(
                        concat!("unknown ", $what, " {:?} (expected one of: ", $($text, " "),+, ")"),
                        other
                    ))),
                }
            }
        }
    };
}

text_enum!(Kind, "entry kind", { Scan => "scan", Manual => "manual" });
text_enum!(Outcome, "outcome", { Admit => "admit", Deny => "deny" });
text_enum!(Colour, "code colour", { Green => "green", Yellow => "yellow", Red => "red" });

/// A decision to record, as the kiosk knows it. The store adds the id and
/// the times.
///
/// Only final decisions are recorded (admit or deny); a pass waiting for a
/// temperature reading is not an entry yet.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEntry {
    /// The venue this kiosk belongs to.
    pub venue_id: String,
    /// This kiosk's device id.
    pub device_id: String,
    /// The venue's time zone, used for the local time and day.
    pub tz: Tz,
    /// Scan or manual entry.
    pub kind: Kind,
    /// Admit or deny.
    pub outcome: Outcome,
    /// A stable snake_case reason code (`ok`, `expired`, `fever`, ...).
    pub reason_code: String,
    /// The reason in words, as shown to the attendant.
    pub reason_text: String,
    /// The pass's code colour, when a pass was decoded.
    pub colour: Option<Colour>,
    /// The issuer id, when known.
    pub issuer: Option<String>,
    /// The subject pseudonym, when known.
    pub subject: Option<String>,
    /// The masked display name, when known.
    pub masked_name: Option<String>,
    /// Body temperature in degrees Celsius, when taken.
    pub temperature: Option<f32>,
    /// The pass id (cti) in hex, when known.
    pub pass_id: Option<String>,
}

/// A recorded entry: one row of the log. This is also the upload format of
/// the sync protocol and the row the hub stores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// UUIDv7 id, unique across all kiosks.
    pub id: EntryId,
    /// When the decision was made (UTC, RFC 3339 in JSON).
    pub at: DateTime<Utc>,
    /// The same instant in the venue's time zone, with its UTC offset.
    pub local_time: DateTime<FixedOffset>,
    /// The venue-local day (`YYYY-MM-DD` in JSON).
    pub local_day: NaiveDate,
    /// The venue.
    pub venue_id: String,
    /// The kiosk that recorded it.
    pub device_id: String,
    /// Scan or manual entry.
    pub kind: Kind,
    /// Admit or deny.
    pub outcome: Outcome,
    /// Stable snake_case reason code.
    pub reason_code: String,
    /// The reason in words.
    pub reason_text: String,
    /// Code colour, when a pass was decoded.
    pub colour: Option<Colour>,
    /// Issuer id.
    pub issuer: Option<String>,
    /// Subject pseudonym.
    pub subject: Option<String>,
    /// Masked display name.
    pub masked_name: Option<String>,
    /// Temperature in degrees Celsius.
    pub temperature: Option<f32>,
    /// Pass id (hex).
    pub pass_id: Option<String>,
}

/// Longest accepted id / code / pseudonym / name, in characters.
pub const MAX_FIELD_CHARS: usize = 64;
/// Longest accepted reason text, in characters.
pub const MAX_REASON_TEXT_CHARS: usize = 500;

/// Makes free text acceptable to [`NewEntry::validate`]: control
/// characters become spaces and text longer than `max_chars` is cut,
/// ending in `…`. For callers that build entries from text they do not
/// control (decoder error messages, say), so an entry is never lost to a
/// long or odd string.
pub fn fit_text(text: &str, max_chars: usize) -> String {
    let clean = text.chars().map(|c| if c.is_control() { ' ' } else { c });
    if text.chars().count() <= max_chars {
        return clean.collect();
    }
    let mut out: String = clean.take(max_chars.saturating_sub(1)).collect();
    out.push('…');
    out
}

impl NewEntry {
    /// Checks the fields; a bad entry is refused before anything is written.
    pub fn validate(&self) -> Result<()> {
        let bad = |msg: String| Err(Error::InvalidEntry(msg));
        for (name, value) in [("venue id", &self.venue_id), ("device id", &self.device_id)] {
            if value.trim().is_empty() {
                return bad(format!("{name} is empty"));
            }
            check_len(name, value, MAX_FIELD_CHARS)?;
        }
        let code_ok = !self.reason_code.is_empty()
            && self.reason_code.len() <= MAX_FIELD_CHARS
            && self
                .reason_code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !code_ok {
            return bad(format!(
                "reason code {:?} is not a snake_case code of at most {MAX_FIELD_CHARS} characters",
                self.reason_code
            ));
        }
        check_len("reason text", &self.reason_text, MAX_REASON_TEXT_CHARS)?;
        for (name, value) in [
            ("issuer", &self.issuer),
            ("subject", &self.subject),
            ("masked name", &self.masked_name),
            ("pass id", &self.pass_id),
        ] {
            if let Some(v) = value {
                check_len(name, v, MAX_FIELD_CHARS)?;
            }
        }
        if let Some(p) = &self.pass_id
            && !p.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return bad(format!("pass id {p:?} is not hex"));
        }
        if let Some(t) = self.temperature
            && !(t.is_finite() && (0.0..=100.0).contains(&t))
        {
            return bad(format!(
                "temperature {t} is not a plausible reading in degrees celsius"
            ));
        }
        Ok(())
    }

    /// Builds the stored entry for this decision at `now` with the given id.
    /// Pure: the caller supplies the id and the instant.
    pub fn to_entry(&self, id: EntryId, now: DateTime<Utc>) -> Entry {
        let local = now.with_timezone(&self.tz);
        Entry {
            id,
            at: now,
            local_time: local.fixed_offset(),
            local_day: local.date_naive(),
            venue_id: self.venue_id.clone(),
            device_id: self.device_id.clone(),
            kind: self.kind,
            outcome: self.outcome,
            reason_code: self.reason_code.clone(),
            reason_text: self.reason_text.clone(),
            colour: self.colour,
            issuer: self.issuer.clone(),
            subject: self.subject.clone(),
            masked_name: self.masked_name.clone(),
            temperature: self.temperature,
            pass_id: self.pass_id.clone(),
        }
    }
}

fn check_len(name: &str, value: &str, max: usize) -> Result<()> {
    if value.chars().count() > max {
        return Err(Error::InvalidEntry(format!(
            "{name} is longer than {max} characters"
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::InvalidEntry(format!(
            "{name} contains control characters"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn sample() -> NewEntry {
        NewEntry {
            venue_id: "venue-1".into(),
            device_id: "kiosk-1".into(),
            tz: chrono_tz::Asia::Shanghai,
            kind: Kind::Scan,
            outcome: Outcome::Admit,
            reason_code: "ok".into(),
            reason_text: "Admitted".into(),
            colour: Some(Colour::Green),
            issuer: Some("CN-LN".into()),
            subject: Some("subj-1".into()),
            masked_name: Some("刘*爽".into()),
            temperature: Some(36.6),
            pass_id: Some("00ff".into()),
        }
    }

    fn check(change: impl FnOnce(&mut NewEntry), expect_err: Option<&str>) {
        let mut e = sample();
        change(&mut e);
        match (e.validate(), expect_err) {
            (Ok(()), None) => {}
            (Err(err), Some(part)) => assert!(err.to_string().contains(part), "{err}"),
            (got, want) => panic!("got {got:?}, wanted error containing {want:?}"),
        }
    }

    #[test]
    fn validation_table() {
        check(|_| {}, None);
        check(|e| e.venue_id = " ".into(), Some("venue id is empty"));
        check(|e| e.device_id = String::new(), Some("device id is empty"));
        check(|e| e.reason_code = "Fever".into(), Some("snake_case"));
        check(|e| e.reason_code = String::new(), Some("snake_case"));
        check(
            |e| e.subject = Some("x".repeat(65)),
            Some("subject is longer"),
        );
        check(|e| e.masked_name = Some("a\nb".into()), Some("control"));
        check(|e| e.pass_id = Some("zz".into()), Some("not hex"));
        check(|e| e.temperature = Some(f32::NAN), Some("temperature"));
        check(|e| e.temperature = Some(-1.0), Some("temperature"));
        check(|e| e.temperature = None, None);
        check(|e| e.masked_name = Some("刘".repeat(64)), None);
    }

    #[test]
    fn fit_text_cleans_and_cuts() {
        assert_eq!(fit_text("ok", 5), "ok");
        assert_eq!(fit_text("a\nb\tc", 10), "a b c");
        assert_eq!(fit_text("刘刘刘刘刘刘", 4), "刘刘刘…");
        assert_eq!(fit_text("abcd", 4), "abcd");
        let long = "x".repeat(MAX_REASON_TEXT_CHARS * 2);
        let e = NewEntry {
            reason_text: fit_text(&long, MAX_REASON_TEXT_CHARS),
            ..sample()
        };
        assert!(e.validate().is_ok());
    }

    #[test]
    fn local_day_follows_the_venue_time_zone() {
        // 2026-11-27 17:30 UTC is already 2026-11-28 01:30 in Shanghai.
        let now = Utc.with_ymd_and_hms(2026, 11, 27, 17, 30, 0).unwrap();
        let e = sample().to_entry(EntryId(Uuid::nil()), now);
        assert_eq!(e.local_day, NaiveDate::from_ymd_opt(2026, 11, 28).unwrap());
        assert_eq!(e.local_time.to_rfc3339(), "2026-11-28T01:30:00+08:00");
        assert_eq!(e.at, now);
    }

    #[test]
    fn entry_json_uses_rfc3339_and_plain_day() {
        let now = Utc.with_ymd_and_hms(2026, 11, 28, 1, 2, 3).unwrap();
        let id: EntryId = "019ac9a2-0000-7000-8000-000000000001".parse().unwrap();
        let e = sample().to_entry(id, now);
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["id"], "019ac9a2-0000-7000-8000-000000000001");
        assert_eq!(json["at"], "2026-11-28T01:02:03Z");
        assert_eq!(json["local_day"], "2026-11-28");
        assert_eq!(json["outcome"], "admit");
        assert_eq!(json["colour"], "green");
        let back: Entry = serde_json::from_value(json).unwrap();
        assert_eq!(back, e);
    }

    #[test]
    fn text_enums_round_trip_and_reject_unknown() {
        for k in [Kind::Scan, Kind::Manual] {
            assert_eq!(k.as_str().parse::<Kind>().unwrap(), k);
        }
        for c in [Colour::Green, Colour::Yellow, Colour::Red] {
            assert_eq!(c.to_string().parse::<Colour>().unwrap(), c);
        }
        let err = "maybe".parse::<Outcome>().unwrap_err().to_string();
        assert!(err.contains("unknown outcome \"maybe\""), "{err}");
    }
}
