//! The embedded SQLite backend: one file, one connection behind a mutex,
//! WAL with `synchronous=FULL` so an acknowledged entry survives a power cut.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use passgate_store::Entry;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{
    Batch, Device, DeviceStatus, Enrolled, HubStorage, Ingested, NewToken, StoredDocument,
};
use crate::publish::check_chain;
use crate::{Error, Result};

/// The schema version this code writes.
pub const SCHEMA_VERSION: i64 = 1;

const MIGRATIONS: [&str; 1] = [include_str!("../../migrations/0001_init.sql")];

/// The SQLite hub database.
pub struct SqliteStorage {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl std::fmt::Debug for SqliteStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStorage")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn parse_time(table: &'static str, t: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(t)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| Error::Corrupt {
            table,
            detail: format!("time {t:?}: {e}"),
        })
}

fn sql_seq(seq: u64) -> Result<i64> {
    i64::try_from(seq).map_err(|_| Error::InvalidArgument(format!("seq {seq} is too large")))
}

fn seq_of(table: &'static str, v: i64) -> Result<u64> {
    u64::try_from(v).map_err(|_| Error::Corrupt {
        table,
        detail: format!("negative seq {v}"),
    })
}

impl SqliteStorage {
    /// Opens (creating if needed) the hub database at `path` and migrates
    /// it. A database from a newer hub is refused unchanged.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_owned();
        let open_err = |detail: String| Error::Open {
            path: path.clone(),
            detail,
        };
        create_private(&path).map_err(|e| open_err(e.to_string()))?;
        let mut conn = Connection::open(&path).map_err(|e| open_err(e.to_string()))?;
        conn.busy_timeout(Duration::from_secs(5))?;
        let found: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| open_err(format!("{e}; is it a passgate hub database?")))?;
        if found > SCHEMA_VERSION {
            return Err(Error::TooNew {
                path,
                found,
                supported: SCHEMA_VERSION,
            });
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        for (i, sql) in MIGRATIONS
            .iter()
            .enumerate()
            .skip(usize::try_from(found).unwrap_or(0))
        {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
            tx.execute_batch(sql)?;
            tx.pragma_update(
                None,
                "user_version",
                i64::try_from(i + 1).unwrap_or(i64::MAX),
            )?;
            tx.commit()?;
        }
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "wal", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(open_err(format!(
                "it cannot use WAL mode (journal mode {mode}); keep it on a local disk"
            )));
        }
        Ok(Self {
            conn: Mutex::new(conn),
            path,
        })
    }

    /// The database path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a transaction half
        // done (rusqlite rolls back on drop), so the connection is usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Creates the file with mode 0600 if it does not exist: it holds visitor
/// records. SQLite gives its `-wal` and `-shm` files the same mode.
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path).map(drop)
}

fn device_from_row(r: &rusqlite::Row<'_>) -> Result<Device> {
    Ok(Device {
        device_id: r.get(0)?,
        venue_id: r.get(1)?,
        public_key: r.get(2)?,
        enrolled_at: parse_time("devices", &r.get::<_, String>(3)?)?,
    })
}

fn entry_from_body(body: &str) -> Result<Entry> {
    serde_json::from_str(body).map_err(|e| Error::Corrupt {
        table: "entries",
        detail: e.to_string(),
    })
}

fn entries_query(conn: &Connection, sql: &str, args: impl rusqlite::Params) -> Result<Vec<Entry>> {
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query(args)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(entry_from_body(&row.get::<_, String>(0)?)?);
    }
    Ok(out)
}

impl HubStorage for SqliteStorage {
    fn add_token(&self, token: &NewToken) -> Result<()> {
        self.conn().execute(
            "INSERT INTO enrol_tokens (token_hash, venue_id, created_at, expires_at) \
             VALUES (?1, ?2, ?3, ?4)",
            params![
                token.hash.as_slice(),
                token.venue_id,
                text(token.created_at),
                text(token.expires_at)
            ],
        )?;
        Ok(())
    }

    fn enrol(&self, token_hash: &[u8; 32], device: &Device) -> Result<Enrolled> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let existing = tx
            .query_row(
                "SELECT device_id, venue_id, public_key, enrolled_at FROM devices WHERE device_id = ?1",
                [&device.device_id],
                |r| Ok(device_from_row(r)),
            )
            .optional()?
            .transpose()?;
        if let Some(old) = &existing {
            if old.public_key == device.public_key && old.venue_id == device.venue_id {
                return Ok(Enrolled::Again);
            }
            return Err(Error::DeviceTaken(device.device_id.clone()));
        }
        let token: Option<(String, String, Option<String>)> = tx
            .query_row(
                "SELECT venue_id, expires_at, used_at FROM enrol_tokens WHERE token_hash = ?1",
                [token_hash.as_slice()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((venue, expires, used)) = token else {
            return Err(Error::BadToken);
        };
        if used.is_some() || parse_time("enrol_tokens", &expires)? <= device.enrolled_at {
            return Err(Error::BadToken);
        }
        if venue != device.venue_id {
            return Err(Error::WrongVenue {
                token_venue: venue,
                asked: device.venue_id.clone(),
            });
        }
        let now = text(device.enrolled_at);
        tx.execute(
            "UPDATE enrol_tokens SET used_at = ?2, used_by = ?3 WHERE token_hash = ?1",
            params![token_hash.as_slice(), now, device.device_id],
        )?;
        tx.execute(
            "INSERT INTO devices (device_id, venue_id, public_key, enrolled_at) VALUES (?1, ?2, ?3, ?4)",
            params![device.device_id, device.venue_id, device.public_key, now],
        )?;
        tx.commit()?;
        Ok(Enrolled::New)
    }

    fn device(&self, device_id: &str) -> Result<Option<Device>> {
        self.conn()
            .query_row(
                "SELECT device_id, venue_id, public_key, enrolled_at FROM devices WHERE device_id = ?1",
                [device_id],
                |r| Ok(device_from_row(r)),
            )
            .optional()?
            .transpose()
    }

    fn forget_device(&self, device_id: &str) -> Result<bool> {
        let conn = self.conn();
        conn.execute("DELETE FROM nonces WHERE device_id = ?1", [device_id])?;
        Ok(conn.execute("DELETE FROM devices WHERE device_id = ?1", [device_id])? > 0)
    }

    fn ingest(&self, batch: &Batch<'_>) -> Result<Ingested> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "DELETE FROM nonces WHERE seen_at < ?1",
            [batch.forget_before.timestamp()],
        )?;
        let fresh = tx.execute(
            "INSERT INTO nonces (device_id, nonce, seen_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT DO NOTHING",
            params![batch.device_id, batch.nonce, batch.now.timestamp()],
        )? == 1;
        if !fresh {
            return Err(Error::Replay);
        }
        let mut out = Ingested::default();
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO entries (id, venue_id, device_id, local_day, at_utc, body, received_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO NOTHING",
            )?;
            let mut existing = tx.prepare_cached("SELECT body FROM entries WHERE id = ?1")?;
            let received = text(batch.now);
            for e in batch.entries {
                let id = e.id.to_string();
                let body = serde_json::to_string(e)
                    .map_err(|err| Error::InvalidArgument(format!("entry {id}: {err}")))?;
                let new = insert.execute(params![
                    id,
                    e.venue_id,
                    e.device_id,
                    e.local_day.to_string(),
                    text(e.at),
                    body,
                    received
                ])? == 1;
                if new {
                    out.inserted += 1;
                    out.held.push(e.id);
                    continue;
                }
                let stored: String = existing.query_row([&id], |r| r.get(0))?;
                if stored == body || entry_from_body(&stored)? == *e {
                    out.held.push(e.id);
                } else {
                    out.conflicts.push(e.id);
                }
            }
        }
        tx.execute(
            "UPDATE devices SET last_upload_at = ?2, last_backlog = ?3 WHERE device_id = ?1",
            params![
                batch.device_id,
                text(batch.now),
                i64::try_from(batch.backlog).unwrap_or(i64::MAX)
            ],
        )?;
        tx.commit()?;
        Ok(out)
    }

    fn trust_list(&self) -> Result<Option<StoredDocument>> {
        let row: Option<(i64, Vec<u8>)> = self
            .conn()
            .query_row("SELECT seq, bytes FROM trust_list WHERE id = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        row.map(|(seq, bytes)| {
            Ok(StoredDocument {
                seq: seq_of("trust_list", seq)?,
                base_seq: 0,
                bytes,
            })
        })
        .transpose()
    }

    fn put_trust_list(&self, doc: &StoredDocument, now: DateTime<Utc>) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current: Option<i64> = tx
            .query_row("SELECT seq FROM trust_list WHERE id = 1", [], |r| r.get(0))
            .optional()?;
        let seq = sql_seq(doc.seq)?;
        if let Some(cur) = current
            && cur >= seq
        {
            return Err(Error::Publish(format!(
                "the trust list has seq {}, not newer than the published seq {cur}",
                doc.seq
            )));
        }
        tx.execute(
            "INSERT INTO trust_list (id, seq, bytes, published_at) VALUES (1, ?1, ?2, ?3) \
             ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, bytes = excluded.bytes, \
             published_at = excluded.published_at",
            params![seq, doc.bytes, text(now)],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn revocations(&self) -> Result<Vec<StoredDocument>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT seq, base_seq, bytes FROM revocation_documents ORDER BY seq")?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(StoredDocument {
                seq: seq_of("revocation_documents", r.get(0)?)?,
                base_seq: seq_of("revocation_documents", r.get(1)?)?,
                bytes: r.get(2)?,
            });
        }
        Ok(out)
    }

    fn put_revocations(&self, docs: &[StoredDocument], now: DateTime<Utc>) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let latest: i64 = tx.query_row(
            "SELECT coalesce(max(seq), 0) FROM revocation_documents",
            [],
            |r| r.get(0),
        )?;
        let pairs: Vec<(u64, u64)> = docs.iter().map(|d| (d.seq, d.base_seq)).collect();
        check_chain(seq_of("revocation_documents", latest)?, &pairs).map_err(Error::Publish)?;
        {
            let mut insert = tx.prepare(
                "INSERT INTO revocation_documents (seq, base_seq, bytes, published_at) \
                 VALUES (?1, ?2, ?3, ?4)",
            )?;
            for d in docs {
                insert.execute(params![
                    sql_seq(d.seq)?,
                    sql_seq(d.base_seq)?,
                    d.bytes,
                    text(now)
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn devices(&self) -> Result<Vec<DeviceStatus>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT d.device_id, d.venue_id, d.enrolled_at, d.last_upload_at, d.last_backlog, \
             (SELECT count(*) FROM entries e WHERE e.device_id = d.device_id) \
             FROM devices d ORDER BY d.venue_id, d.device_id",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let last: Option<String> = r.get(3)?;
            out.push(DeviceStatus {
                device_id: r.get(0)?,
                venue_id: r.get(1)?,
                enrolled_at: parse_time("devices", &r.get::<_, String>(2)?)?,
                last_upload_at: last.map(|t| parse_time("devices", &t)).transpose()?,
                last_backlog: r
                    .get::<_, Option<i64>>(4)?
                    .map(|b| u64::try_from(b).unwrap_or(0)),
                entries: u64::try_from(r.get::<_, i64>(5)?).unwrap_or(0),
            });
        }
        Ok(out)
    }

    fn day_entries(&self, venue_id: &str, day: NaiveDate) -> Result<Vec<Entry>> {
        entries_query(
            &self.conn(),
            "SELECT body FROM entries WHERE venue_id = ?1 AND local_day = ?2 ORDER BY at_utc, id",
            params![venue_id, day.to_string()],
        )
    }

    fn all_entries(&self) -> Result<Vec<Entry>> {
        entries_query(&self.conn(), "SELECT body FROM entries ORDER BY id", [])
    }
}
