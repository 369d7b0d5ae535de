//! The attendant flow, pure: which scan gets a verdict, how long an amber
//! NEEDS TEMPERATURE banner holds its pass, and the list of recent verdicts.
//! No clock and no IO: `now` is passed in.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::view::{VerdictKind, VerdictView};

/// How many recent verdicts are kept for the screen.
pub const RECENT: usize = 6;

/// A held pass the camera read within this time, with no empty frame since,
/// is taken to be still in front of it: another code read meanwhile (a
/// second phone in the picture) does not replace the hold.
pub const HELD_IN_VIEW: Duration = Duration::from_millis(1500);

/// A pass held by the amber banner until a temperature arrives.
#[derive(Debug, Clone, PartialEq)]
pub struct Held<P> {
    /// Whatever the service needs to decide again (the raw pass text).
    pub pass: P,
    /// The amber verdict on screen.
    pub view: VerdictView,
    /// When the hold ends without a temperature.
    pub deadline: Instant,
    /// When the camera last read the held pass (or the hold began); `None`
    /// once a frame with no code in it was read.
    pub last_seen: Option<Instant>,
}

/// What to do with a new scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Decide it: nothing is held.
    Decide,
    /// Decide it: it is a different pass from the one held for a
    /// temperature, and its verdict replaces the hold (the held pass leaves
    /// the screen unrecorded, so showing it again decides it again).
    Replace,
    /// It is the pass already held: nothing changes on screen.
    Held,
}

/// The attendant flow.
#[derive(Debug)]
pub struct Flow<P> {
    seq: u32,
    hold_for: Duration,
    held: Option<Held<P>>,
    recent: VecDeque<VerdictView>,
    current: Option<VerdictView>,
}

impl<P: Clone> Flow<P> {
    /// A flow whose amber banner holds a pass for `hold_for`.
    pub fn new(hold_for: Duration) -> Self {
        Self {
            seq: 0,
            hold_for,
            held: None,
            recent: VecDeque::with_capacity(RECENT),
            current: None,
        }
    }

    /// The sequence number the next verdict gets.
    pub fn next_seq(&mut self) -> u32 {
        self.seq += 1;
        self.seq
    }

    /// Whether a new scan is decided, replaces the held pass, or is the
    /// held pass again (`is_held` compares a scan with the held pass).
    pub fn admit_scan(&self, is_held: impl FnOnce(&P) -> bool) -> Admission {
        match &self.held {
            None => Admission::Decide,
            Some(h) if is_held(&h.pass) => Admission::Held,
            Some(_) => Admission::Replace,
        }
    }

    /// Puts a verdict on screen. An amber one holds `pass` until
    /// [`Flow::take_held`] or the deadline; a final one replaces any hold.
    pub fn show(&mut self, mut view: VerdictView, pass: P, now: Instant) -> VerdictView {
        if view.kind == VerdictKind::NeedsTemperature {
            view.hold_seconds = Some(self.hold_for.as_secs() as u32);
            self.held = Some(Held {
                pass,
                view: view.clone(),
                deadline: now + self.hold_for,
                last_seen: Some(now),
            });
        } else {
            self.held = None;
            if self.recent.len() == RECENT {
                self.recent.pop_back();
            }
            self.recent.push_front(view.clone());
        }
        self.current = Some(view.clone());
        view
    }

    /// Notes that the camera read the held pass again at `now`.
    pub fn saw_held(&mut self, now: Instant) {
        if let Some(h) = self.held.as_mut() {
            h.last_seen = Some(h.last_seen.map_or(now, |t| t.max(now)));
        }
    }

    /// Notes that the camera read a frame with no code at all: whoever
    /// held a pass up has stepped away.
    pub fn frame_empty(&mut self) {
        if let Some(h) = self.held.as_mut() {
            h.last_seen = None;
        }
    }

    /// Whether the held pass is still in front of the camera at `now`: read
    /// within [`HELD_IN_VIEW`], and no empty frame since.
    pub fn held_in_view(&self, now: Instant) -> bool {
        self.held
            .as_ref()
            .and_then(|h| h.last_seen)
            .is_some_and(|t| now.saturating_duration_since(t) < HELD_IN_VIEW)
    }

    /// The held pass, for deciding again with a temperature. The hold stays
    /// until the next [`Flow::show`] (so a failed record keeps it).
    pub fn held(&self) -> Option<&Held<P>> {
        self.held.as_ref()
    }

    /// Drops the held pass (attendant cancelled); returns the cleared verdict's `seq`.
    pub fn cancel(&mut self) -> Option<u32> {
        let held = self.held.take()?;
        self.current = None;
        Some(held.view.seq)
    }

    /// Ends a hold whose deadline has passed; returns the cleared verdict's `seq`.
    pub fn tick(&mut self, now: Instant) -> Option<u32> {
        if self.held.as_ref().is_some_and(|h| now >= h.deadline) {
            self.cancel()
        } else {
            None
        }
    }

    /// The verdict on screen, if any.
    pub fn current(&self) -> Option<&VerdictView> {
        self.current.as_ref()
    }

    /// Recent final verdicts, newest first.
    pub fn recent(&self) -> Vec<VerdictView> {
        self.recent.iter().cloned().collect()
    }
}

/// The codes of one frame that are decided, in order. When the pass held
/// for a temperature is among them, only that one: its visitor is still in
/// front of the camera, and another code in the same picture (a second
/// phone, a poster) must not swap the amber banner back and forth. A frame
/// without it means the visitor has stepped away: the others are decided
/// and replace the hold.
pub fn frame_scans<'a>(texts: &[&'a str], is_held: impl Fn(&str) -> bool) -> Vec<&'a str> {
    match texts.iter().find(|t| is_held(t)) {
        Some(held) => vec![*held],
        None => texts.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::InputKind;

    fn view(seq: u32, kind: VerdictKind) -> VerdictView {
        VerdictView {
            seq,
            kind,
            reason_code: "ok".into(),
            reason_text: "ok".into(),
            masked_name: None,
            issuer: None,
            colour: None,
            temperature: None,
            recorded: kind != VerdictKind::NeedsTemperature,
            input: InputKind::Camera,
            at: String::new(),
            time: String::new(),
            hold_seconds: None,
        }
    }

    #[test]
    fn an_amber_verdict_holds_its_pass_until_a_final_one() {
        let t0 = Instant::now();
        let mut f = Flow::new(Duration::from_secs(30));
        assert_eq!(f.admit_scan(|p| *p == "green"), Admission::Decide);
        let shown = f.show(view(1, VerdictKind::NeedsTemperature), "green", t0);
        assert_eq!(shown.hold_seconds, Some(30));
        assert_eq!(f.admit_scan(|p| *p == "green"), Admission::Held);
        assert_eq!(f.held().map(|h| h.pass), Some("green"));
        assert!(
            f.recent().is_empty(),
            "an amber banner is not a final verdict"
        );
        f.show(view(2, VerdictKind::Admit), "green", t0);
        assert_eq!(f.admit_scan(|p| *p == "green"), Admission::Decide);
        assert_eq!(f.recent().len(), 1);
    }

    #[test]
    fn a_different_pass_replaces_the_held_one_and_the_same_one_does_not() {
        let t0 = Instant::now();
        let mut f = Flow::new(Duration::from_secs(30));
        f.show(view(1, VerdictKind::NeedsTemperature), "green-a", t0);
        assert_eq!(f.admit_scan(|p| *p == "green-a"), Admission::Held);
        assert_eq!(f.admit_scan(|p| *p == "yellow"), Admission::Replace);
        f.show(view(2, VerdictKind::Deny), "yellow", t0);
        assert!(f.held().is_none(), "a final verdict ends the hold");
        assert_eq!(f.current().map(|v| v.seq), Some(2));
        f.show(view(3, VerdictKind::NeedsTemperature), "green-a", t0);
        assert_eq!(f.admit_scan(|p| *p == "green-b"), Admission::Replace);
        f.show(view(4, VerdictKind::NeedsTemperature), "green-b", t0);
        assert_eq!(f.held().map(|h| h.pass), Some("green-b"));
        assert_eq!(f.recent().len(), 1, "only the DENY was final");
    }

    #[test]
    fn a_hold_times_out_at_its_deadline_and_not_before() {
        let t0 = Instant::now();
        let mut f = Flow::new(Duration::from_secs(30));
        f.show(view(7, VerdictKind::NeedsTemperature), (), t0);
        assert_eq!(f.tick(t0 + Duration::from_secs(29)), None);
        assert_eq!(f.tick(t0 + Duration::from_secs(30)), Some(7));
        assert!(f.current().is_none());
        assert_eq!(f.admit_scan(|_| true), Admission::Decide);
    }

    #[test]
    fn cancel_clears_only_a_hold() {
        let t0 = Instant::now();
        let mut f = Flow::new(Duration::from_secs(5));
        assert_eq!(f.cancel(), None);
        f.show(view(1, VerdictKind::Deny), (), t0);
        assert_eq!(f.cancel(), None);
        f.show(view(2, VerdictKind::NeedsTemperature), (), t0);
        assert_eq!(f.cancel(), Some(2));
    }

    #[test]
    fn recent_keeps_the_newest_few() {
        let t0 = Instant::now();
        let mut f = Flow::new(Duration::from_secs(5));
        for seq in 1..=10 {
            f.show(view(seq, VerdictKind::Deny), (), t0);
        }
        let seqs: Vec<u32> = f.recent().iter().map(|v| v.seq).collect();
        assert_eq!(seqs, vec![10, 9, 8, 7, 6, 5]);
    }

    #[test]
    fn a_frame_showing_the_held_pass_decides_only_that_one() {
        let held = |t: &str| t == "A";
        assert_eq!(frame_scans(&["B", "A", "C"], held), vec!["A"]);
        assert_eq!(frame_scans(&["B", "C"], held), vec!["B", "C"]);
        assert_eq!(frame_scans(&[], held), Vec::<&str>::new());
        assert_eq!(frame_scans(&["B", "C"], |_| false), vec!["B", "C"]);
    }

    #[test]
    fn a_held_pass_is_in_view_until_unread_for_a_while_or_an_empty_frame() {
        let t0 = Instant::now();
        let mut f = Flow::new(Duration::from_secs(30));
        assert!(!f.held_in_view(t0), "nothing held");
        f.show(view(1, VerdictKind::NeedsTemperature), "green", t0);
        assert!(f.held_in_view(t0 + HELD_IN_VIEW / 2));
        assert!(!f.held_in_view(t0 + HELD_IN_VIEW), "not read for a while");
        f.saw_held(t0 + HELD_IN_VIEW);
        assert!(f.held_in_view(t0 + HELD_IN_VIEW * 3 / 2));
        f.frame_empty();
        assert!(!f.held_in_view(t0 + HELD_IN_VIEW * 3 / 2), "stepped away");
        f.saw_held(t0 + HELD_IN_VIEW * 2);
        assert!(f.held_in_view(t0 + HELD_IN_VIEW * 2), "back in view");
        f.show(view(2, VerdictKind::Admit), "green", t0 + HELD_IN_VIEW * 2);
        assert!(!f.held_in_view(t0 + HELD_IN_VIEW * 2), "the hold is over");
    }
}
