//! The outcome of a scan.

use chrono::{DateTime, Utc};
use passgate_pass::{CodeColour, IssuerId, Kid, PassId, TrustedIssuer, VerifiedPass};
use serde::{Deserialize, Serialize};

use crate::reason::Reason;

/// What the kiosk records about a pass whose signature verified.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassInfo {
    /// Pass id (cti).
    pub pass_id: PassId,
    /// Issuer id (iss).
    pub issuer: IssuerId,
    /// Issuer display name from the trust list.
    pub issuer_name: String,
    /// Kid of the signing key.
    pub kid: Kid,
    /// Subject pseudonym.
    pub subject: String,
    /// Masked display name.
    pub masked_name: String,
    /// Code colour.
    pub colour: CodeColour,
    /// Issued at.
    pub iat: DateTime<Utc>,
    /// Expires at.
    pub exp: DateTime<Utc>,
}

impl PassInfo {
    /// Builds the record from a verified pass and the trust-list entry of its key.
    pub fn new(pass: &VerifiedPass, issuer: &TrustedIssuer) -> Self {
        let c = pass.claims();
        Self {
            pass_id: c.pass_id,
            issuer: c.iss.clone(),
            issuer_name: issuer.name.clone(),
            kid: pass.kid(),
            subject: c.health.subject.clone(),
            masked_name: c.health.masked_name.clone(),
            colour: c.health.status,
            iat: c.iat,
            exp: c.exp,
        }
    }
}

/// The decision for one scan. `pass` is present only when the signature verified.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Let the visitor in (green banner).
    Admit {
        /// The pass.
        pass: PassInfo,
        /// The temperature taken, if any (°C).
        temperature: Option<f32>,
    },
    /// Refuse (red banner) with a reason.
    Deny {
        /// Why.
        reason: Reason,
        /// The pass, when its signature verified.
        pass: Option<PassInfo>,
    },
    /// A valid green pass waiting for a temperature (amber banner).
    NeedsTemperature {
        /// The pass.
        pass: PassInfo,
    },
}

impl Verdict {
    /// Whether the visitor is admitted.
    pub fn is_admit(&self) -> bool {
        matches!(self, Self::Admit { .. })
    }

    /// The deny reason, if denied.
    pub fn reason(&self) -> Option<&Reason> {
        match self {
            Self::Deny { reason, .. } => Some(reason),
            _ => None,
        }
    }

    /// The verified pass, if any.
    pub fn pass(&self) -> Option<&PassInfo> {
        match self {
            Self::Admit { pass, .. } | Self::NeedsTemperature { pass } => Some(pass),
            Self::Deny { pass, .. } => pass.as_ref(),
        }
    }

    /// Stable snake_case name of the outcome: `admit`, `deny` or `needs_temperature`.
    pub fn outcome(&self) -> &'static str {
        match self {
            Self::Admit { .. } => "admit",
            Self::Deny { .. } => "deny",
            Self::NeedsTemperature { .. } => "needs_temperature",
        }
    }
}
