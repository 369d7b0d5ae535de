//! Retention: purge old entries, but only those the hub has acknowledged.

use chrono::{DateTime, TimeDelta, Utc};
use rusqlite::TransactionBehavior;

use crate::entries::utc_text;
use crate::{Error, Result, Store};

/// The default retention in days.
pub const DEFAULT_RETENTION_DAYS: u32 = 28;

/// What a purge did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct PurgeReport {
    /// Entries (and their outbox rows) deleted.
    pub deleted: u64,
    /// Entries past the cut-off kept because the hub has not acknowledged them.
    pub held_back: u64,
}

impl Store {
    /// Deletes entries made before `now - retention_days` that the hub has
    /// acknowledged, with their outbox rows, in one transaction. Entries
    /// not yet acknowledged are never deleted; they are counted in
    /// [`PurgeReport::held_back`].
    pub fn purge(&mut self, now: DateTime<Utc>, retention_days: u32) -> Result<PurgeReport> {
        if retention_days == 0 {
            return Err(Error::InvalidArgument(
                "retention must be at least 1 day".into(),
            ));
        }
        let cutoff = utc_text(now - TimeDelta::days(i64::from(retention_days)));
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let deleted = tx.execute(
            "DELETE FROM entries WHERE at_utc < ?1 AND id IN \
             (SELECT entry_id FROM outbox WHERE state = 'acked')",
            [&cutoff],
        )?;
        let held_back: i64 = tx.query_row(
            "SELECT count(*) FROM entries WHERE at_utc < ?1",
            [&cutoff],
            |r| r.get(0),
        )?;
        tx.commit()?;
        Ok(PurgeReport {
            deleted: deleted as u64,
            held_back: u64::try_from(held_back).unwrap_or(0),
        })
    }
}
