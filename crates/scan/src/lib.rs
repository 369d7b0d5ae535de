//! Frame sources and the QR reader of the Passgate kiosk.
//!
//! Every source (a nokhwa camera, image files, a recorded y4m video, a seeded
//! synthetic kiosk scene) delivers [`Frame`]s of 8-bit luma through the one
//! [`FrameSource`] trait. The [`Reader`] turns a frame into [`Decoded`] codes
//! with their corners: its own binarisation, finder-pattern detection and
//! perspective sampling feed rqrr's grid decoder, inside a per-frame time
//! budget, with panics caught and counted. [`Pipeline`] runs a source and a
//! reader on two threads joined by a single-slot mailbox, so the camera never
//! waits for the reader. This crate knows nothing about passes or verdicts.

mod error;
mod frame;
mod pipeline;
pub mod reader;
pub mod source;

pub use error::{Error, Result};
pub use frame::{Frame, FrameSource};
pub use pipeline::{Delivery, Mailbox, Pipeline, PipelineEvent};

pub use reader::{BudgetClock, Decoded, Reader, ReaderConfig, ReaderStats};
