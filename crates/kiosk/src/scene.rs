//! Skipping frames the reader has in effect already read. Pure: frames and
//! `now` come in, decisions go out.
//!
//! Each frame gets a coarse [`Signature`] (mean luma of a 32 x 18 grid of
//! blocks, sampled every fourth pixel of every fourth row: about 0.1 ms for
//! 1280 x 720). When the reader found nothing in a frame, that frame's
//! signature becomes the reference; later frames whose every block is
//! within [`SceneConfig::threshold`] of it show the same empty counter
//! (sensor noise moves a block mean by about one level, a phone or a paper
//! pass by tens). Such a frame is skipped once the scene has been still for
//! [`SceneConfig::settle`], except one every [`SceneConfig::refresh`] so
//! that slow changes and a code the reader missed get another look. A code
//! in view, a change, and the moments right after a change are read at the
//! full rate. The preview also slows down while the scene is unchanged.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Blocks across.
pub const GRID_W: usize = 32;
/// Blocks down.
pub const GRID_H: usize = 18;
/// Every STEP-th pixel of every STEP-th row is sampled.
const STEP: usize = 4;
/// Frames handed to the reader and not yet answered that are remembered.
const PENDING: usize = 8;

/// Mean luma per block of a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature([u8; GRID_W * GRID_H]);

impl Signature {
    /// The signature of a row-major luma image of `width * height` bytes.
    pub fn of(width: usize, height: usize, luma: &[u8]) -> Self {
        let mut sums = [0u32; GRID_W * GRID_H];
        let mut counts = [0u32; GRID_W * GRID_H];
        if width > 0 && height > 0 && luma.len() >= width * height {
            for y in (0..height).step_by(STEP) {
                let row = &luma[y * width..(y + 1) * width];
                let base = (y * GRID_H / height) * GRID_W;
                for x in (0..width).step_by(STEP) {
                    let b = base + x * GRID_W / width;
                    sums[b] += u32::from(row[x]);
                    counts[b] += 1;
                }
            }
        }
        let mut means = [0u8; GRID_W * GRID_H];
        for ((m, s), n) in means.iter_mut().zip(sums).zip(counts) {
            *m = s.checked_div(n).unwrap_or(0) as u8;
        }
        Self(means)
    }

    /// The largest difference between two blocks' means.
    pub fn distance(&self, other: &Signature) -> u8 {
        self.0
            .iter()
            .zip(other.0.iter())
            .map(|(a, b)| a.abs_diff(*b))
            .max()
            .unwrap_or(0)
    }
}

/// When a frame counts as unchanged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SceneConfig {
    /// Largest block difference (luma levels) that still counts as the same scene.
    pub threshold: u8,
    /// An unchanged scene is still read once per this interval.
    pub refresh: Duration,
    /// Every frame is read for this long after the scene changed (a code
    /// held up and missed in one frame gets the next ones).
    pub settle: Duration,
}

impl Default for SceneConfig {
    fn default() -> Self {
        Self {
            threshold: 6,
            refresh: Duration::from_millis(500),
            settle: Duration::from_millis(500),
        }
    }
}

/// How many frames were read and skipped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SceneCounts {
    /// Frames handed to the reader.
    pub read: u64,
    /// Frames skipped as unchanged.
    pub skipped: u64,
}

/// Decides which frames the reader reads.
#[derive(Debug)]
pub struct SceneGate {
    config: SceneConfig,
    pending: VecDeque<(u64, Signature)>,
    reference: Option<Signature>,
    last_read: Option<Instant>,
    last_change: Option<Instant>,
    counts: SceneCounts,
}

impl SceneGate {
    /// A gate with these settings.
    pub fn new(config: SceneConfig) -> Self {
        Self {
            config,
            pending: VecDeque::with_capacity(PENDING),
            reference: None,
            last_read: None,
            last_change: None,
            counts: SceneCounts::default(),
        }
    }

    /// Whether a frame with this signature shows the last empty scene read.
    pub fn unchanged(&self, sig: &Signature) -> bool {
        self.reference
            .as_ref()
            .is_some_and(|r| r.distance(sig) <= self.config.threshold)
    }

    /// Whether frame `seq` should be read; if so it is remembered until
    /// [`SceneGate::answered`].
    pub fn admit(&mut self, seq: u64, sig: Signature, now: Instant) -> bool {
        if !self.unchanged(&sig) {
            self.last_change = Some(now);
        }
        let since = |t: Option<Instant>| t.map(|t| now.duration_since(t));
        let settled = since(self.last_change).is_some_and(|d| d >= self.config.settle);
        let due = since(self.last_read).is_none_or(|d| d >= self.config.refresh);
        if settled && !due {
            self.counts.skipped += 1;
            return false;
        }
        if self.pending.len() == PENDING {
            self.pending.pop_front();
        }
        self.pending.push_back((seq, sig));
        self.last_read = Some(now);
        self.counts.read += 1;
        true
    }

    /// The reader's answer for frame `seq`: whether it found a code. An
    /// empty read makes the frame the reference; a code in view means every
    /// frame is read until it has gone.
    pub fn answered(&mut self, seq: u64, found: bool) {
        while self.pending.front().is_some_and(|(s, _)| *s < seq) {
            self.pending.pop_front();
        }
        let Some((_, sig)) = self.pending.pop_front().filter(|(s, _)| *s == seq) else {
            return;
        };
        self.reference = (!found).then_some(sig);
    }

    /// Frames read and skipped so far.
    pub fn counts(&self) -> SceneCounts {
        self.counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: usize = 1280;
    const H: usize = 720;

    /// A grey counter with pseudo-random sensor noise of +-`noise` levels.
    fn counter(seed: u32, noise: u8) -> Vec<u8> {
        let mut state = seed.wrapping_mul(2_654_435_761).max(1);
        (0..W * H)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                let base: u8 = if (300..980).contains(&(i % W)) {
                    128
                } else {
                    90
                };
                let n = (state % (2 * u32::from(noise) + 1)) as i16 - i16::from(noise);
                (i16::from(base) + n) as u8
            })
            .collect()
    }

    /// `frame` with a bright 120 x 120 card (a pass) at (x, y).
    fn with_card(mut frame: Vec<u8>, x: usize, y: usize) -> Vec<u8> {
        for row in y..y + 120 {
            frame[row * W + x..row * W + x + 120].fill(235);
        }
        frame
    }

    #[test]
    fn sensor_noise_is_the_same_scene_and_a_small_card_is_not() {
        let a = Signature::of(W, H, &counter(1, 8));
        let b = Signature::of(W, H, &counter(2, 8));
        let limit = SceneConfig::default().threshold / 2;
        assert!(
            a.distance(&b) <= limit,
            "noise moved a block by {}",
            a.distance(&b)
        );
        let card = Signature::of(W, H, &with_card(counter(3, 8), 600, 300));
        assert!(a.distance(&card) > 30);
    }

    #[test]
    fn an_unchanged_empty_scene_is_read_once_per_refresh_after_it_settled() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut g = SceneGate::new(SceneConfig::default());
        let sig = |seed| Signature::of(W, H, &counter(seed, 4));
        assert!(g.admit(0, sig(0), ms(0)), "nothing to compare with yet");
        assert!(g.admit(1, sig(1), ms(33)), "no answer yet: no reference");
        g.answered(0, false);
        g.answered(1, false);
        // Unchanged since 33 ms (the last frame without a reference): every
        // frame is read until 533 ms, then one per 500 ms.
        let read: Vec<u64> = (2..=40)
            .filter(|&n| g.admit(n, sig(n as u32), ms(n * 33)))
            .collect();
        let settling: Vec<u64> = (2..=16).collect();
        assert_eq!(read[..settling.len()], settling[..]);
        assert_eq!(read[settling.len()..], [32]);
        assert_eq!(g.counts().skipped, 39 - read.len() as u64);
    }

    #[test]
    fn a_card_entering_is_read_at_once_and_every_frame_while_a_code_is_seen() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut g = SceneGate::new(SceneConfig::default());
        assert!(g.admit(0, Signature::of(W, H, &counter(0, 4)), ms(0)));
        g.answered(0, false);
        assert!(
            g.admit(1, Signature::of(W, H, &counter(1, 4)), ms(600)),
            "due"
        );
        assert!(!g.admit(2, Signature::of(W, H, &counter(2, 4)), ms(633)));
        let card = |seed| Signature::of(W, H, &with_card(counter(seed, 4), 40, 40));
        assert!(
            g.admit(3, card(3), ms(666)),
            "a card in a corner is a change"
        );
        g.answered(3, true);
        assert!(
            g.admit(4, card(4), ms(1300)),
            "a code in view: no reference, every frame is read"
        );
    }

    #[test]
    fn a_code_missed_once_is_read_again_while_the_scene_settles() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut g = SceneGate::new(SceneConfig::default());
        assert!(g.admit(0, Signature::of(W, H, &counter(0, 4)), ms(0)));
        g.answered(0, false);
        let card = |seed| Signature::of(W, H, &with_card(counter(seed, 4), 600, 300));
        assert!(g.admit(1, card(1), ms(700)));
        g.answered(1, false);
        assert!(
            g.admit(2, card(2), ms(733)),
            "the card frame is the reference now, but the scene only just changed"
        );
        g.answered(2, false);
        assert!(!g.admit(3, card(3), ms(1210)), "settled and not due");
    }

    #[test]
    fn answers_for_forgotten_or_dropped_frames_are_ignored() {
        let t0 = Instant::now();
        let mut g = SceneGate::new(SceneConfig::default());
        let sig = Signature::of(W, H, &counter(0, 4));
        g.answered(7, false);
        assert!(!g.unchanged(&sig));
        for n in 0..20 {
            g.admit(n, sig.clone(), t0 + Duration::from_secs(n));
        }
        g.answered(3, false);
        assert!(!g.unchanged(&sig), "frame 3 was forgotten");
        g.answered(19, false);
        assert!(g.unchanged(&sig));
    }

    #[test]
    fn a_tiny_or_short_frame_has_a_signature_without_panicking() {
        assert_eq!(
            Signature::of(0, 0, &[]).distance(&Signature::of(1, 1, &[0])),
            0
        );
        let s = Signature::of(3, 2, &[200; 6]);
        assert!(s.0.contains(&200));
        assert_eq!(Signature::of(10, 10, &[1, 2, 3]), Signature::of(0, 0, &[]));
    }
}
