//! Opening the database: the file's permissions, connection pragmas and
//! migrations.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use uuid::ContextV7;

use crate::migrate::migrate;
use crate::{Error, Result};

/// How long a connection waits for another one's write lock.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The kiosk's database: one SQLite connection.
///
/// Several `Store`s (in one or several processes) may open the same file;
/// writes take the lock up front (`BEGIN IMMEDIATE`) and wait up to
/// [`BUSY_TIMEOUT`] for each other.
pub struct Store {
    pub(crate) conn: Connection,
    pub(crate) ids: ContextV7,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path`: the file is made
    /// readable by its owner only before SQLite opens it; the busy timeout,
    /// `synchronous=FULL` and foreign keys are set, the schema is migrated,
    /// then the file is switched to WAL. A database newer than this code is refused
    /// unchanged ([`Error::TooNew`]).
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref();
        create_private(path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let mut conn = Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Refuse a newer schema (or a file that is not SQLite) before
        // changing anything.
        let found = crate::migrate::user_version(&conn).map_err(|e| not_a_database(e, path))?;
        if found > crate::SCHEMA_VERSION {
            return Err(Error::TooNew {
                path: path.to_owned(),
                found,
                supported: crate::SCHEMA_VERSION,
            });
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        migrate(&mut conn, path)?;
        // Only a database at our schema is switched to WAL (a persistent
        // setting), so a failed migration leaves a foreign file as it was.
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "wal", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::NotWal {
                path: path.to_owned(),
                mode,
            });
        }
        Ok(Store {
            conn,
            ids: ContextV7::new(),
            path: path.to_owned(),
        })
    }

    /// The path this store was opened from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `PRAGMA integrity_check` and returns its report (`["ok"]` when
    /// the file is sound).
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64> {
        crate::migrate::user_version(&self.conn)
    }
}

fn not_a_database(e: Error, path: &Path) -> Error {
    match e {
        Error::Sqlite(rusqlite::Error::SqliteFailure(f, _))
            if f.code == rusqlite::ErrorCode::NotADatabase =>
        {
            Error::NotADatabase {
                path: path.to_owned(),
            }
        }
        other => other,
    }
}

/// Creates the file with mode 0600 if it does not exist, so SQLite (which
/// gives its `-wal` and `-shm` files the database file's mode) never makes
/// a world-readable copy. An existing file is left as it is.
fn create_private(path: &Path) -> Result<()> {
    let mut opts = OpenOptions::new();
    opts.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path).map(drop).map_err(|source| Error::Open {
        path: path.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_can_move_to_another_thread() {
        fn assert_send<T: Send>() {}
        assert_send::<Store>();
    }

    #[test]
    fn connection_pragmas_are_set_at_open() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("k.sqlite")).unwrap();
        let get = |name: &str| -> i64 {
            store
                .conn
                .pragma_query_value(None, name, |r| r.get(0))
                .unwrap()
        };
        let mode: String = store
            .conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(get("synchronous"), 2, "synchronous=FULL");
        assert_eq!(get("foreign_keys"), 1);
        assert_eq!(get("busy_timeout"), 5000);
        assert_eq!(store.schema_version().unwrap(), crate::SCHEMA_VERSION);
        assert_eq!(store.integrity_check().unwrap(), ["ok"]);
    }
}
