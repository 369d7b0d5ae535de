//! One sync round: upload the outbox in batches, then refresh the trust
//! list and the revocation documents. The decisions come from
//! [`crate::plan`]; this module does the IO and keeps the status.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use ed25519_dalek::VerifyingKey;
use passgate_store::{EntryId, Store};
use serde::{Deserialize, Serialize};

use crate::client::{Download, HubClient};
use crate::identity::DeviceIdentity;
use crate::plan::{Marks, plan_batch, plan_marks, round_continues};
use crate::protocol::{EnrolRequest, UploadRequest, check_id};
use crate::signing::nonce_from;
use crate::{ClientOptions, Error, Result};

/// The hub's error code for a timestamp outside its window.
pub const CLOCK_SKEW_CODE: &str = "clock_skew";

/// Where the time comes from; tests give the kiosk a wrong clock.
pub trait Clock: Send + Sync {
    /// The current time as this kiosk believes it.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// What the kiosk screen shows about sync.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SyncStatus {
    /// The kiosk has a device identity.
    pub enrolled: bool,
    /// The last request reached the hub (whatever it answered).
    pub online: bool,
    /// Entries not yet acknowledged by the hub.
    pub backlog: u64,
    /// When (kiosk clock) the last round finished without an error.
    pub last_success: Option<DateTime<Utc>>,
    /// The last round's error, in words; `None` after a clean round.
    pub last_error: Option<String>,
    /// Kiosk clock minus hub clock, seconds, from the hub's `Date` header.
    pub clock_offset_seconds: Option<i64>,
    /// The seq of the cached trust list, if any.
    pub trust_list_seq: Option<u64>,
    /// The seq of the cached revocations (0: none).
    pub revocations_seq: u64,
    /// Failed rounds in a row.
    pub failures: u32,
}

/// What one round did.
#[derive(Debug, Default)]
pub struct RoundReport {
    /// Entries the hub acknowledged in this round.
    pub acknowledged: usize,
    /// Uploads made (batches sent).
    pub uploads: usize,
    /// The seq of a trust list newly cached in this round.
    pub new_trust_list: Option<u64>,
    /// The revocation seq reached, when it moved in this round.
    pub new_revocations: Option<u64>,
    /// The first error of the round (the round stops uploading at it).
    pub error: Option<Error>,
}

/// The sync engine for one enrolled kiosk. Keeps the clock offset and the
/// download tags between rounds.
pub struct Syncer {
    client: HubClient,
    identity: DeviceIdentity,
    root: VerifyingKey,
    batch_size: usize,
    clock: Arc<dyn Clock>,
    offset: Option<i64>,
    trust_etag: Option<String>,
    status: SyncStatus,
}

impl Syncer {
    /// An engine for the kiosk whose identity is saved in `store`; the hub
    /// URL is `hub_url`, or the one saved at enrolment when `None`.
    pub fn new(
        store: &Store,
        hub_url: Option<&str>,
        root: VerifyingKey,
        batch_size: usize,
        options: ClientOptions,
        clock: Arc<dyn Clock>,
    ) -> Result<Self> {
        let identity = DeviceIdentity::load(store)?.ok_or(Error::NotEnrolled)?;
        let url = hub_url
            .filter(|u| !u.trim().is_empty())
            .unwrap_or(&identity.hub_url);
        if batch_size == 0 {
            return Err(Error::InvalidArgument(
                "sync.batch_size must be at least 1".into(),
            ));
        }
        Ok(Self {
            client: HubClient::new(url, options)?,
            identity,
            root,
            batch_size,
            clock,
            offset: None,
            trust_etag: None,
            status: SyncStatus {
                enrolled: true,
                ..SyncStatus::default()
            },
        })
    }

    /// The status after the last round.
    pub fn status(&self) -> &SyncStatus {
        &self.status
    }

    /// The identity this engine signs with.
    pub fn identity(&self) -> &DeviceIdentity {
        &self.identity
    }

    /// Runs one round: uploads until the outbox is empty or something
    /// fails, then refreshes the trust documents. Errors are reported in
    /// the round report and the status, never lost.
    pub async fn round(&mut self, store: &mut Store) -> RoundReport {
        let mut report = RoundReport::default();
        if let Err(e) = self.upload_all(store, &mut report).await {
            report.error = Some(e);
        }
        let trust = self.refresh_trust_list(store, &mut report).await;
        let revocations = self.refresh_revocations(store, &mut report).await;
        for result in [trust, revocations] {
            if let Err(e) = result
                && report.error.is_none()
            {
                report.error = Some(e);
            }
        }
        self.finish(store, &report);
        report
    }

    fn hub_now(&self) -> DateTime<Utc> {
        self.clock.now() - TimeDelta::seconds(self.offset.unwrap_or(0))
    }

    fn note_date(&mut self, hub_date: Option<DateTime<Utc>>) {
        if let Some(date) = hub_date {
            self.offset = Some(self.clock.now().timestamp() - date.timestamp());
        }
        self.status.online = true;
    }

    fn note_error(&mut self, e: &Error) {
        match e {
            Error::Refused { hub_date, .. } => self.note_date(*hub_date),
            Error::Unreachable { .. } => self.status.online = false,
            _ => {}
        }
    }

    async fn upload_all(&mut self, store: &mut Store, report: &mut RoundReport) -> Result<()> {
        let mut skew_retried = false;
        // Counted once per round (the count scans the outbox); new entries
        // recorded meanwhile are reported in the next round.
        let mut backlog = store.backlog()?.unsynced();
        loop {
            let taken = store.take_pending(self.batch_size, self.clock.now())?;
            let taken_len = taken.len();
            // With nothing to send the round still makes one (empty) signed
            // upload: the hub notes when this kiosk last synced and its
            // backlog, and the kiosk learns the clock offset and whether it
            // is still enrolled.
            if taken_len == 0 && report.uploads > 0 {
                return Ok(());
            }
            let plan = plan_batch(taken, &self.identity.venue_id, &self.identity.device_id);
            mark_retry(store, &plan.hold, self.clock.now())?;
            let held_back = plan.hold.first().map(|(_, reason)| Error::NotSendable {
                count: plan.hold.len(),
                reason: reason.clone(),
            });
            if plan.send.is_empty() && taken_len > 0 {
                return held_back.map_or(Ok(()), Err);
            }
            let sent: Vec<EntryId> = plan.send.iter().map(|e| e.id).collect();
            let request = UploadRequest {
                backlog,
                entries: plan.send,
            };
            report.uploads += 1;
            let answer = match self
                .client
                .upload(&self.identity, &request, self.hub_now(), &new_nonce()?)
                .await
            {
                Ok(answer) => answer,
                Err(e) => {
                    self.note_error(&e);
                    store.mark_failed(&sent, &e.describe(), self.clock.now())?;
                    // A refused clock gets one immediate retry with the
                    // offset just learnt from the hub's Date header.
                    if e.hub_code() == Some(CLOCK_SKEW_CODE) && !skew_retried {
                        skew_retried = true;
                        continue;
                    }
                    return Err(e);
                }
            };
            self.note_date(answer.hub_date);
            let Marks { ack, retry } = plan_marks(&sent, &answer.value);
            store.mark_acknowledged(&ack, self.clock.now())?;
            mark_retry(store, &retry, self.clock.now())?;
            report.acknowledged += ack.len();
            backlog = backlog.saturating_sub(ack.len() as u64);
            if let Some((_, reason)) = retry.first() {
                return Err(Error::Refused {
                    status: 200,
                    code: "not_confirmed".into(),
                    message: format!("{} of {} entries: {reason}", retry.len(), sent.len()),
                    hub_date: None,
                });
            }
            if let Some(e) = held_back {
                return Err(e);
            }
            if !round_continues(taken_len, self.batch_size, ack.len()) {
                return Ok(());
            }
        }
    }

    async fn refresh_trust_list(
        &mut self,
        store: &mut Store,
        report: &mut RoundReport,
    ) -> Result<()> {
        let before = store.load_trust_list(&self.root).ok().flatten();
        let answer = self
            .client
            .trust_list(self.trust_etag.as_deref())
            .await
            .inspect_err(|e| self.note_error(e))?;
        self.note_date(answer.hub_date);
        if let Download::Body { bytes, etag } = answer.value {
            let list = store.save_trust_list(&bytes, &self.root, self.clock.now())?;
            if before.as_ref().map(|c| c.list.seq()) != Some(list.seq()) {
                report.new_trust_list = Some(list.seq());
            }
            self.trust_etag = etag;
        }
        Ok(())
    }

    async fn refresh_revocations(
        &mut self,
        store: &mut Store,
        report: &mut RoundReport,
    ) -> Result<()> {
        let since = store.load_revocations(&self.root)?.set.seq();
        let answer = self
            .client
            .revocations(since, None)
            .await
            .inspect_err(|e| self.note_error(e))?;
        self.note_date(answer.hub_date);
        if let Download::Body { bytes, .. } = answer.value {
            for line in bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
                let set = store.save_revocations(line, &self.root, self.clock.now())?;
                report.new_revocations = Some(set.seq());
            }
        }
        Ok(())
    }

    fn finish(&mut self, store: &Store, report: &RoundReport) {
        let now = self.clock.now();
        match &report.error {
            None => {
                self.status.last_success = Some(now);
                self.status.last_error = None;
                self.status.failures = 0;
            }
            Some(e) => {
                self.status.last_error = Some(e.describe());
                self.status.failures = self.status.failures.saturating_add(1);
            }
        }
        self.status.clock_offset_seconds = self.offset;
        if let Ok(b) = store.backlog() {
            self.status.backlog = b.unsynced();
        }
        if let Ok(t) = store.load_trust_list(&self.root) {
            self.status.trust_list_seq = t.map(|c| c.list.seq());
        }
        if let Ok(r) = store.load_revocations(&self.root) {
            self.status.revocations_seq = r.set.seq();
        }
    }
}

/// Puts entries back to pending, each with its own reason.
fn mark_retry(store: &mut Store, retry: &[(EntryId, String)], now: DateTime<Utc>) -> Result<()> {
    let mut by_reason: BTreeMap<&str, Vec<EntryId>> = BTreeMap::new();
    for (id, reason) in retry {
        by_reason.entry(reason).or_default().push(*id);
    }
    for (reason, ids) in by_reason {
        store.mark_failed(&ids, reason, now)?;
    }
    Ok(())
}

fn new_nonce() -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| Error::Random(e.to_string()))?;
    Ok(nonce_from(bytes))
}

/// Enrols this kiosk with the hub at `hub_url` using a one-time `token`:
/// makes (or reuses, after an interrupted attempt) the device key, presents
/// it, and saves the identity once the hub has bound the device to the
/// venue.
pub async fn enrol(
    store: &mut Store,
    hub_url: &str,
    token: &str,
    device_id: &str,
    venue_id: &str,
    options: ClientOptions,
) -> Result<DeviceIdentity> {
    check_id("device id", device_id).map_err(Error::InvalidArgument)?;
    check_id("venue id", venue_id).map_err(Error::InvalidArgument)?;
    let client = HubClient::new(hub_url, options)?;
    let key = crate::identity::pending_key(store)?;
    let answer = client
        .enrol(&EnrolRequest {
            token: token.trim().to_owned(),
            device_id: device_id.to_owned(),
            venue_id: venue_id.to_owned(),
            public_key: hex::encode(key.verifying_key().as_bytes()),
        })
        .await?;
    if answer.value.device_id != device_id || answer.value.venue_id != venue_id {
        return Err(Error::BadAnswer(format!(
            "the hub enrolled device {:?} for venue {:?}, not {device_id:?} for {venue_id:?}",
            answer.value.device_id, answer.value.venue_id
        )));
    }
    let identity = DeviceIdentity {
        device_id: device_id.to_owned(),
        venue_id: venue_id.to_owned(),
        hub_url: client.base_url().to_owned(),
        key,
    };
    identity.save(store)?;
    Ok(identity)
}
