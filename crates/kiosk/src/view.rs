//! What the screens show: the plain, serialisable values the kiosk hands to
//! a user interface. The TypeScript types of `ui/src/generated/types.ts` are
//! generated from these (see [`typescript_bindings`]); nothing here knows
//! about Tauri.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The three banners of the attendant screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum VerdictKind {
    /// Green: let the visitor in.
    Admit,
    /// Red: turn the visitor away.
    Deny,
    /// Amber: a valid green pass waiting for a temperature.
    NeedsTemperature,
}

/// Where a pass came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    /// Read from a camera (or replay) frame.
    Camera,
    /// Typed by a keyboard-wedge scanner.
    Wedge,
}

/// One verdict as the attendant sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct VerdictView {
    /// Increases with every verdict shown, so a screen can tell a new one from a repeat.
    pub seq: u32,
    /// The banner.
    pub kind: VerdictKind,
    /// Stable snake_case reason code (`ok`, `expired`, `bad_signature`, ...).
    pub reason_code: String,
    /// The reason in English words (the screen translates by `reason_code`).
    pub reason_text: String,
    /// Masked display name from the pass, e.g. `刘*爽`.
    pub masked_name: Option<String>,
    /// The issuer's display name (or id when the issuer is unknown).
    pub issuer: Option<String>,
    /// Code colour: `green`, `yellow` or `red`.
    pub colour: Option<String>,
    /// Temperature in °C, when taken.
    pub temperature: Option<f32>,
    /// True once the entry is in the database (never true for the amber banner).
    pub recorded: bool,
    /// Camera or keyboard wedge.
    pub input: InputKind,
    /// When the verdict was reached (RFC 3339, UTC).
    pub at: String,
    /// The same instant as venue-local `HH:MM:SS`, for the screen.
    pub time: String,
    /// For the amber banner: seconds left before the held pass is dropped.
    pub hold_seconds: Option<u32>,
}

/// Why the screen went back to idle without a new verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Cleared {
    /// The `seq` of the verdict that was cleared.
    pub seq: u32,
    /// `timeout` (no temperature arrived in time) or `cancelled` (the attendant cancelled).
    pub reason: String,
}

/// The state of the frame source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CameraState {
    /// Frames are arriving.
    Ok,
    /// No camera was found (the keyboard wedge still works).
    Missing,
    /// The source failed; see `detail`.
    Error,
    /// A replay source has played to its end.
    Finished,
}

/// The camera part of the status bar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CameraStatus {
    /// Ok, missing, error or finished.
    pub state: CameraState,
    /// The source, e.g. `camera:0`, `synthetic`, `images:/path`.
    pub source: String,
    /// Why the source is not ok, in words.
    pub detail: Option<String>,
}

/// Trust-list freshness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TrustState {
    /// Valid and not near expiry.
    Ok,
    /// Past its expiry but within the venue's grace period.
    Grace,
    /// Past expiry and grace: every pass is denied.
    Stale,
    /// No trust list: every pass is denied.
    Missing,
}

/// The sync part of the status bar, fed by the sync loop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SyncView {
    /// False when no hub is configured.
    pub enabled: bool,
    /// The kiosk has a device identity (`passgate enrol` was run).
    pub enrolled: bool,
    /// The last round reached the hub.
    pub online: bool,
    /// Entries not yet uploaded.
    #[ts(type = "number")]
    pub backlog: u64,
    /// When the last round succeeded (RFC 3339), if ever.
    pub last_success: Option<String>,
    /// The last round's error in words (for the chip's tooltip and the log), if it failed.
    pub last_error: Option<String>,
    /// Our clock minus the hub's clock, seconds, when known.
    #[ts(type = "number | null")]
    pub clock_offset_seconds: Option<i64>,
}

/// Today's counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct Counters {
    /// Entries admitted today (venue-local day).
    pub admitted: u32,
    /// Entries denied today.
    pub denied: u32,
}

/// Everything the status bar shows; sent as the `kiosk:status` event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StatusView {
    /// The frame source.
    pub camera: CameraStatus,
    /// Trust-list freshness.
    pub trust: TrustState,
    /// Age of the trust list in hours, when there is one.
    pub trust_age_hours: Option<u32>,
    /// The sequence number of the trust list in use, when there is one.
    #[ts(type = "number | null")]
    pub trust_list_seq: Option<u64>,
    /// Upload state.
    pub sync: SyncView,
    /// A clock problem in words (e.g. the clock is far from the hub's), if any.
    pub clock_warning: Option<String>,
    /// Today's counters.
    pub counters: Counters,
    /// The venue-local day the counters are for (`YYYY-MM-DD`).
    pub day: String,
    /// The serial thermometer's port when one is configured, and whether it is readable.
    pub thermometer: Option<ThermometerStatus>,
}

/// The serial thermometer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ThermometerStatus {
    /// The port path.
    pub port: String,
    /// True while the port is open.
    pub connected: bool,
    /// The last reading in °C.
    pub last_reading: Option<f32>,
}

/// Screen settings the UI needs at start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct UiSettings {
    /// `zh-CN` or `en`.
    pub language: String,
    /// Seconds a verdict stays on screen.
    pub verdict_seconds: u32,
    /// The fever threshold, °C (shown next to the keypad).
    pub fever_threshold_c: f32,
    /// The venue's display name.
    pub venue_name: String,
    /// True while the manager PIN is still the initial one.
    pub default_pin: bool,
}

/// Everything the attendant screen needs when it (re)loads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Snapshot {
    /// The verdict on screen now, if any (including an amber hold).
    pub current: Option<VerdictView>,
    /// The last few verdicts, newest first.
    pub recent: Vec<VerdictView>,
    /// The status bar.
    pub status: StatusView,
    /// Screen settings.
    pub settings: UiSettings,
}

/// A query of the day log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LogQuery {
    /// The venue-local day (`YYYY-MM-DD`); empty for today.
    pub day: String,
    /// Matches name, issuer, reason or pass id; empty for all.
    pub search: String,
    /// Page number from 0.
    pub page: u32,
    /// Rows per page (1..=200).
    pub page_size: u32,
}

/// One row of the day log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LogRow {
    /// The entry id.
    pub id: String,
    /// Venue-local time `HH:MM:SS`.
    pub time: String,
    /// `admit` or `deny`.
    pub outcome: String,
    /// Reason code.
    pub reason_code: String,
    /// Reason in English words.
    pub reason_text: String,
    /// Masked name.
    pub masked_name: Option<String>,
    /// Issuer id.
    pub issuer: Option<String>,
    /// Code colour.
    pub colour: Option<String>,
    /// Temperature, °C.
    pub temperature: Option<f32>,
    /// Pass id (hex).
    pub pass_id: Option<String>,
}

/// One page of the day log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LogPage {
    /// The day shown (`YYYY-MM-DD`).
    pub day: String,
    /// The rows of this page, oldest first.
    pub rows: Vec<LogRow>,
    /// Rows matching the search, on all pages.
    pub total: u32,
    /// This page, from 0.
    pub page: u32,
    /// Rows per page.
    pub page_size: u32,
}

/// Admits and denials in one hour of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HourCount {
    /// Hour of the venue-local day, 0..=23.
    pub hour: u32,
    /// Admitted in that hour.
    pub admitted: u32,
    /// Denied in that hour.
    pub denied: u32,
}

/// Export file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// Comma-separated values, UTF-8.
    Csv,
    /// An Excel workbook.
    Xlsx,
}

/// What to export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ExportRequest {
    /// The day (`YYYY-MM-DD`); empty for today.
    pub day: String,
    /// CSV or XLSX.
    pub format: ExportFormat,
}

/// A finished export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ExportResult {
    /// The file written.
    pub path: String,
    /// Entries written.
    pub rows: u32,
}

/// The manager's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SettingsView {
    /// The frame source (`auto`, `camera:0`, `synthetic`, ...); takes effect on restart.
    pub camera_source: String,
    /// Cameras found on this machine, as source strings.
    pub cameras: Vec<String>,
    /// Fever threshold, °C.
    pub fever_threshold_c: f32,
    /// Repeat-scan cooldown, seconds.
    pub cooldown_seconds: u32,
    /// `zh-CN` or `en`.
    pub language: String,
}

/// A PIN change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PinChange {
    /// The PIN in use now.
    pub current: String,
    /// The new PIN (4 to 12 digits).
    pub new: String,
}

/// The error every UI command can return: a kind to branch on and a message
/// for the screen. Details stay in the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CommandError {
    /// `bad_input`, `wrong_pin`, `rate_limited`, `locked`, `not_found` or `internal`.
    pub kind: String,
    /// What went wrong, for the screen.
    pub message: String,
}

/// Bytes before the luma in a preview frame sent over the preview
/// channel: little-endian `u16` width, `u16` height, `u32` frame sequence;
/// then `width * height` luma bytes.
pub const PREVIEW_HEADER_BYTES: u32 = 8;

/// The TypeScript declarations of every type above, as one file.
pub fn typescript_bindings() -> String {
    let cfg = ts_rs::Config::default();
    let decls = [
        VerdictKind::decl(&cfg),
        InputKind::decl(&cfg),
        VerdictView::decl(&cfg),
        Cleared::decl(&cfg),
        CameraState::decl(&cfg),
        CameraStatus::decl(&cfg),
        TrustState::decl(&cfg),
        SyncView::decl(&cfg),
        Counters::decl(&cfg),
        StatusView::decl(&cfg),
        ThermometerStatus::decl(&cfg),
        UiSettings::decl(&cfg),
        Snapshot::decl(&cfg),
        LogQuery::decl(&cfg),
        LogRow::decl(&cfg),
        LogPage::decl(&cfg),
        HourCount::decl(&cfg),
        ExportFormat::decl(&cfg),
        ExportRequest::decl(&cfg),
        ExportResult::decl(&cfg),
        SettingsView::decl(&cfg),
        PinChange::decl(&cfg),
        CommandError::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from crates/kiosk/src/view.rs by ts-rs. Do not edit.\n\
         // Regenerate: UPDATE_BINDINGS=1 cargo test -p passgate-kiosk --test bindings\n\n",
    );
    for d in decls {
        out.push_str("export ");
        out.push_str(&d);
        out.push_str("\n\n");
    }
    out.push_str(&format!(
        "/** Bytes before the luma in a preview frame (u16 width, u16 height, u32 seq; little-endian). */\nexport const PREVIEW_HEADER_BYTES = {PREVIEW_HEADER_BYTES};\n"
    ));
    out
}
