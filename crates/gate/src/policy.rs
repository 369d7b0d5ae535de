//! The venue's admission rule.

use chrono::TimeDelta;

/// Lowest temperature reading taken as a real body temperature (°C).
pub const MIN_PLAUSIBLE_TEMPERATURE_C: f32 = 30.0;
/// Highest temperature reading taken as a real body temperature (°C).
pub const MAX_PLAUSIBLE_TEMPERATURE_C: f32 = 45.0;

/// What a venue accepts. `Default` gives the documented defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct VenuePolicy {
    /// A temperature at or above this is a fever (default 37.3 °C).
    pub fever_threshold_c: f32,
    /// Without a temperature a valid green pass gets
    /// [`crate::Verdict::NeedsTemperature`] instead of admission (default true).
    pub require_temperature: bool,
    /// How far a pass's `iat`/`nbf` may be ahead of the kiosk clock (default 5 min).
    pub clock_skew: TimeDelta,
    /// How long past `expires_at` the trust list is still used (default 72 h).
    pub trust_list_grace: TimeDelta,
    /// Largest accepted age of `iat` for dynamic codes (default: none).
    pub max_code_age: Option<TimeDelta>,
}

impl Default for VenuePolicy {
    fn default() -> Self {
        Self {
            fever_threshold_c: 37.3,
            require_temperature: true,
            clock_skew: TimeDelta::minutes(5),
            trust_list_grace: TimeDelta::hours(72),
            max_code_age: None,
        }
    }
}
