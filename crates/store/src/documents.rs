//! The cached trust documents: the signed bytes of the current trust list
//! and revocation data, with their `seq` and when they were fetched.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use crate::entries::utc_text;
use crate::{Error, Result, Store};

/// Which trust document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    /// The root-signed list of accepted issuers.
    TrustList,
    /// The signed revocation list.
    Revocations,
}

impl DocumentKind {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::TrustList => "trust_list",
            DocumentKind::Revocations => "revocations",
        }
    }

    fn label(self) -> &'static str {
        match self {
            DocumentKind::TrustList => "trust list",
            DocumentKind::Revocations => "revocation list",
        }
    }
}

/// A cached document exactly as it was received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedDocument {
    /// Which document.
    pub kind: DocumentKind,
    /// Its monotonic sequence number.
    pub seq: u64,
    /// The signed bytes as received.
    pub bytes: Vec<u8>,
    /// When the kiosk fetched it.
    pub fetched_at: DateTime<Utc>,
}

impl Store {
    /// Replaces the cached document of `kind` with `bytes` (already verified
    /// by the caller). Only a newer `seq` replaces the cache; offering the
    /// same seq with the same bytes just refreshes `fetched_at`; anything
    /// else is refused with [`Error::StaleDocument`] and the cache kept.
    pub fn save_document(
        &mut self,
        kind: DocumentKind,
        seq: u64,
        bytes: &[u8],
        fetched_at: DateTime<Utc>,
    ) -> Result<()> {
        let seq_sql = i64::try_from(seq).map_err(|_| {
            Error::InvalidArgument(format!("{} seq {seq} is too large", kind.label()))
        })?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current: Option<(i64, Vec<u8>)> = tx
            .query_row(
                "SELECT seq, bytes FROM trust_documents WHERE kind = ?1",
                [kind.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((cur, cur_bytes)) = current {
            let same = cur == seq_sql && cur_bytes == bytes;
            if cur > seq_sql || (cur == seq_sql && !same) {
                return Err(Error::StaleDocument {
                    kind: kind.label(),
                    current: u64::try_from(cur).unwrap_or(0),
                    offered: seq,
                });
            }
        }
        tx.execute(
            "INSERT INTO trust_documents (kind, seq, bytes, fetched_at) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (kind) DO UPDATE SET seq = excluded.seq, bytes = excluded.bytes, \
             fetched_at = excluded.fetched_at",
            params![kind.as_str(), seq_sql, bytes, utc_text(fetched_at)],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The cached document of `kind`, if any, exactly as saved. Callers
    /// must verify the bytes before trusting them.
    pub fn load_document(&self, kind: DocumentKind) -> Result<Option<CachedDocument>> {
        let row: Option<(i64, Vec<u8>, String)> = self
            .conn
            .query_row(
                "SELECT seq, bytes, fetched_at FROM trust_documents WHERE kind = ?1",
                [kind.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((seq, bytes, fetched)) = row else {
            return Ok(None);
        };
        let corrupt = |detail: String| Error::Corrupt {
            table: "trust_documents",
            detail,
        };
        let seq = u64::try_from(seq).map_err(|_| corrupt(format!("negative seq {seq}")))?;
        let fetched_at = DateTime::parse_from_rfc3339(&fetched)
            .map_err(|e| corrupt(format!("fetched_at {fetched:?}: {e}")))?
            .with_timezone(&Utc);
        Ok(Some(CachedDocument {
            kind,
            seq,
            bytes,
            fetched_at,
        }))
    }
}
