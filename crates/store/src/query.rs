//! Queries for the manager's view: a day's log (paged, searchable) and the
//! day's counts.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::entries::{ENTRY_COLUMNS, entry_from_row};
use crate::entry::{Entry, Outcome};
use crate::summary::{DaySummary, ReasonCount, Totals};
use crate::{Error, Result, Store};

/// One page of a day's log.
#[derive(Debug, Clone, PartialEq)]
pub struct LogPage {
    /// The entries of this page, oldest first.
    pub entries: Vec<Entry>,
    /// How many entries match in all (for the pager).
    pub total: u64,
}

/// Which part of a day's log to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogQuery {
    /// The venue-local day.
    pub day: NaiveDate,
    /// Keep only entries whose masked name, subject, issuer, reason code or
    /// reason text contains this text (case-sensitive; empty = all).
    pub search: Option<String>,
    /// Entries to skip.
    pub offset: u64,
    /// Page size (at most [`MAX_PAGE`]).
    pub limit: u64,
}

/// The largest page [`Store::day_log`] returns.
pub const MAX_PAGE: u64 = 1000;

const SEARCH_FILTER: &str = "(?2 IS NULL \
     OR instr(coalesce(e.masked_name, ''), ?2) > 0 \
     OR instr(coalesce(e.subject, ''), ?2) > 0 \
     OR instr(coalesce(e.issuer, ''), ?2) > 0 \
     OR instr(e.reason_code, ?2) > 0 \
     OR instr(e.reason_text, ?2) > 0)";

impl Store {
    /// One page of a day's log, oldest first, optionally filtered by a
    /// search text.
    pub fn day_log(&self, q: &LogQuery) -> Result<LogPage> {
        if q.limit == 0 || q.limit > MAX_PAGE {
            return Err(Error::InvalidArgument(format!(
                "page size {} is outside 1..={MAX_PAGE}",
                q.limit
            )));
        }
        let day = q.day.to_string();
        let search = q.search.as_deref().filter(|s| !s.is_empty());
        let total: i64 = self
            .conn
            .prepare_cached(&format!(
                "SELECT count(*) FROM entries e WHERE e.local_day = ?1 AND {SEARCH_FILTER}"
            ))?
            .query_row(rusqlite::params![day, search], |r| r.get(0))?;
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM entries e WHERE e.local_day = ?1 AND {SEARCH_FILTER} \
             ORDER BY e.at_utc, e.rowid LIMIT ?3 OFFSET ?4"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let limit = i64::try_from(q.limit).unwrap_or(i64::MAX);
        let offset = i64::try_from(q.offset).unwrap_or(i64::MAX);
        let mut rows = stmt.query(rusqlite::params![day, search, limit, offset])?;
        let mut entries = Vec::new();
        while let Some(row) = rows.next()? {
            entries.push(entry_from_row(row)?);
        }
        Ok(LogPage {
            entries,
            total: u64::try_from(total).unwrap_or(0),
        })
    }

    /// The counts of a venue-local day (per hour, per outcome and reason),
    /// computed in SQL.
    pub fn day_summary(&self, day: NaiveDate) -> Result<DaySummary> {
        let day = day.to_string();
        let mut s = DaySummary::default();
        // local_time is 'YYYY-MM-DDTHH:...'; the hour is characters 12-13.
        let mut stmt = self.conn.prepare_cached(
            "SELECT CAST(substr(local_time, 12, 2) AS INTEGER), outcome, reason_code, count(*) \
             FROM entries WHERE local_day = ?1 GROUP BY 1, 2, 3 ORDER BY 2, 3",
        )?;
        let mut rows = stmt.query([&day])?;
        let mut reasons: Vec<ReasonCount> = Vec::new();
        while let Some(row) = rows.next()? {
            let hour: i64 = row.get(0)?;
            let outcome: Outcome =
                row.get::<_, String>(1)?
                    .parse()
                    .map_err(|e| Error::Corrupt {
                        table: "entries",
                        detail: format!("outcome: {e}"),
                    })?;
            let code: String = row.get(2)?;
            let n = u64::try_from(row.get::<_, i64>(3)?).unwrap_or(0);
            let slot = usize::try_from(hour)
                .ok()
                .filter(|h| *h < 24)
                .ok_or_else(|| Error::Corrupt {
                    table: "entries",
                    detail: format!("local hour {hour} on {day}"),
                })?;
            s.hourly[slot].add(outcome, n);
            s.totals.add(outcome, n);
            match reasons.last_mut() {
                Some(r) if r.outcome == outcome && r.reason_code == code => r.count += n,
                _ => reasons.push(ReasonCount {
                    outcome,
                    reason_code: code,
                    count: n,
                }),
            }
        }
        s.by_reason = reasons;
        Ok(s)
    }

    /// Admitted and denied counts of a venue-local day.
    pub fn day_totals(&self, day: NaiveDate) -> Result<Totals> {
        let (admitted, denied): (i64, i64) = self
            .conn
            .prepare_cached(
                "SELECT coalesce(sum(outcome = 'admit'), 0), coalesce(sum(outcome = 'deny'), 0) \
             FROM entries WHERE local_day = ?1",
            )?
            .query_row([day.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(Totals {
            admitted: u64::try_from(admitted).unwrap_or(0),
            denied: u64::try_from(denied).unwrap_or(0),
        })
    }

    /// Today's counts: the venue-local day of `now` in `tz`.
    pub fn today_totals(&self, now: DateTime<Utc>, tz: Tz) -> Result<Totals> {
        self.day_totals(local_day(now, tz))
    }
}

/// The venue-local day of an instant.
pub fn local_day(now: DateTime<Utc>, tz: Tz) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}
