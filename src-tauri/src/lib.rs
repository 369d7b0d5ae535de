//! The Passgate desktop kiosk: a thin Tauri shell over `passgate-kiosk`.
//!
//! Each command extracts the [`Kiosk`] from Tauri's state, calls it and maps
//! its error to [`CommandError`]. Events (`scan:verdict`, `scan:cleared`,
//! `kiosk:status`) carry the service's view structs; preview frames go over
//! a [`Channel`] as raw bytes.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use passgate_kiosk::view::{
    Cleared, CommandError, ExportRequest, ExportResult, HourCount, LogPage, LogQuery, PinChange,
    SettingsView, Snapshot, StatusView, UiSettings, VerdictView,
};
use passgate_kiosk::{EventSink, Kiosk, KioskConfig, PreviewSink, StartOptions};
use tauri::ipc::{Channel, InvokeResponseBody};
use tauri::{AppHandle, Emitter, Manager, State, WebviewUrl, WebviewWindowBuilder};

mod commands_list;
pub use commands_list::COMMANDS;

/// Command-line options of the app.
#[derive(Debug, Clone, clap::Parser)]
#[command(name = "passgate-app", about = "The Passgate entrance kiosk")]
pub struct Args {
    /// The configuration file.
    #[arg(long, default_value = "kiosk.toml", env = "PASSGATE_CONFIG")]
    pub config: PathBuf,
    /// Frame source instead of `camera.source`: auto, camera:N, synthetic, images:DIR, video:FILE.y4m.
    #[arg(long)]
    pub source: Option<String>,
    /// Open in a window instead of full screen.
    #[arg(long)]
    pub windowed: bool,
}

type CmdResult<T> = Result<T, CommandError>;

struct TauriEvents(AppHandle);

impl EventSink for TauriEvents {
    fn verdict(&self, verdict: &VerdictView) {
        emit(&self.0, "scan:verdict", verdict);
    }
    fn cleared(&self, cleared: &Cleared) {
        emit(&self.0, "scan:cleared", cleared);
    }
    fn status(&self, status: &StatusView) {
        emit(&self.0, "kiosk:status", status);
    }
}

fn emit<T: serde::Serialize + Clone>(app: &AppHandle, event: &str, payload: &T) {
    if let Err(e) = app.emit(event, payload) {
        log::warn!("cannot emit {event}: {e}");
    }
}

struct ChannelPreview(Channel<InvokeResponseBody>);

impl PreviewSink for ChannelPreview {
    fn send(&mut self, frame: Vec<u8>) -> bool {
        self.0.send(InvokeResponseBody::Raw(frame)).is_ok()
    }
}

#[tauri::command]
fn get_snapshot(kiosk: State<'_, Kiosk>) -> CmdResult<Snapshot> {
    Ok(kiosk.snapshot()?)
}

#[tauri::command]
fn submit_scan(kiosk: State<'_, Kiosk>, text: String) -> CmdResult<Option<VerdictView>> {
    Ok(kiosk.submit_wedge(&text)?)
}

#[tauri::command]
fn record_temperature(kiosk: State<'_, Kiosk>, celsius: f32) -> CmdResult<VerdictView> {
    Ok(kiosk.record_temperature(celsius)?)
}

#[tauri::command]
fn cancel_pending(kiosk: State<'_, Kiosk>) -> CmdResult<()> {
    Ok(kiosk.cancel_pending()?)
}

#[tauri::command]
fn set_language(kiosk: State<'_, Kiosk>, language: String) -> CmdResult<UiSettings> {
    Ok(kiosk.set_language(&language)?)
}

#[tauri::command]
fn start_preview(kiosk: State<'_, Kiosk>, channel: Channel<InvokeResponseBody>) {
    kiosk.set_preview(Box::new(ChannelPreview(channel)));
}

#[tauri::command]
fn preview_shown(kiosk: State<'_, Kiosk>) {
    kiosk.preview_shown();
}

#[tauri::command]
fn unlock_manager(kiosk: State<'_, Kiosk>, pin: String) -> CmdResult<()> {
    Ok(kiosk.unlock_manager(&pin)?)
}

#[tauri::command]
fn lock_manager(kiosk: State<'_, Kiosk>) {
    kiosk.lock_manager();
}

#[tauri::command]
fn list_entries(kiosk: State<'_, Kiosk>, query: LogQuery) -> CmdResult<LogPage> {
    Ok(kiosk.list_entries(&query)?)
}

#[tauri::command]
fn get_hourly_counts(kiosk: State<'_, Kiosk>, day: String) -> CmdResult<Vec<HourCount>> {
    Ok(kiosk.hourly_counts(&day)?)
}

#[tauri::command]
fn export_day(kiosk: State<'_, Kiosk>, request: ExportRequest) -> CmdResult<ExportResult> {
    Ok(kiosk.export_day(&request)?)
}

#[tauri::command]
fn get_settings(kiosk: State<'_, Kiosk>) -> CmdResult<SettingsView> {
    Ok(kiosk.settings()?)
}

#[tauri::command]
fn update_settings(kiosk: State<'_, Kiosk>, settings: SettingsView) -> CmdResult<SettingsView> {
    Ok(kiosk.update_settings(&settings)?)
}

#[tauri::command]
fn change_pin(kiosk: State<'_, Kiosk>, change: PinChange) -> CmdResult<()> {
    Ok(kiosk.change_pin(&change)?)
}

/// Turns off WebKitGTK's GL compositing. Without a GPU driver (Xvfb, many
/// small kiosk PCs) it runs on Mesa's software GL, and every preview frame
/// then cost the web process about 12 % of a core at 5 fps (measured under
/// Xvfb: 62 % -> 3 % of a core at 5 preview fps); the screen has no
/// animations that need it.
fn software_compositing(window: &tauri::WebviewWindow) -> tauri::Result<()> {
    #[cfg(target_os = "linux")]
    window.with_webview(|webview| {
        use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
        if let Some(settings) = webview.inner().settings() {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
    })?;
    #[cfg(not(target_os = "linux"))]
    let _ = window;
    Ok(())
}

/// Loads `kiosk.toml`, starts the kiosk service and opens the window.
pub fn run(args: Args) -> anyhow::Result<()> {
    let config = KioskConfig::load(&args.config).context("cannot start the kiosk")?;
    let fullscreen = config.ui.fullscreen && !args.windowed;
    let options = StartOptions {
        source: args.source.clone(),
    };
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![
            get_snapshot,
            submit_scan,
            record_temperature,
            cancel_pending,
            set_language,
            start_preview,
            preview_shown,
            unlock_manager,
            lock_manager,
            list_entries,
            get_hourly_counts,
            export_day,
            get_settings,
            update_settings,
            change_pin,
        ])
        .setup(move |app| {
            let events = Arc::new(TauriEvents(app.handle().clone()));
            let kiosk = Kiosk::start(config, options, events)?;
            app.manage(kiosk);
            let window =
                WebviewWindowBuilder::new(app, "main", WebviewUrl::App("index.html".into()))
                    .title("Passgate")
                    .inner_size(1280.0, 800.0)
                    .fullscreen(fullscreen)
                    .build()?;
            software_compositing(&window)?;
            Ok(())
        })
        .run(tauri::generate_context!())
        .context("the kiosk window failed")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kiosk_capability_grants_exactly_the_app_commands() {
        let text = include_str!("../capabilities/kiosk.json");
        let cap: serde_json::Value = serde_json::from_str(text).expect("valid JSON");
        let mut granted: Vec<String> = cap["permissions"]
            .as_array()
            .expect("permissions array")
            .iter()
            .filter_map(|p| p.as_str())
            .filter(|p| !p.starts_with("core:"))
            .map(str::to_string)
            .collect();
        granted.sort();
        let mut expected: Vec<String> = COMMANDS
            .iter()
            .map(|c| format!("allow-{}", c.replace('_', "-")))
            .collect();
        expected.sort();
        assert_eq!(granted, expected);
    }

    #[test]
    fn only_the_api_module_calls_invoke() {
        let ui = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src");
        let mut offenders = Vec::new();
        let mut stack = vec![ui];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("read ui/src") {
                let path = entry.expect("dir entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "ts")
                    && path.file_name().is_some_and(|n| n != "api.ts")
                {
                    let text = std::fs::read_to_string(&path).expect("read ts file");
                    if text.contains("invoke(") || text.contains("@tauri-apps/api/core") {
                        offenders.push(path.display().to_string());
                    }
                }
            }
        }
        assert!(
            offenders.is_empty(),
            "invoke outside ui/src/api.ts: {offenders:?}"
        );
    }
}
