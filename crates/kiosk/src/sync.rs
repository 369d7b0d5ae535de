//! The kiosk's side of the sync loop: what the status bar shows about it,
//! and when the trust documents the loop downloaded must be reloaded.
//! Pure; the loop itself (`passgate_sync::SyncHandle`) is started by
//! [`crate::Kiosk::start`] when `[sync] hub_url` is set.

use chrono::SecondsFormat;
use passgate_gate::TrustState;
use passgate_sync::SyncStatus;

use crate::view::SyncView;

/// The clock offset from the hub above which the status bar warns, seconds.
pub const CLOCK_WARNING_SECONDS: i64 = 120;

/// The status bar's sync part for a status reported by the loop.
pub fn view_of(status: &SyncStatus) -> SyncView {
    SyncView {
        enabled: true,
        enrolled: status.enrolled,
        online: status.online,
        backlog: status.backlog,
        last_success: status
            .last_success
            .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
        last_error: status.last_error.clone(),
        clock_offset_seconds: status.clock_offset_seconds,
    }
}

/// The status bar's sync part when no hub is configured.
pub fn disabled() -> SyncView {
    SyncView {
        enabled: false,
        enrolled: false,
        online: false,
        backlog: 0,
        last_success: None,
        last_error: None,
        clock_offset_seconds: None,
    }
}

/// Whether the documents the loop has cached differ from the ones the gate
/// decides with (so the kiosk must load them from the store).
pub fn documents_changed(in_use: &TrustState, status: &SyncStatus) -> bool {
    in_use.trust_list.as_ref().map(|l| l.seq()) != status.trust_list_seq
        || in_use.revocations.seq() != status.revocations_seq
}

/// The clock warning for an offset from the hub (kiosk minus hub, seconds).
pub fn clock_warning(offset_seconds: i64) -> Option<String> {
    (offset_seconds.abs() > CLOCK_WARNING_SECONDS).then(|| {
        let ahead = if offset_seconds > 0 {
            "ahead of"
        } else {
            "behind"
        };
        format!(
            "this clock is {} {ahead} the hub's: set the time",
            duration_words(offset_seconds.unsigned_abs())
        )
    })
}

fn duration_words(seconds: u64) -> String {
    match seconds {
        s if s < 120 => format!("{s} s"),
        s if s < 2 * 3600 => format!("{} min", s / 60),
        s if s < 2 * 86_400 => format!("{} h", s / 3600),
        s => format!("{} days", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn a_status_becomes_the_status_bar_view() {
        let status = SyncStatus {
            enrolled: true,
            online: true,
            backlog: 7,
            last_success: Some(Utc.with_ymd_and_hms(2026, 11, 28, 8, 30, 5).unwrap()),
            last_error: None,
            clock_offset_seconds: Some(-3),
            trust_list_seq: Some(4),
            revocations_seq: 2,
            failures: 0,
        };
        let v = view_of(&status);
        assert!(v.enabled && v.enrolled && v.online);
        assert_eq!(v.backlog, 7);
        assert_eq!(v.last_success.as_deref(), Some("2026-11-28T08:30:05Z"));
        assert_eq!(v.clock_offset_seconds, Some(-3));
        assert!(!disabled().enabled);
    }

    #[test]
    fn documents_changed_compares_both_sequences() {
        let in_use = TrustState::default();
        let mut s = SyncStatus::default();
        assert!(!documents_changed(&in_use, &s));
        s.revocations_seq = 3;
        assert!(documents_changed(&in_use, &s));
        s.revocations_seq = 0;
        s.trust_list_seq = Some(1);
        assert!(documents_changed(&in_use, &s));
    }

    #[test]
    fn the_clock_warning_starts_past_two_minutes_and_says_which_way() {
        for (offset, want) in [
            (0, None),
            (120, None),
            (-120, None),
            (
                121,
                Some("this clock is 2 min ahead of the hub's: set the time"),
            ),
            (
                -600,
                Some("this clock is 10 min behind the hub's: set the time"),
            ),
            (
                3 * 86_400,
                Some("this clock is 3 days ahead of the hub's: set the time"),
            ),
        ] {
            assert_eq!(clock_warning(offset).as_deref(), want, "{offset}");
        }
    }
}
