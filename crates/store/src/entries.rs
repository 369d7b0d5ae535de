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
        let row = entry.to_entry(id, now);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        insert_entry(&tx, &row)?;
        tx.prepare_cached(
            "INSERT INTO outbox (entry_id, state, attempts, updated_at) VALUES (?1, 'pending', 0, ?2)",
        )?
        .execute(params![id.to_string(), utc_text(now)])?;
        tx.commit()?;
        Ok(id)
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

    /// Every entry of a venue-local day, oldest first (for export).
    pub fn day_entries(&self, day: NaiveDate) -> Result<Vec<Entry>> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM entries e WHERE e.local_day = ?1 ORDER BY e.at_utc, e.id"
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
