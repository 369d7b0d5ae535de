//! The admission decision.

use chrono::{DateTime, TimeDelta, Utc};
use passgate_pass::{CodeColour, RawPass, RevocationSet, TrustList};

use crate::policy::{MAX_PLAUSIBLE_TEMPERATURE_C, MIN_PLAUSIBLE_TEMPERATURE_C, VenuePolicy};
use crate::reason::Reason;
use crate::verdict::{PassInfo, Verdict};

/// The verified trust documents a kiosk decides with.
#[derive(Clone, Debug, Default)]
pub struct TrustState {
    /// The current trust list (`None`: not provisioned yet, every pass is denied).
    pub trust_list: Option<TrustList>,
    /// Revoked pass ids and subjects.
    pub revocations: RevocationSet,
}

impl TrustState {
    /// A state with a trust list and revocations.
    pub fn new(trust_list: TrustList, revocations: RevocationSet) -> Self {
        Self {
            trust_list: Some(trust_list),
            revocations,
        }
    }
}

fn deny(reason: Reason, pass: Option<PassInfo>) -> Verdict {
    Verdict::Deny { reason, pass }
}

/// `t + d`, saturating at the end of time instead of overflowing.
fn plus(t: DateTime<Utc>, d: TimeDelta) -> DateTime<Utc> {
    t.checked_add_signed(d).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Decides admission for QR text. Pure: `now` and `temperature` are inputs.
///
/// Order: decode -> trust list present and fresh -> kid lookup -> key
/// validity at `iat` -> signature -> issuer matches key -> time (`iat` and
/// `nbf` not beyond `now + skew`, `now < exp`, venue max age) -> revocation
/// -> code colour -> temperature (plausible, below the fever threshold,
/// present if required).
pub fn decide(
    raw_text: &str,
    trust: &TrustState,
    policy: &VenuePolicy,
    now: DateTime<Utc>,
    temperature: Option<f32>,
) -> Verdict {
    let raw = match RawPass::decode(raw_text) {
        Ok(raw) => raw,
        Err(e) => return deny(Reason::Malformed(e), None),
    };
    let Some(list) = &trust.trust_list else {
        return deny(Reason::NoTrustList, None);
    };
    if now > plus(list.expires_at(), policy.trust_list_grace) {
        return deny(
            Reason::StaleTrustList {
                expired_at: list.expires_at(),
            },
            None,
        );
    }
    let kid = raw.kid();
    let Some(issuer) = list.issuer(&kid) else {
        return deny(Reason::UnknownIssuer { kid }, None);
    };
    let iat = raw.unverified_claims().iat;
    if !issuer.valid_at(iat) {
        return deny(Reason::KeyNotValidAt { kid, iat }, None);
    }
    let Ok(pass) = raw.verify(&issuer.public_key) else {
        return deny(Reason::BadSignature, None);
    };
    let info = PassInfo::new(&pass, issuer);
    let c = pass.claims();
    let reason = if c.iss != issuer.iss {
        Some(Reason::IssuerMismatch {
            claimed: c.iss.clone(),
            key_owner: issuer.iss.clone(),
        })
    } else if c.iat > plus(now, policy.clock_skew) {
        Some(Reason::FutureIssued { iat: c.iat })
    } else if let Some(nbf) = c.nbf.filter(|nbf| *nbf > plus(now, policy.clock_skew)) {
        Some(Reason::NotYetValid { nbf })
    } else if now >= c.exp {
        Some(Reason::Expired { exp: c.exp })
    } else if policy
        .max_code_age
        .is_some_and(|max| now.signed_duration_since(c.iat) > max)
    {
        Some(Reason::TooOld { iat: c.iat })
    } else if trust.revocations.is_pass_revoked(&c.pass_id)
        || trust.revocations.is_subject_revoked(&c.health.subject)
    {
        Some(Reason::Revoked)
    } else {
        match c.health.status {
            CodeColour::Yellow => Some(Reason::CodeYellow),
            CodeColour::Red => Some(Reason::CodeRed),
            CodeColour::Green => None,
        }
    };
    if let Some(reason) = reason {
        return deny(reason, Some(info));
    }
    match temperature {
        Some(t)
            if !t.is_finite()
                || !(MIN_PLAUSIBLE_TEMPERATURE_C..=MAX_PLAUSIBLE_TEMPERATURE_C).contains(&t) =>
        {
            deny(Reason::ImplausibleTemperature(t), Some(info))
        }
        Some(t) if t >= policy.fever_threshold_c => deny(Reason::Fever(t), Some(info)),
        Some(t) => Verdict::Admit {
            pass: info,
            temperature: Some(t),
        },
        None if policy.require_temperature => Verdict::NeedsTemperature { pass: info },
        None => Verdict::Admit {
            pass: info,
            temperature: None,
        },
    }
}
