//! Sync planning, pure: which of the taken outbox entries to send, what to
//! mark after the hub's answer, whether the round goes on, and how long to
//! back off after a failure. The IO in [`crate::engine`] only carries out
//! these decisions.

use std::collections::HashSet;
use std::time::Duration;

use passgate_store::{Entry, EntryId};

use crate::protocol::UploadResponse;

/// What to do with a batch taken from the outbox.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BatchPlan {
    /// Entries to upload.
    pub send: Vec<Entry>,
    /// Entries the hub would refuse (another venue or device): they go back
    /// to pending with the reason, and never ride along in a batch, since
    /// one foreign entry makes the hub refuse the whole batch.
    pub hold: Vec<(EntryId, String)>,
}

/// Splits a taken batch into what this device may upload and what it may not.
pub fn plan_batch(taken: Vec<Entry>, venue_id: &str, device_id: &str) -> BatchPlan {
    let mut plan = BatchPlan::default();
    for e in taken {
        if e.venue_id != venue_id || e.device_id != device_id {
            let reason = format!(
                "entry was recorded for venue {:?} device {:?} but this kiosk is enrolled as venue {venue_id:?} device {device_id:?}; \
                 the hub will not take it — fix venue.id / venue.device in kiosk.toml or enrol again",
                e.venue_id, e.device_id
            );
            plan.hold.push((e.id, reason));
        } else {
            plan.send.push(e);
        }
    }
    plan
}

/// What to write to the outbox after an upload.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Marks {
    /// Sent entries the hub confirmed: mark acknowledged.
    pub ack: Vec<EntryId>,
    /// Sent entries to send again, with the reason.
    pub retry: Vec<(EntryId, String)>,
}

/// Reason recorded for an entry the hub holds with other content.
pub const CONFLICT_REASON: &str = "the hub holds an entry with this id but different content; it was not overwritten — ask the hub operator to compare both";
/// Reason recorded for an entry the hub's answer did not mention.
pub const UNCONFIRMED_REASON: &str = "the hub did not confirm this entry; it will be sent again";

/// Decides the marks after the hub answered `answer` to an upload of
/// `sent`. Only ids that were sent are ever acknowledged, whatever the
/// answer lists; an id the hub reports as a conflict is never acknowledged.
pub fn plan_marks(sent: &[EntryId], answer: &UploadResponse) -> Marks {
    let held: HashSet<&EntryId> = answer.held.iter().collect();
    let conflicts: HashSet<&EntryId> = answer.conflicts.iter().collect();
    let mut marks = Marks::default();
    let mut seen = HashSet::new();
    for id in sent {
        if !seen.insert(id) {
            continue;
        }
        if conflicts.contains(id) {
            marks.retry.push((*id, CONFLICT_REASON.to_owned()));
        } else if held.contains(id) {
            marks.ack.push(*id);
        } else {
            marks.retry.push((*id, UNCONFIRMED_REASON.to_owned()));
        }
    }
    marks
}

/// Whether a round goes on after a batch: only when the batch was full
/// (more may be waiting) and every entry in it was acknowledged (so a
/// round always ends, even when some entries can never be delivered).
pub fn round_continues(taken: usize, batch_size: usize, acknowledged: usize) -> bool {
    taken > 0 && taken >= batch_size && acknowledged == taken
}

/// Exponential backoff with jitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The delay cap after the first failure.
    pub base: Duration,
    /// The largest delay.
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            base: Duration::from_secs(1),
            max: Duration::from_secs(300),
        }
    }
}

impl Backoff {
    /// The wait after `failures` consecutive failed rounds (1 = the first),
    /// given `random` in `[0, 1)`: the cap doubles with each failure up to
    /// `max`, and the wait is half the cap plus a random part of the other
    /// half ("equal jitter"), so kiosks that lost the hub together do not
    /// come back together.
    pub fn delay(&self, failures: u32, random: f64) -> Duration {
        if failures == 0 {
            return Duration::ZERO;
        }
        let doublings = (failures - 1).min(31);
        let cap = self.base.saturating_mul(1u32 << doublings).min(self.max);
        let random = if random.is_finite() {
            random.clamp(0.0, 1.0)
        } else {
            0.0
        };
        cap / 2 + (cap / 2).mul_f64(random)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use passgate_store::{Kind, NewEntry, Outcome};

    fn entry(n: u128, venue: &str, device: &str) -> Entry {
        NewEntry {
            venue_id: venue.into(),
            device_id: device.into(),
            tz: chrono_tz::UTC,
            kind: Kind::Manual,
            outcome: Outcome::Admit,
            reason_code: "ok".into(),
            reason_text: "ok".into(),
            colour: None,
            issuer: None,
            subject: None,
            masked_name: None,
            temperature: None,
            pass_id: None,
        }
        .to_entry(id(n), Utc.with_ymd_and_hms(2026, 11, 28, 0, 0, 0).unwrap())
    }

    fn id(n: u128) -> EntryId {
        EntryId(uuid::Uuid::from_u128(n))
    }

    #[test]
    fn foreign_entries_are_held_back_not_sent() {
        let plan = plan_batch(
            vec![
                entry(1, "v1", "k1"),
                entry(2, "v2", "k1"),
                entry(3, "v1", "k9"),
                entry(4, "v1", "k1"),
            ],
            "v1",
            "k1",
        );
        let sent: Vec<EntryId> = plan.send.iter().map(|e| e.id).collect();
        assert_eq!(sent, [id(1), id(4)]);
        let held: Vec<EntryId> = plan.hold.iter().map(|h| h.0).collect();
        assert_eq!(held, [id(2), id(3)]);
        assert!(
            plan.hold[0].1.contains("venue \"v2\""),
            "{}",
            plan.hold[0].1
        );
    }

    fn check_marks(sent: &[u128], held: &[u128], conflicts: &[u128], ack: &[u128], retry: &[u128]) {
        let ids = |v: &[u128]| v.iter().map(|n| id(*n)).collect::<Vec<_>>();
        let marks = plan_marks(
            &ids(sent),
            &UploadResponse {
                held: ids(held),
                conflicts: ids(conflicts),
            },
        );
        assert_eq!(marks.ack, ids(ack), "ack");
        let got_retry: Vec<EntryId> = marks.retry.iter().map(|r| r.0).collect();
        assert_eq!(got_retry, ids(retry), "retry");
    }

    #[test]
    fn marks_table() {
        // all confirmed
        check_marks(&[1, 2, 3], &[1, 2, 3], &[], &[1, 2, 3], &[]);
        // partly confirmed: the rest is sent again
        check_marks(&[1, 2, 3], &[2], &[], &[2], &[1, 3]);
        // the hub lists ids we never sent: ignored
        check_marks(&[1], &[1, 7, 8], &[], &[1], &[]);
        // a conflict is never acknowledged, even if also listed as held
        check_marks(&[1, 2], &[1, 2], &[2], &[1], &[2]);
        // an empty answer acknowledges nothing
        check_marks(&[1, 2], &[], &[], &[], &[1, 2]);
        // a duplicate in the sent list is marked once
        check_marks(&[1, 1], &[1], &[], &[1], &[]);
    }

    #[test]
    fn conflict_and_unconfirmed_reasons_differ() {
        let marks = plan_marks(
            &[id(1), id(2)],
            &UploadResponse {
                held: vec![],
                conflicts: vec![id(1)],
            },
        );
        assert_eq!(marks.retry[0].1, CONFLICT_REASON);
        assert_eq!(marks.retry[1].1, UNCONFIRMED_REASON);
    }

    #[test]
    fn a_round_goes_on_only_after_a_full_fully_acknowledged_batch() {
        assert!(round_continues(500, 500, 500));
        assert!(!round_continues(499, 500, 499), "backlog drained");
        assert!(!round_continues(500, 500, 499), "something failed");
        assert!(!round_continues(0, 500, 0));
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_with_bounded_jitter() {
        let b = Backoff {
            base: Duration::from_millis(100),
            max: Duration::from_secs(1),
        };
        let ms = |f: u32, r: f64| b.delay(f, r).as_millis();
        assert_eq!(ms(0, 0.5), 0);
        assert_eq!((ms(1, 0.0), ms(1, 1.0)), (50, 100));
        assert_eq!((ms(2, 0.0), ms(2, 1.0)), (100, 200));
        assert_eq!((ms(3, 0.0), ms(3, 0.5)), (200, 300));
        assert_eq!((ms(5, 0.0), ms(5, 1.0)), (500, 1000), "capped at max");
        assert_eq!(ms(1000, 1.0), 1000, "no overflow on many failures");
        assert_eq!(ms(1, f64::NAN), 50);
        assert_eq!(ms(1, 7.0), 100, "random is clamped");
    }
}
