//! The admission decision: pass verification, revocation, time, the venue
//! rule and temperature to a [`Verdict`]. Pure: no IO, and `now` is an
//! argument. A rejected pass is a value ([`Verdict::Deny`] with a
//! [`Reason`]), never an error. Also the repeat-scan [`Cooldown`].

mod cooldown;
mod decide;
mod policy;
mod reason;
mod verdict;

pub use cooldown::{Cooldown, DEFAULT_COOLDOWN, Sighting, is_repeat};
pub use decide::{TrustState, decide};
pub use policy::{MAX_PLAUSIBLE_TEMPERATURE_C, MIN_PLAUSIBLE_TEMPERATURE_C, VenuePolicy};
pub use reason::Reason;
pub use verdict::{PassInfo, Verdict};
