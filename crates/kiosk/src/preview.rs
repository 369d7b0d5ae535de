//! Preview frames for the screen: downscaled luma, at most 15 per second
//! (5 while the scene is unchanged: the picture is the same), handed over
//! through a one-slot mailbox so a slow screen never slows the reader (a
//! frame that is not taken in time is replaced by the next one). The next
//! frame goes out only once the screen has drawn the last one ([`Credit`]):
//! a web view that falls behind gets fewer frames instead of a queue.

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::view::PREVIEW_HEADER_BYTES;

/// The widest preview sent to the screen.
pub const MAX_WIDTH: u32 = 320;
/// The shortest time between two preview frames (15 fps).
pub const MIN_INTERVAL: Duration = Duration::from_millis(1000 / 15);
/// The time between two preview frames of an unchanged scene (5 fps).
pub const IDLE_INTERVAL: Duration = Duration::from_millis(1000 / 5);

/// Whether a frame seen at `now` should become a preview frame.
#[derive(Debug, Default)]
pub struct Throttle {
    last: Option<Instant>,
}

impl Throttle {
    /// True (and remembers `now`) when at least [`MIN_INTERVAL`] has passed
    /// since the last `true`, or [`IDLE_INTERVAL`] for an unchanged scene.
    pub fn ready(&mut self, now: Instant, unchanged: bool) -> bool {
        let interval = if unchanged {
            IDLE_INTERVAL
        } else {
            MIN_INTERVAL
        };
        match self.last {
            Some(last) if now.duration_since(last) < interval => false,
            _ => {
                self.last = Some(now);
                true
            }
        }
    }
}

/// Downscales luma by the smallest integer factor that makes it at most
/// [`MAX_WIDTH`] wide (box filter) and encodes it with the preview header.
pub fn encode(width: u32, height: u32, luma: &[u8], seq: u64) -> Vec<u8> {
    let factor = width.div_ceil(MAX_WIDTH).max(1);
    let (w, h) = (width / factor, height / factor);
    let mut out = Vec::with_capacity(PREVIEW_HEADER_BYTES as usize + (w * h) as usize);
    out.extend_from_slice(&(w as u16).to_le_bytes());
    out.extend_from_slice(&(h as u16).to_le_bytes());
    out.extend_from_slice(&(seq as u32).to_le_bytes());
    let stride = width as usize;
    let f = factor as usize;
    let area = (f * f) as u32;
    for y in 0..h as usize {
        for x in 0..w as usize {
            let mut sum = 0u32;
            for dy in 0..f {
                let row = (y * f + dy) * stride + x * f;
                sum += luma[row..row + f].iter().map(|&v| v as u32).sum::<u32>();
            }
            out.push((sum / area) as u8);
        }
    }
    out
}

/// A one-slot mailbox: `put` never blocks and replaces an untaken value.
#[derive(Debug)]
pub struct Slot<T> {
    inner: Arc<(Mutex<SlotState<T>>, Condvar)>,
}

#[derive(Debug)]
struct SlotState<T> {
    value: Option<T>,
    closed: bool,
}

impl<T> Clone for Slot<T> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Self {
            inner: Arc::new((
                Mutex::new(SlotState {
                    value: None,
                    closed: false,
                }),
                Condvar::new(),
            )),
        }
    }
}

impl<T> Slot<T> {
    /// Leaves `value` for the taker, dropping any value not yet taken.
    pub fn put(&self, value: T) {
        let (lock, cv) = &*self.inner;
        if let Ok(mut s) = lock.lock() {
            s.value = Some(value);
            cv.notify_one();
        }
    }

    /// Waits for a value; `None` once the slot is closed.
    pub fn take(&self) -> Option<T> {
        let (lock, cv) = &*self.inner;
        let mut s = lock.lock().ok()?;
        loop {
            if let Some(v) = s.value.take() {
                return Some(v);
            }
            if s.closed {
                return None;
            }
            s = cv.wait(s).ok()?;
        }
    }

    /// The value waiting, if any, without waiting.
    pub fn take_now(&self) -> Option<T> {
        let (lock, _) = &*self.inner;
        lock.lock().ok()?.value.take()
    }

    /// Wakes the taker for good.
    pub fn close(&self) {
        let (lock, cv) = &*self.inner;
        if let Ok(mut s) = lock.lock() {
            s.closed = true;
            cv.notify_all();
        }
    }
}

/// Flow control towards the screen: one frame in flight at a time.
#[derive(Debug, Clone)]
pub struct Credit {
    inner: Arc<(Mutex<bool>, Condvar)>,
}

impl Default for Credit {
    fn default() -> Self {
        Self {
            inner: Arc::new((Mutex::new(true), Condvar::new())),
        }
    }
}

impl Credit {
    /// The screen drew the last frame (or a new screen starts): one may go.
    pub fn give(&self) {
        let (lock, cv) = &*self.inner;
        if let Ok(mut ready) = lock.lock() {
            *ready = true;
            cv.notify_all();
        }
    }

    /// Takes the credit, waiting up to `timeout` for it. Without it by then
    /// it returns false (a lost acknowledgement must not stop the preview
    /// for good: the caller sends anyway, at that slow pace).
    pub fn take_within(&self, timeout: Duration) -> bool {
        let (lock, cv) = &*self.inner;
        let Ok(guard) = lock.lock() else {
            return false;
        };
        match cv.wait_timeout_while(guard, timeout, |ready| !*ready) {
            Ok((mut ready, _)) => std::mem::replace(&mut *ready, false),
            Err(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_720p_frame_becomes_a_small_preview_with_its_header() {
        let (w, h) = (1280u32, 720u32);
        let luma: Vec<u8> = (0..w * h).map(|i| (i % w) as u8).collect();
        let out = encode(w, h, &luma, 70_000);
        assert_eq!(u16::from_le_bytes([out[0], out[1]]), 320);
        assert_eq!(u16::from_le_bytes([out[2], out[3]]), 180);
        assert_eq!(u32::from_le_bytes([out[4], out[5], out[6], out[7]]), 70_000);
        assert_eq!(out.len(), 8 + 320 * 180);
        // box filter of x = 4..8 (mod 256) -> 5 (integer mean of 4,5,6,7 = 5.5 -> 5)
        assert_eq!(out[8 + 1], 5);
    }

    #[test]
    fn a_small_frame_is_not_scaled() {
        let out = encode(4, 2, &[1, 2, 3, 4, 5, 6, 7, 8], 1);
        assert_eq!(&out[8..], &[1, 2, 3, 4, 5, 6, 7, 8]);
    }

    #[test]
    fn the_throttle_lets_through_15_per_second_or_5_for_an_unchanged_scene() {
        let t0 = Instant::now();
        let mut t = Throttle::default();
        let passed = (0..30)
            .filter(|i| t.ready(t0 + Duration::from_millis(i * 1000 / 30), false))
            .count();
        assert_eq!(passed, 15);
        let t1 = t0 + Duration::from_secs(10);
        let passed = (0..30)
            .filter(|i| t.ready(t1 + Duration::from_millis(i * 1000 / 30), true))
            .count();
        assert_eq!(passed, 5);
    }

    #[test]
    fn the_slot_keeps_only_the_latest_value() {
        let slot = Slot::default();
        slot.put(1);
        slot.put(2);
        assert_eq!(slot.take(), Some(2));
        assert_eq!(slot.take_now(), None);
        slot.put(3);
        assert_eq!(slot.take_now(), Some(3));
        slot.close();
        assert_eq!(slot.take(), None);
    }

    #[test]
    fn the_credit_lets_one_frame_through_until_the_screen_gives_it_back() {
        let credit = Credit::default();
        assert!(credit.take_within(Duration::ZERO), "the first frame goes");
        assert!(
            !credit.take_within(Duration::from_millis(20)),
            "the next waits for the screen"
        );
        let screen = credit.clone();
        let drawn = std::thread::spawn(move || screen.give());
        assert!(credit.take_within(Duration::from_secs(60)));
        drawn.join().expect("screen thread");
    }
}
