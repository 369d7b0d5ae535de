//! The upload queue used by the sync client: pending -> in flight ->
//! acknowledged, with attempts and the last error.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use crate::entries::{ENTRY_COLUMNS, entry_from_row, utc_text};
use crate::entry::{Entry, EntryId};
use crate::{Result, Store};

/// Where the upload queue stands.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Backlog {
    /// Entries waiting to be uploaded.
    pub pending: u64,
    /// Entries taken by an upload that has not finished.
    pub in_flight: u64,
    /// When the oldest entry not yet acknowledged by the hub was made.
    pub oldest_unsynced: Option<DateTime<Utc>>,
    /// The error of the most recent failed upload still pending, if any.
    pub last_error: Option<String>,
}

impl Backlog {
    /// Entries not yet acknowledged by the hub.
    pub fn unsynced(&self) -> u64 {
        self.pending + self.in_flight
    }
}

impl Store {
    /// Takes up to `limit` pending entries, oldest first, and marks them in
    /// flight. Call [`Store::mark_acknowledged`] or [`Store::mark_failed`]
    /// with their ids when the upload ends.
    pub fn take_pending(&mut self, limit: usize, now: DateTime<Utc>) -> Result<Vec<Entry>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut batch = Vec::new();
        {
            let sql = format!(
                "SELECT {ENTRY_COLUMNS} FROM outbox o JOIN entries e ON e.id = o.entry_id \
                 WHERE o.state = 'pending' ORDER BY o.seq LIMIT ?1"
            );
            let mut select = tx.prepare(&sql)?;
            let mut rows = select.query([limit])?;
            while let Some(row) = rows.next()? {
                batch.push(entry_from_row(row)?);
            }
            let mut update = tx.prepare_cached(
                "UPDATE outbox SET state = 'in_flight', updated_at = ?2 WHERE entry_id = ?1",
            )?;
            let now = utc_text(now);
            for e in &batch {
                update.execute(params![e.id.to_string(), now])?;
            }
        }
        tx.commit()?;
        Ok(batch)
    }

    /// Marks exactly the given entries as acknowledged by the hub (whatever
    /// state they were in). Unknown ids are ignored. Returns how many rows
    /// changed.
    pub fn mark_acknowledged(&mut self, ids: &[EntryId], now: DateTime<Utc>) -> Result<usize> {
        self.update_each(
            ids,
            "UPDATE outbox SET state = 'acked', acked_at = ?2, updated_at = ?2, last_error = NULL \
             WHERE entry_id = ?1 AND state != 'acked'",
            &utc_text(now),
            None,
        )
    }

    /// Puts in-flight entries back to pending after a failed upload,
    /// counting the attempt and keeping the error. Returns how many rows
    /// changed.
    pub fn mark_failed(
        &mut self,
        ids: &[EntryId],
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        self.update_each(
            ids,
            "UPDATE outbox SET state = 'pending', attempts = attempts + 1, last_error = ?3, \
             updated_at = ?2 WHERE entry_id = ?1 AND state = 'in_flight'",
            &utc_text(now),
            Some(error),
        )
    }

    fn update_each(
        &mut self,
        ids: &[EntryId],
        sql: &str,
        now: &str,
        error: Option<&str>,
    ) -> Result<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut changed = 0;
        {
            let mut stmt = tx.prepare_cached(sql)?;
            for id in ids {
                changed += match error {
                    Some(err) => stmt.execute(params![id.to_string(), now, err])?,
                    None => stmt.execute(params![id.to_string(), now])?,
                };
            }
        }
        tx.commit()?;
        Ok(changed)
    }

    /// Puts every in-flight entry back to pending; call once at startup,
    /// before the sync client runs, since an upload cut short by a crash
    /// never reported back. Returns how many were requeued.
    pub fn requeue_in_flight(&mut self, now: DateTime<Utc>) -> Result<usize> {
        Ok(self.conn.execute(
            "UPDATE outbox SET state = 'pending', updated_at = ?1 WHERE state = 'in_flight'",
            [utc_text(now)],
        )?)
    }

    /// The size and age of the upload queue.
    pub fn backlog(&self) -> Result<Backlog> {
        let (pending, in_flight): (i64, i64) = self.conn.query_row(
            "SELECT coalesce(sum(state = 'pending'), 0), coalesce(sum(state = 'in_flight'), 0) \
             FROM outbox WHERE state != 'acked'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let oldest: Option<String> = self
            .conn
            .query_row(
                "SELECT min(e.at_utc) FROM outbox o JOIN entries e ON e.id = o.entry_id \
                 WHERE o.state != 'acked'",
                [],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        let oldest_unsynced = oldest
            .map(|t| {
                DateTime::parse_from_rfc3339(&t)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|e| crate::Error::Corrupt {
                        table: "entries",
                        detail: format!("at_utc {t:?}: {e}"),
                    })
            })
            .transpose()?;
        let last_error: Option<String> = self
            .conn
            .query_row(
                "SELECT last_error FROM outbox WHERE state = 'pending' AND last_error IS NOT NULL \
                 ORDER BY updated_at DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok(Backlog {
            pending: u64::try_from(pending).unwrap_or(0),
            in_flight: u64::try_from(in_flight).unwrap_or(0),
            oldest_unsynced,
            last_error,
        })
    }
}
