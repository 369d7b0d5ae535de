//! Counts for a day: per hour, per outcome, per reason. Computed from a
//! slice of entries (pure, used by the XLSX export and the hub) or by SQL
//! in the store; both give the same [`DaySummary`].

use std::collections::BTreeMap;

use chrono::Timelike;
use serde::{Deserialize, Serialize};

use crate::entry::{Entry, Outcome};

/// Admitted and denied counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Totals {
    /// Admitted.
    pub admitted: u64,
    /// Denied.
    pub denied: u64,
}

impl Totals {
    /// Admitted plus denied.
    pub fn total(&self) -> u64 {
        self.admitted + self.denied
    }

    pub(crate) fn add(&mut self, outcome: Outcome, n: u64) {
        match outcome {
            Outcome::Admit => self.admitted += n,
            Outcome::Deny => self.denied += n,
        }
    }
}

/// How many entries had one outcome and reason code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonCount {
    /// The outcome.
    pub outcome: Outcome,
    /// The reason code.
    pub reason_code: String,
    /// How many.
    pub count: u64,
}

/// The counts of a set of entries (usually one venue-local day).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DaySummary {
    /// Totals by local hour of day, index 0..24. (On a day when clocks go
    /// back, both copies of the repeated hour count in the same slot.)
    pub hourly: [Totals; 24],
    /// All entries.
    pub totals: Totals,
    /// By outcome and reason code, admit first, then by code.
    pub by_reason: Vec<ReasonCount>,
}

impl DaySummary {
    /// Counts `entries`.
    pub fn from_entries<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> DaySummary {
        let mut s = DaySummary::default();
        let mut reasons: BTreeMap<(Outcome, &str), u64> = BTreeMap::new();
        for e in entries {
            s.hourly[e.local_time.hour() as usize].add(e.outcome, 1);
            s.totals.add(e.outcome, 1);
            *reasons
                .entry((e.outcome, e.reason_code.as_str()))
                .or_default() += 1;
        }
        s.by_reason = reasons
            .into_iter()
            .map(|((outcome, code), count)| ReasonCount {
                outcome,
                reason_code: code.to_owned(),
                count,
            })
            .collect();
        s
    }
}
