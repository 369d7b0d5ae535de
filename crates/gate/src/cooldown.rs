//! The repeat-scan cooldown: the same pass seen again within the window is
//! one entry, not two.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use passgate_pass::PassId;

/// Default cooldown window.
pub const DEFAULT_COOLDOWN: TimeDelta = TimeDelta::seconds(10);

/// Whether a sighting at `now` repeats one at `last_seen` within `window`.
/// A `last_seen` in the future (the clock went back) is not a repeat.
pub fn is_repeat(last_seen: Option<DateTime<Utc>>, now: DateTime<Utc>, window: TimeDelta) -> bool {
    last_seen.is_some_and(|t| t <= now && now.signed_duration_since(t) < window)
}

/// Result of [`Cooldown::observe`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sighting {
    /// Not seen within the window: record an entry.
    New,
    /// Seen within the window: same entry, record nothing new.
    Repeat,
}

/// Remembers recent sightings by pass id. The window slides: a pass held in
/// front of the camera stays one entry for as long as it keeps being seen.
/// Memory holds only the passes seen within the last window.
#[derive(Clone, Debug)]
pub struct Cooldown {
    window: TimeDelta,
    last_seen: HashMap<PassId, DateTime<Utc>>,
}

impl Default for Cooldown {
    fn default() -> Self {
        Self::new(DEFAULT_COOLDOWN)
    }
}

impl Cooldown {
    /// A cooldown with the given window.
    pub fn new(window: TimeDelta) -> Self {
        Self {
            window,
            last_seen: HashMap::new(),
        }
    }

    /// Records a sighting of `id` at `now` and says whether it is new.
    pub fn observe(&mut self, id: PassId, now: DateTime<Utc>) -> Sighting {
        let window = self.window;
        self.last_seen
            .retain(|_, t| is_repeat(Some(*t), now, window));
        let previous = self.last_seen.insert(id, now);
        if is_repeat(previous, now, window) {
            Sighting::Repeat
        } else {
            Sighting::New
        }
    }

    /// Number of passes remembered.
    pub fn len(&self) -> usize {
        self.last_seen.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.last_seen.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap()
    }

    #[test]
    fn repeat_within_window_only() {
        let w = TimeDelta::seconds(10);
        assert!(!is_repeat(None, at(0), w));
        assert!(is_repeat(Some(at(0)), at(9), w));
        assert!(!is_repeat(Some(at(0)), at(10), w));
        assert!(!is_repeat(Some(at(5)), at(0), w));
    }

    #[test]
    fn cooldown_slides_and_forgets() {
        let mut c = Cooldown::default();
        let a = PassId::from_bytes([1; 16]);
        let b = PassId::from_bytes([2; 16]);
        assert_eq!(c.observe(a, at(0)), Sighting::New);
        assert_eq!(c.observe(a, at(8)), Sighting::Repeat);
        assert_eq!(c.observe(a, at(16)), Sighting::Repeat);
        assert_eq!(c.observe(b, at(17)), Sighting::New);
        assert_eq!(c.observe(a, at(30)), Sighting::New);
        // b was last seen at 17: forgotten by 30.
        assert_eq!(c.len(), 1);
    }
}
