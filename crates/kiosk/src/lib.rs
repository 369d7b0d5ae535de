//! The kiosk service: `kiosk.toml`, and the source -> reader -> gate -> store
//! -> sync pipeline that both the desktop app and the `passgate` CLI use.
//! Nothing here depends on Tauri.

pub mod config;
pub mod error;

pub use config::KioskConfig;
pub use error::{ConfigError, ConfigResult};
