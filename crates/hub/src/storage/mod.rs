//! The hub's storage, behind [`HubStorage`] so a PostgreSQL backend can
//! sit beside the embedded SQLite one ([`SqliteStorage`]). Every method is
//! one atomic step; the server calls them off the async threads.

mod sqlite;

use chrono::{DateTime, NaiveDate, Utc};
use passgate_store::{Entry, EntryId};

use crate::Result;

pub use sqlite::{SCHEMA_VERSION, SqliteStorage};

/// An enrolled kiosk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// Device id (`venue.device` in the kiosk's kiosk.toml).
    pub device_id: String,
    /// The venue it is bound to.
    pub venue_id: String,
    /// Its Ed25519 public key, 64 hex digits.
    pub public_key: String,
    /// When it enrolled.
    pub enrolled_at: DateTime<Utc>,
}

/// What `hub status` shows about one kiosk.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DeviceStatus {
    /// Device id.
    pub device_id: String,
    /// Venue id.
    pub venue_id: String,
    /// When it enrolled.
    pub enrolled_at: DateTime<Utc>,
    /// When it last uploaded successfully.
    pub last_upload_at: Option<DateTime<Utc>>,
    /// Its backlog as it reported in that upload.
    pub last_backlog: Option<u64>,
    /// Entries the hub holds from it.
    pub entries: u64,
}

/// A new one-time enrolment token (only its hash is stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    /// SHA-256 of the token text.
    pub hash: [u8; 32],
    /// The venue a device enrolled with it is bound to.
    pub venue_id: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// After this it is refused.
    pub expires_at: DateTime<Utc>,
}

/// How an enrolment went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enrolled {
    /// The device is now bound to the venue; the token is used up.
    New,
    /// The same device, key and venue were already enrolled (a retry after
    /// a lost answer); the token was not used.
    Again,
}

/// The result of storing a batch.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ingested {
    /// Ids (of those sent) now held with exactly the sent content.
    pub held: Vec<EntryId>,
    /// Ids held with other content; not overwritten.
    pub conflicts: Vec<EntryId>,
    /// How many were new.
    pub inserted: usize,
}

/// A signed upload, ready to store.
#[derive(Debug, Clone, Copy)]
pub struct Batch<'a> {
    /// The device that signed it.
    pub device_id: &'a str,
    /// Its single-use nonce.
    pub nonce: &'a str,
    /// The entries (may be empty: a heartbeat).
    pub entries: &'a [Entry],
    /// The kiosk's backlog as it reported it.
    pub backlog: u64,
    /// The hub's clock.
    pub now: DateTime<Utc>,
    /// Nonces seen before this may be forgotten (twice the clock window ago).
    pub forget_before: DateTime<Utc>,
}

/// A published, root-signed document as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDocument {
    /// Its seq.
    pub seq: u64,
    /// Its base seq (revocation deltas; 0 for a full list or a trust list).
    pub base_seq: u64,
    /// The envelope bytes as the authority signed them.
    pub bytes: Vec<u8>,
}

/// The hub's storage.
pub trait HubStorage: Send + Sync + 'static {
    /// Stores a new enrolment token.
    fn add_token(&self, token: &NewToken) -> Result<()>;

    /// Uses the token with `token_hash` to bind `device` (whose
    /// `enrolled_at` is now) to the token's venue, which must be
    /// `device.venue_id`. Refuses an unknown, used or expired token
    /// ([`crate::Error::BadToken`]), another venue
    /// ([`crate::Error::WrongVenue`], token kept) and a device id taken by
    /// another key or venue ([`crate::Error::DeviceTaken`], token kept).
    fn enrol(&self, token_hash: &[u8; 32], device: &Device) -> Result<Enrolled>;

    /// The enrolled device with this id.
    fn device(&self, device_id: &str) -> Result<Option<Device>>;

    /// Removes a device (its entries stay). Returns whether it existed.
    fn forget_device(&self, device_id: &str) -> Result<bool>;

    /// Stores a signed batch in one transaction: first records its nonce
    /// (a nonce this device used before refuses the whole batch with
    /// [`crate::Error::Replay`]; nonces seen before `batch.forget_before`
    /// may be dropped), then each entry id once — an id already held with
    /// other content is a conflict and is never overwritten — and notes the
    /// upload time and reported backlog. The caller has checked the
    /// signature and that every entry is the device's own.
    fn ingest(&self, batch: &Batch<'_>) -> Result<Ingested>;

    /// The published trust list.
    fn trust_list(&self) -> Result<Option<StoredDocument>>;

    /// Publishes a trust list whose seq exceeds the stored one's (checked
    /// again inside the transaction); otherwise changes nothing.
    fn put_trust_list(&self, doc: &StoredDocument, now: DateTime<Utc>) -> Result<()>;

    /// All published revocation documents, by seq.
    fn revocations(&self) -> Result<Vec<StoredDocument>>;

    /// Publishes revocation documents that continue the stored chain
    /// (checked again inside the transaction), all or none.
    fn put_revocations(&self, docs: &[StoredDocument], now: DateTime<Utc>) -> Result<()>;

    /// Every enrolled device with its sync state.
    fn devices(&self) -> Result<Vec<DeviceStatus>>;

    /// A venue's entries of one venue-local day, by time.
    fn day_entries(&self, venue_id: &str, day: NaiveDate) -> Result<Vec<Entry>>;

    /// Every entry held, by id (tests and audits).
    fn all_entries(&self) -> Result<Vec<Entry>>;
}
