//! Schema migrations: numbered SQL files, append-only, one transaction each,
//! the version kept in `PRAGMA user_version`.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use crate::{Error, Result};

/// The migrations in order; `MIGRATIONS[i]` takes the schema from version
/// `i` to version `i + 1`. Append only: never edit a released file.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_revocation_deltas.sql"),
];

/// The schema version this code creates and understands.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Reads `PRAGMA user_version`.
pub(crate) fn user_version(conn: &Connection) -> Result<i64> {
    Ok(conn.pragma_query_value(None, "user_version", |row| row.get(0))?)
}

/// Brings the schema up to [`SCHEMA_VERSION`], one migration per
/// transaction. Refuses a database newer than the code without touching it.
///
/// Safe against a concurrent opener: each step takes the write lock first
/// and re-reads the version inside its transaction.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    loop {
        let found = user_version(conn)?;
        if found > SCHEMA_VERSION {
            return Err(too_new(path, found));
        }
        if found == SCHEMA_VERSION {
            return Ok(());
        }
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current = user_version(&tx)?;
        if current > SCHEMA_VERSION {
            return Err(too_new(path, current));
        }
        if current == SCHEMA_VERSION {
            return Ok(());
        }
        let version = current + 1;
        let step = |e| Error::Migration { version, source: e };
        let sql = MIGRATIONS[usize::try_from(current).map_err(|_| Error::Corrupt {
            table: "pragma user_version",
            detail: format!("negative schema version {current}"),
        })?];
        tx.execute_batch(sql).map_err(step)?;
        tx.pragma_update(None, "user_version", version)
            .map_err(step)?;
        tx.commit().map_err(step)?;
    }
}

fn too_new(path: &Path, found: i64) -> Error {
    Error::TooNew {
        path: path.to_owned(),
        found,
        supported: SCHEMA_VERSION,
    }
}
