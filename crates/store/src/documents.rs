//! The cached trust documents: the signed bytes of the current trust list
//! and of the revocation documents since the last full list. Bytes are
//! verified with the pinned root key before they are saved and again every
//! time they are loaded.

use chrono::{DateTime, Utc};
use passgate_pass::{RevocationDoc, RevocationSet, TrustList, VerifyingKey, accept_newer};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::entries::utc_text;
use crate::{Error, Result, Store};

const TRUST_LIST: &str = "trust_list";

/// The cached trust list, verified again on load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedTrustList {
    /// The verified list.
    pub list: TrustList,
    /// When the kiosk fetched it.
    pub fetched_at: DateTime<Utc>,
}

/// The cached revocations, rebuilt from their verified documents on load.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CachedRevocations {
    /// Everything revoked up to `set.seq()` (seq 0: nothing cached).
    pub set: RevocationSet,
    /// When the newest document was fetched (`None`: nothing cached).
    pub fetched_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Verifies `bytes` as a trust list signed by `root` and caches it if
    /// its seq is newer than the cached list's. Saving the cached bytes
    /// again only refreshes `fetched_at`. A bad or older list is refused
    /// ([`Error::TrustList`]) and the cache kept. A cached list that no
    /// longer verifies (say, the root key changed) is replaced by any valid
    /// one.
    pub fn save_trust_list(
        &mut self,
        bytes: &[u8],
        root: &VerifyingKey,
        fetched_at: DateTime<Utc>,
    ) -> Result<TrustList> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let cached = cached_trust_bytes(&tx)?;
        let current = cached
            .as_ref()
            .and_then(|(_, b)| TrustList::verify(b, root).ok());
        let list = match cached {
            Some((_, cached_bytes)) if cached_bytes == bytes && current.is_some() => {
                TrustList::verify(bytes, root)?
            }
            _ => accept_newer(current.as_ref(), bytes, root)?,
        };
        let seq = to_sql_seq(list.seq())?;
        tx.execute(
            "INSERT INTO trust_documents (kind, seq, bytes, fetched_at) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (kind) DO UPDATE SET seq = excluded.seq, bytes = excluded.bytes, \
             fetched_at = excluded.fetched_at",
            params![TRUST_LIST, seq, bytes, utc_text(fetched_at)],
        )?;
        tx.commit()?;
        Ok(list)
    }

    /// The cached trust list, verified again with `root`; `None` when none
    /// is cached. A cached list that fails verification is reported
    /// ([`Error::DocumentInvalid`]) and left in place.
    pub fn load_trust_list(&self, root: &VerifyingKey) -> Result<Option<CachedTrustList>> {
        let row: Option<(i64, Vec<u8>, String)> = self
            .conn
            .query_row(
                "SELECT seq, bytes, fetched_at FROM trust_documents WHERE kind = ?1",
                [TRUST_LIST],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((seq, bytes, fetched)) = row else {
            return Ok(None);
        };
        let list = TrustList::verify(&bytes, root).map_err(|e| Error::DocumentInvalid {
            kind: "trust list",
            seq: u64::try_from(seq).unwrap_or(0),
            reason: e.to_string(),
        })?;
        Ok(Some(CachedTrustList {
            list,
            fetched_at: parse_time(&fetched, "trust_documents")?,
        }))
    }

    /// Verifies `bytes` as a revocation document signed by `root` and adds
    /// it to the cache when it continues the cached chain
    /// (`base_seq <= cached seq < seq`); a full list (`base_seq` 0)
    /// replaces the documents before it. A bad, stale or disconnected
    /// document is refused ([`Error::Revocation`]) and the cache kept.
    /// Returns the new set.
    pub fn save_revocations(
        &mut self,
        bytes: &[u8],
        root: &VerifyingKey,
        fetched_at: DateTime<Utc>,
    ) -> Result<RevocationSet> {
        let doc = RevocationDoc::verify(bytes, root)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut set = match rebuild_revocations(&tx, root) {
            Ok(cached) => cached.set,
            // A broken cache can only be replaced by a full list.
            Err(_) if doc.base_seq() == 0 => {
                tx.execute("DELETE FROM revocation_documents", [])?;
                RevocationSet::new()
            }
            Err(e) => return Err(e),
        };
        set.apply(&doc)?;
        if doc.base_seq() == 0 {
            tx.execute(
                "DELETE FROM revocation_documents WHERE seq < ?1",
                [to_sql_seq(doc.seq())?],
            )?;
        }
        tx.execute(
            "INSERT INTO revocation_documents (seq, base_seq, bytes, fetched_at) \
             VALUES (?1, ?2, ?3, ?4)",
            params![
                to_sql_seq(doc.seq())?,
                to_sql_seq(doc.base_seq())?,
                bytes,
                utc_text(fetched_at)
            ],
        )?;
        tx.commit()?;
        Ok(set)
    }

    /// The cached revocations: every cached document verified again with
    /// `root` and applied in order. An empty set at seq 0 when nothing is
    /// cached. A document that fails is reported ([`Error::DocumentInvalid`]).
    pub fn load_revocations(&self, root: &VerifyingKey) -> Result<CachedRevocations> {
        rebuild_revocations(&self.conn, root)
    }
}

fn cached_trust_bytes(conn: &Connection) -> Result<Option<(i64, Vec<u8>)>> {
    Ok(conn
        .query_row(
            "SELECT seq, bytes FROM trust_documents WHERE kind = ?1",
            [TRUST_LIST],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

fn rebuild_revocations(conn: &Connection, root: &VerifyingKey) -> Result<CachedRevocations> {
    let mut stmt =
        conn.prepare("SELECT seq, bytes, fetched_at FROM revocation_documents ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    let mut out = CachedRevocations::default();
    while let Some(row) = rows.next()? {
        let seq: i64 = row.get(0)?;
        let bytes: Vec<u8> = row.get(1)?;
        let invalid = |reason: String| Error::DocumentInvalid {
            kind: "revocation list",
            seq: u64::try_from(seq).unwrap_or(0),
            reason,
        };
        let doc = RevocationDoc::verify(&bytes, root).map_err(|e| invalid(e.to_string()))?;
        out.set.apply(&doc).map_err(|e| invalid(e.to_string()))?;
        out.fetched_at = Some(parse_time(
            &row.get::<_, String>(2)?,
            "revocation_documents",
        )?);
    }
    Ok(out)
}

fn to_sql_seq(seq: u64) -> Result<i64> {
    i64::try_from(seq).map_err(|_| Error::InvalidArgument(format!("seq {seq} is too large")))
}

fn parse_time(text: &str, table: &'static str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| Error::Corrupt {
            table,
            detail: format!("time {text:?}: {e}"),
        })
}
