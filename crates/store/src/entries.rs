//! Writing entries (with their outbox row) and reading them back.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rusqlite::{Row, TransactionBehavior, params};
use uuid::{Timestamp, Uuid};

use crate::entry::{Entry, EntryId, NewEntry};
use crate::{Error, Result, Store};

/// The entry columns in the order [`entry_from_row`] reads them.
pub(crate) const ENTRY_COLUMNS: &str = "e.id, e.at_utc, e.local_time, e.local_day, e.venue_id, \
     e.device_id, e.kind, e.outcome, e.reason_code, e.reason_text, e.colour, e.issuer, \
     e.subject, e.masked_name, e.temperature, e.pass_id";

/// The UTC time as stored: RFC 3339 with a fixed six-digit fraction and
/// `Z`, so text order is time order.
pub(crate) fn utc_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

impl Store {
    /// Records one final decision made at `now`: the entry and its pending
    /// outbox row are written in one transaction, and this returns only
    /// after the commit is durable (`synchronous=FULL`). A bad entry is
    /// refused and nothing is written.
    pub fn record(&mut self, entry: &NewEntry, now: DateTime<Utc>) -> Result<EntryId> {
        entry.validate()?;
        let id = self.new_id(now)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        insert_recorded(&tx, entry, id, now)?;
        tx.commit()?;
        Ok(id)
    }

    /// Records many decisions, each with its own instant, in one
    /// transaction (imports, tests and benchmarks): all or nothing. Every
    /// entry is validated before anything is written.
    pub fn record_batch(&mut self, entries: &[(NewEntry, DateTime<Utc>)]) -> Result<Vec<EntryId>> {
        for (entry, _) in entries {
            entry.validate()?;
        }
        let ids = entries
            .iter()
            .map(|(_, now)| self.new_id(*now))
            .collect::<Result<Vec<_>>>()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for ((entry, now), id) in entries.iter().zip(&ids) {
            insert_recorded(&tx, entry, *id, *now)?;
        }
        tx.commit()?;
        Ok(ids)
    }

    /// A UUIDv7 for an entry made at `now` (monotonic within this store
    /// while `now` does not go backwards).
    fn new_id(&self, now: DateTime<Utc>) -> Result<EntryId> {
        let secs = u64::try_from(now.timestamp()).map_err(|_| {
            Error::InvalidArgument(format!("time {now} is before 1970; check the clock"))
        })?;
        let ts = Timestamp::from_unix(&self.ids, secs, now.timestamp_subsec_nanos());
        Ok(EntryId(Uuid::new_v7(ts)))
    }

    /// One entry by id.
    pub fn entry(&self, id: EntryId) -> Result<Option<Entry>> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM entries e WHERE e.id = ?1");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query([id.to_string()])?;
        match rows.next()? {
            Some(row) => Ok(Some(entry_from_row(row)?)),
            None => Ok(None),
        }
    }

    /// Every entry of a venue-local day, oldest first (for export). Entries
    /// of the same instant come in insertion order (the rowid, which the
    /// day index carries, so no sort is needed).
    pub fn day_entries(&self, day: NaiveDate) -> Result<Vec<Entry>> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM entries e WHERE e.local_day = ?1 ORDER BY e.at_utc, e.rowid"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query([day.to_string()])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(entry_from_row(row)?);
        }
        Ok(out)
    }

    /// How many entries the database holds.
    pub fn entry_count(&self) -> Result<u64> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM entries", [], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

/// Inserts a new decision and its pending outbox row.
fn insert_recorded(
    conn: &rusqlite::Connection,
    entry: &NewEntry,
    id: EntryId,
    now: DateTime<Utc>,
) -> Result<()> {
    insert_entry(conn, &entry.to_entry(id, now))?;
    conn.prepare_cached(
        "INSERT INTO outbox (entry_id, state, attempts, updated_at) VALUES (?1, 'pending', 0, ?2)",
    )?
    .execute(params![id.to_string(), utc_text(now)])?;
    Ok(())
}

/// Inserts a complete entry row (used by `record` and by tools that
/// import entries).
pub(crate) fn insert_entry(conn: &rusqlite::Connection, e: &Entry) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO entries (id, at_utc, local_time, local_day, venue_id, device_id, kind, \
         outcome, reason_code, reason_text, colour, issuer, subject, masked_name, temperature, \
         pass_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )?
    .execute(params![
        e.id.to_string(),
        utc_text(e.at),
        e.local_time.to_rfc3339_opts(SecondsFormat::Micros, false),
        e.local_day.to_string(),
        e.venue_id,
        e.device_id,
        e.kind.as_str(),
        e.outcome.as_str(),
        e.reason_code,
        e.reason_text,
        e.colour.map(|c| c.as_str()),
        e.issuer,
        e.subject,
        e.masked_name,
        e.temperature.map(f64::from),
        e.pass_id,
    ])?;
    Ok(())
}

/// Reads an entry from a row selected with [`ENTRY_COLUMNS`].
pub(crate) fn entry_from_row(row: &Row<'_>) -> Result<Entry> {
    let corrupt = |detail: String| Error::Corrupt {
        table: "entries",
        detail,
    };
    let text = |i: usize| row.get::<_, String>(i);
    let id_text = text(0)?;
    let id = id_text
        .parse::<EntryId>()
        .map_err(|e| corrupt(format!("id {id_text:?}: {e}")))?;
    let at_text = text(1)?;
    let at = DateTime::parse_from_rfc3339(&at_text)
        .map_err(|e| corrupt(format!("at_utc {at_text:?} of {id}: {e}")))?
        .with_timezone(&Utc);
    let local_text = text(2)?;
    let local_time = DateTime::parse_from_rfc3339(&local_text)
        .map_err(|e| corrupt(format!("local_time {local_text:?} of {id}: {e}")))?;
    let day_text = text(3)?;
    let local_day = day_text
        .parse::<NaiveDate>()
        .map_err(|e| corrupt(format!("local_day {day_text:?} of {id}: {e}")))?;
    let parse_enum = |i: usize| -> Result<String> { Ok(text(i)?) };
    let colour = row
        .get::<_, Option<String>>(10)?
        .map(|c| c.parse())
        .transpose()
        .map_err(|e| corrupt(format!("colour of {id}: {e}")))?;
    Ok(Entry {
        id,
        at,
        local_time,
        local_day,
        venue_id: text(4)?,
        device_id: text(5)?,
        kind: parse_enum(6)?
            .parse()
            .map_err(|e| corrupt(format!("kind of {id}: {e}")))?,
        outcome: parse_enum(7)?
            .parse()
            .map_err(|e| corrupt(format!("outcome of {id}: {e}")))?,
        reason_code: text(8)?,
        reason_text: text(9)?,
        colour,
        issuer: row.get(11)?,
        subject: row.get(12)?,
        masked_name: row.get(13)?,
        // Stored from an f32, so the narrowing is exact.
        #[allow(clippy::cast_possible_truncation)]
        temperature: row.get::<_, Option<f64>>(14)?.map(|t| t as f32),
        pass_id: row.get(15)?,
    })
}

#[cfg(test)]
mod tests {
    use chrono::{TimeDelta, TimeZone};

    use super::*;
    use crate::entry::{Kind, Outcome};

    fn decision(n: u32) -> NewEntry {
        NewEntry {
            venue_id: "venue-1".into(),
            device_id: "kiosk-1".into(),
            tz: chrono_tz::UTC,
            kind: Kind::Manual,
            outcome: Outcome::Admit,
            reason_code: "ok".into(),
            reason_text: format!("entry {n}"),
            colour: None,
            issuer: None,
            subject: None,
            masked_name: None,
            temperature: None,
            pass_id: None,
        }
    }

    #[test]
    fn record_batch_writes_all_or_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("k.sqlite")).unwrap();
        let t0 = Utc.with_ymd_and_hms(2026, 11, 28, 8, 0, 0).unwrap();
        let mut batch: Vec<_> = (0..5)
            .map(|n| (decision(n), t0 + TimeDelta::seconds(n.into())))
            .collect();
        batch[3].0.reason_code = "Not Snake".into();
        assert!(store.record_batch(&batch).is_err());
        assert_eq!(
            store.entry_count().unwrap(),
            0,
            "one bad entry writes nothing"
        );
        batch[3].0.reason_code = "ok".into();
        let ids = store.record_batch(&batch).unwrap();
        assert_eq!(ids.len(), 5);
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids follow the times");
        assert_eq!(store.backlog().unwrap().pending, 5);
        let third = store.entry(ids[2]).unwrap().unwrap();
        assert_eq!(
            (third.at, third.reason_text.as_str()),
            (batch[2].1, "entry 2")
        );
    }
}
