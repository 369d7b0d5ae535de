//! The kiosk service: `kiosk.toml`, and the source -> reader -> gate -> store
//! -> sync pipeline that both the desktop app and the `passgate` CLI use.
//! [`Kiosk`] is the one value a user interface holds; [`view`] has the plain
//! values it shows (their TypeScript twins are generated from them).
//! Nothing here depends on Tauri.

pub mod config;
pub mod decision;
pub mod demo;
pub mod error;
pub mod flow;
pub mod frames;
pub mod preflight;
pub mod preview;
pub mod scene;
pub mod service;
pub mod sync;
pub mod thermometer;
pub mod view;

pub use config::KioskConfig;
pub use error::{ConfigError, ConfigResult, Error, Result};
pub use service::{EventSink, Kiosk, PreviewSink, StartOptions};
