//! The live pipeline: a capture thread and a reader thread joined by a
//! single-slot mailbox. With [`Delivery::LatestWins`] (cameras) the capture
//! thread never waits for the reader: a new frame replaces an unread one,
//! which is counted as dropped. [`Delivery::Every`] (files, tests) hands
//! over every frame instead.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::{Decoded, Frame, FrameSource, Reader, ReaderStats};

/// How frames go from the capture thread to the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Latest frame wins; stale frames are dropped (live cameras).
    LatestWins,
    /// Every frame is read; the capture thread waits for the reader (files).
    Every,
}

#[derive(Debug, Default)]
struct Slot {
    frame: Option<Frame>,
    closed: bool,
    delivered: u64,
    dropped: u64,
}

/// A single-slot mailbox between one producer and one consumer.
#[derive(Debug, Default)]
pub struct Mailbox {
    slot: Mutex<Slot>,
    changed: Condvar,
}

impl Mailbox {
    fn lock(&self) -> MutexGuard<'_, Slot> {
        self.slot.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Puts a frame, replacing (and counting as dropped) one not yet taken. Never waits.
    pub fn put_latest(&self, frame: Frame) {
        let mut s = self.lock();
        if s.frame.replace(frame).is_some() {
            s.dropped += 1;
        }
        s.delivered += 1;
        self.changed.notify_all();
    }

    /// Puts a frame, first waiting until the previous one was taken.
    pub fn put_wait(&self, frame: Frame) {
        let mut s = self.lock();
        while s.frame.is_some() && !s.closed {
            s = self.changed.wait(s).unwrap_or_else(|p| p.into_inner());
        }
        s.frame = Some(frame);
        s.delivered += 1;
        self.changed.notify_all();
    }

    /// Takes the frame, waiting for one; `None` once closed and empty.
    pub fn take(&self) -> Option<Frame> {
        let mut s = self.lock();
        loop {
            if let Some(f) = s.frame.take() {
                self.changed.notify_all();
                return Some(f);
            }
            if s.closed {
                return None;
            }
            s = self.changed.wait(s).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// No more frames will come.
    pub fn close(&self) {
        self.lock().closed = true;
        self.changed.notify_all();
    }

    /// Frames put so far and how many of them were dropped unread.
    pub fn counts(&self) -> (u64, u64) {
        let s = self.lock();
        (s.delivered, s.dropped)
    }
}

/// What the pipeline reports.
#[derive(Debug, Clone, PartialEq)]
pub enum PipelineEvent {
    /// A frame was read (codes may be empty).
    Read {
        /// The frame's sequence number in its source.
        seq: u64,
        /// The frame's timestamp.
        timestamp: Duration,
        /// Time the reader spent on it, in milliseconds.
        decode_ms: f64,
        /// The codes found.
        codes: Vec<Decoded>,
    },
    /// The source failed (e.g. no camera); it is asked again after a pause.
    SourceDown(String),
    /// The source delivers frames again after a failure.
    SourceUp,
    /// The source ended and every frame handed over was read.
    Finished {
        /// The reader's counters.
        stats: ReaderStats,
        /// Frames the source delivered.
        delivered: u64,
        /// Frames dropped unread (latest-wins only).
        dropped: u64,
    },
}

/// A running capture + reader pair; stops (and joins) when dropped.
#[derive(Debug)]
pub struct Pipeline {
    events: Receiver<PipelineEvent>,
    stop: Arc<AtomicBool>,
    mailbox: Arc<Mailbox>,
    threads: Vec<JoinHandle<()>>,
}

impl Pipeline {
    /// Starts reading the source that `make_source` builds (on the capture
    /// thread) with `reader`; `retry` is the pause after a source error.
    pub fn spawn<F>(make_source: F, mut reader: Reader, delivery: Delivery, retry: Duration) -> Self
    where
        F: FnOnce() -> Box<dyn FrameSource> + Send + 'static,
    {
        let (tx, events) = channel();
        let stop = Arc::new(AtomicBool::new(false));
        let mailbox = Arc::new(Mailbox::default());
        let capture = {
            let (tx, stop, mailbox) = (tx.clone(), stop.clone(), mailbox.clone());
            std::thread::Builder::new()
                .name("scan-capture".into())
                .spawn(move || {
                    let mut source = make_source();
                    capture_loop(source.as_mut(), &mailbox, delivery, &stop, &tx, retry);
                    mailbox.close();
                })
                .expect("spawning a thread")
        };
        let read = {
            let mailbox = mailbox.clone();
            std::thread::Builder::new()
                .name("scan-reader".into())
                .spawn(move || {
                    while let Some(frame) = mailbox.take() {
                        let t = Instant::now();
                        let codes = reader.read(&frame);
                        let event = PipelineEvent::Read {
                            seq: frame.seq,
                            timestamp: frame.timestamp,
                            decode_ms: t.elapsed().as_secs_f64() * 1000.0,
                            codes,
                        };
                        if tx.send(event).is_err() {
                            mailbox.close();
                            return;
                        }
                    }
                    let (delivered, dropped) = mailbox.counts();
                    let _ = tx.send(PipelineEvent::Finished {
                        stats: reader.stats(),
                        delivered,
                        dropped,
                    });
                })
                .expect("spawning a thread")
        };
        Self {
            events,
            stop,
            mailbox,
            threads: vec![capture, read],
        }
    }

    /// The events, in order; the channel ends after [`PipelineEvent::Finished`].
    pub fn events(&self) -> &Receiver<PipelineEvent> {
        &self.events
    }

    /// Asks both threads to stop; frames not yet read are discarded.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        self.mailbox.close();
        for t in &self.threads {
            t.thread().unpark();
        }
    }
}

impl Drop for Pipeline {
    fn drop(&mut self) {
        self.stop();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

fn capture_loop(
    source: &mut dyn FrameSource,
    mailbox: &Mailbox,
    delivery: Delivery,
    stop: &AtomicBool,
    tx: &Sender<PipelineEvent>,
    retry: Duration,
) {
    let mut down = false;
    while !stop.load(Ordering::SeqCst) {
        match source.next_frame() {
            Ok(Some(frame)) => {
                if down {
                    down = false;
                    let _ = tx.send(PipelineEvent::SourceUp);
                }
                match delivery {
                    Delivery::LatestWins => mailbox.put_latest(frame),
                    Delivery::Every => mailbox.put_wait(frame),
                }
            }
            Ok(None) => return,
            Err(e) => {
                if !down {
                    down = true;
                    let _ = tx.send(PipelineEvent::SourceDown(e.to_string()));
                }
                // Pause before asking again; `stop` unparks.
                let until = Instant::now() + retry;
                while !stop.load(Ordering::SeqCst) {
                    let Some(left) = until.checked_duration_since(Instant::now()) else {
                        break;
                    };
                    std::thread::park_timeout(left);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(seq: u64) -> Frame {
        Frame::new(1, 1, vec![0], Duration::ZERO, seq).expect("1x1")
    }

    #[test]
    fn latest_frame_wins_and_stale_ones_are_counted() {
        let mailbox = Mailbox::default();
        for seq in 0..3 {
            mailbox.put_latest(frame(seq));
        }
        assert_eq!(mailbox.take().map(|f| f.seq), Some(2));
        assert_eq!(mailbox.counts(), (3, 2));
        mailbox.close();
        assert_eq!(mailbox.take(), None);
    }

    #[test]
    fn every_mode_hands_over_each_frame() {
        let mailbox = Arc::new(Mailbox::default());
        let producer = {
            let mailbox = mailbox.clone();
            std::thread::spawn(move || {
                for seq in 0..5 {
                    mailbox.put_wait(frame(seq));
                }
                mailbox.close();
            })
        };
        let seqs: Vec<u64> = std::iter::from_fn(|| mailbox.take().map(|f| f.seq)).collect();
        producer.join().expect("producer ends");
        assert_eq!(seqs, vec![0, 1, 2, 3, 4]);
        assert_eq!(mailbox.counts(), (5, 0));
    }
}
