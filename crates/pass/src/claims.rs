//! The CWT claims of a pass and their CBOR form.
//!
//! Claims map: `1` iss (text), `4` exp, `6` iat and optional `5` nbf
//! (integer seconds since the Unix epoch), `7` cti (16 bytes, the pass id) and
//! `"hc"` = `{"s": "green"|"yellow"|"red", "sub": pseudonym, "n": masked name}`.
//! Unknown claims are ignored; duplicate keys are refused.

use std::fmt;

use chrono::{DateTime, Utc};
use ciborium::Value;
use serde::{Deserialize, Serialize};

use crate::error::DecodeError;
use crate::ids::{IssuerId, PassId};

/// Maximum length, in characters, of the subject pseudonym and of the masked name.
pub const MAX_SUBJECT_CHARS: usize = 64;

const ISS: i64 = 1;
const EXP: i64 = 4;
const NBF: i64 = 5;
const IAT: i64 = 6;
const CTI: i64 = 7;
const HC: &str = "hc";

/// The health code colour of a pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeColour {
    /// No restriction.
    Green,
    /// Restricted: not admitted.
    Yellow,
    /// Restricted: not admitted.
    Red,
}

impl CodeColour {
    /// The text used in the pass and in storage: `green`, `yellow` or `red`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Green => "green",
            Self::Yellow => "yellow",
            Self::Red => "red",
        }
    }
}

impl fmt::Display for CodeColour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for CodeColour {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "green" => Ok(Self::Green),
            "yellow" => Ok(Self::Yellow),
            "red" => Ok(Self::Red),
            other => Err(format!(
                "unknown code colour {other:?}: use green, yellow or red"
            )),
        }
    }
}

/// The `"hc"` claim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthClaim {
    /// Code colour (`"s"`).
    pub status: CodeColour,
    /// Opaque subject pseudonym (`"sub"`), 1 to 64 characters.
    pub subject: String,
    /// Masked display name (`"n"`), e.g. `刘*爽`, 1 to 64 characters.
    pub masked_name: String,
}

/// All claims of a pass.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer id (claim 1).
    pub iss: IssuerId,
    /// Issued at (claim 6).
    pub iat: DateTime<Utc>,
    /// Expires at (claim 4); the pass is valid while `now < exp`.
    pub exp: DateTime<Utc>,
    /// Optional not-before (claim 5).
    pub nbf: Option<DateTime<Utc>>,
    /// Pass id (claim 7, cti).
    pub pass_id: PassId,
    /// The health claim.
    pub health: HealthClaim,
}

impl Claims {
    /// Checks the profile's rules that do not depend on the clock.
    pub fn check(&self) -> Result<(), DecodeError> {
        let bad = |claim: &str, detail: &str| {
            Err(DecodeError::BadClaim {
                claim: claim.into(),
                detail: detail.into(),
            })
        };
        if self.exp <= self.iat {
            return bad("exp", "must be after iat");
        }
        if self.nbf.is_some_and(|nbf| nbf >= self.exp) {
            return bad("nbf", "must be before exp");
        }
        check_text("hc.sub", &self.health.subject)?;
        check_text("hc.n", &self.health.masked_name)
    }

    /// The CBOR claims map.
    pub fn to_cbor(&self) -> Value {
        let mut map = vec![
            (Value::from(ISS), Value::from(self.iss.as_str())),
            (Value::from(EXP), Value::from(self.exp.timestamp())),
        ];
        if let Some(nbf) = self.nbf {
            map.push((Value::from(NBF), Value::from(nbf.timestamp())));
        }
        map.push((Value::from(IAT), Value::from(self.iat.timestamp())));
        map.push((
            Value::from(CTI),
            Value::Bytes(self.pass_id.as_bytes().to_vec()),
        ));
        let hc = vec![
            (Value::from("s"), Value::from(self.health.status.as_str())),
            (
                Value::from("sub"),
                Value::from(self.health.subject.as_str()),
            ),
            (
                Value::from("n"),
                Value::from(self.health.masked_name.as_str()),
            ),
        ];
        map.push((Value::from(HC), Value::Map(hc)));
        Value::Map(map)
    }

    /// Reads and checks a CBOR claims map.
    pub fn from_cbor(value: Value) -> Result<Self, DecodeError> {
        let Value::Map(entries) = value else {
            return Err(bad_claim("claims", "must be a cbor map"));
        };
        let fields = Fields::new(entries, "claims")?;
        let iss = fields.text(&Value::from(ISS), "iss")?;
        let iss = IssuerId::new(iss).map_err(|e| bad_claim("iss", &e.to_string()))?;
        let iat = fields.time(&Value::from(IAT), "iat")?;
        let exp = fields.time(&Value::from(EXP), "exp")?;
        let nbf = match fields.get(&Value::from(NBF)) {
            Some(v) => Some(time_of(v, "nbf")?),
            None => None,
        };
        let cti = match fields.required(&Value::from(CTI), "cti")? {
            Value::Bytes(b) => b,
            _ => return Err(bad_claim("cti", "must be a byte string")),
        };
        let pass_id = PassId::from_slice(cti).map_err(|e| bad_claim("cti", &e.to_string()))?;
        let hc = match fields.required(&Value::from(HC), "hc")? {
            Value::Map(m) => Fields::new(m.clone(), "hc")?,
            _ => return Err(bad_claim("hc", "must be a map")),
        };
        let status = hc
            .text(&Value::from("s"), "hc.s")?
            .parse()
            .map_err(|e: String| bad_claim("hc.s", &e))?;
        let health = HealthClaim {
            status,
            subject: hc.text(&Value::from("sub"), "hc.sub")?,
            masked_name: hc.text(&Value::from("n"), "hc.n")?,
        };
        let claims = Self {
            iss,
            iat,
            exp,
            nbf,
            pass_id,
            health,
        };
        claims.check()?;
        Ok(claims)
    }
}

fn check_text(claim: &str, text: &str) -> Result<(), DecodeError> {
    let chars = text.chars().count();
    if chars == 0 || chars > MAX_SUBJECT_CHARS {
        return Err(bad_claim(claim, "must be 1 to 64 characters"));
    }
    if text.chars().any(char::is_control) {
        return Err(bad_claim(claim, "must not contain control characters"));
    }
    Ok(())
}

fn bad_claim(claim: &str, detail: &str) -> DecodeError {
    DecodeError::BadClaim {
        claim: claim.into(),
        detail: detail.into(),
    }
}

fn time_of(value: &Value, claim: &str) -> Result<DateTime<Utc>, DecodeError> {
    let secs = value
        .as_integer()
        .and_then(|i| i64::try_from(i).ok())
        .ok_or_else(|| bad_claim(claim, "must be an integer number of seconds"))?;
    DateTime::from_timestamp(secs, 0).ok_or_else(|| bad_claim(claim, "is out of range"))
}

/// A CBOR map with unique keys.
struct Fields(Vec<(Value, Value)>);

impl Fields {
    fn new(entries: Vec<(Value, Value)>, what: &str) -> Result<Self, DecodeError> {
        for (i, (key, _)) in entries.iter().enumerate() {
            if entries[..i].iter().any(|(k, _)| k == key) {
                return Err(bad_claim(what, "has a duplicate key"));
            }
        }
        Ok(Self(entries))
    }

    fn get(&self, key: &Value) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn required(&self, key: &Value, name: &str) -> Result<&Value, DecodeError> {
        self.get(key)
            .ok_or_else(|| DecodeError::MissingClaim(name.into()))
    }

    fn text(&self, key: &Value, name: &str) -> Result<String, DecodeError> {
        match self.required(key, name)? {
            Value::Text(t) => Ok(t.clone()),
            _ => Err(bad_claim(name, "must be text")),
        }
    }

    fn time(&self, key: &Value, name: &str) -> Result<DateTime<Utc>, DecodeError> {
        time_of(self.required(key, name)?, name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample() -> Claims {
        Claims {
            iss: IssuerId::new("CN-LN").unwrap(),
            iat: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
            exp: DateTime::from_timestamp(1_800_003_600, 0).unwrap(),
            nbf: None,
            pass_id: PassId::from_bytes([3; 16]),
            health: HealthClaim {
                status: CodeColour::Green,
                subject: "p-123".into(),
                masked_name: "刘*爽".into(),
            },
        }
    }

    #[test]
    fn claims_round_trip_through_cbor() {
        let mut c = sample();
        assert_eq!(Claims::from_cbor(c.to_cbor()).unwrap(), c);
        c.nbf = Some(c.iat);
        assert_eq!(Claims::from_cbor(c.to_cbor()).unwrap(), c);
    }

    #[test]
    fn missing_hc_is_named() {
        let Value::Map(mut m) = sample().to_cbor() else {
            unreachable!()
        };
        m.retain(|(k, _)| k != &Value::from("hc"));
        assert_eq!(
            Claims::from_cbor(Value::Map(m)),
            Err(DecodeError::MissingClaim("hc".into()))
        );
    }

    #[test]
    fn duplicate_claim_keys_are_refused() {
        let Value::Map(mut m) = sample().to_cbor() else {
            unreachable!()
        };
        m.push((Value::from(1), Value::from("CN-BJ")));
        assert!(matches!(
            Claims::from_cbor(Value::Map(m)),
            Err(DecodeError::BadClaim { .. })
        ));
    }

    #[test]
    fn unknown_colour_and_long_subject_are_refused() {
        let mut c = sample();
        c.health.subject = "x".repeat(65);
        assert!(Claims::from_cbor(c.to_cbor()).is_err());
        let Value::Map(mut m) = sample().to_cbor() else {
            unreachable!()
        };
        m.retain(|(k, _)| k != &Value::from("hc"));
        m.push((
            Value::from("hc"),
            Value::Map(vec![
                (Value::from("s"), Value::from("blue")),
                (Value::from("sub"), Value::from("p")),
                (Value::from("n"), Value::from("n")),
            ]),
        ));
        assert!(
            matches!(Claims::from_cbor(Value::Map(m)), Err(DecodeError::BadClaim { claim, .. }) if claim == "hc.s")
        );
    }

    #[test]
    fn exp_must_follow_iat() {
        let mut c = sample();
        c.exp = c.iat;
        assert!(matches!(c.check(), Err(DecodeError::BadClaim { claim, .. }) if claim == "exp"));
    }
}
