// Generated from crates/kiosk/src/view.rs by ts-rs. Do not edit.
// Regenerate: UPDATE_BINDINGS=1 cargo test -p passgate-kiosk --test bindings

export type VerdictKind = "admit" | "deny" | "needs_temperature";

export type InputKind = "camera" | "wedge";

export type VerdictView = { 
/**
 * Increases with every verdict shown, so a screen can tell a new one from a repeat.
 */
seq: number, 
/**
 * The banner.
 */
kind: VerdictKind, 
/**
 * Stable snake_case reason code (`ok`, `expired`, `bad_signature`, ...).
 */
reason_code: string, 
/**
 * The reason in English words (the screen translates by `reason_code`).
 */
reason_text: string, 
/**
 * Masked display name from the pass, e.g. `刘*爽`.
 */
masked_name: string | null, 
/**
 * The issuer's display name (or id when the issuer is unknown).
 */
issuer: string | null, 
/**
 * Code colour: `green`, `yellow` or `red`.
 */
colour: string | null, 
/**
 * Temperature in °C, when taken.
 */
temperature: number | null, 
/**
 * True once the entry is in the database (never true for the amber banner).
 */
recorded: boolean, 
/**
 * Camera or keyboard wedge.
 */
input: InputKind, 
/**
 * When the verdict was reached (RFC 3339, UTC).
 */
at: string, 
/**
 * The same instant as venue-local `HH:MM:SS`, for the screen.
 */
time: string, 
/**
 * For the amber banner: seconds left before the held pass is dropped.
 */
hold_seconds: number | null, };

export type Cleared = { 
/**
 * The `seq` of the verdict that was cleared.
 */
seq: number, 
/**
 * `timeout` (no temperature arrived in time) or `cancelled` (the attendant cancelled).
 */
reason: string, };

export type CameraState = "ok" | "missing" | "error" | "finished";

export type CameraStatus = { 
/**
 * Ok, missing, error or finished.
 */
state: CameraState, 
/**
 * The source, e.g. `camera:0`, `synthetic`, `images:/path`.
 */
source: string, 
/**
 * Why the source is not ok, in words.
 */
detail: string | null, };

export type TrustState = "ok" | "grace" | "stale" | "missing";

export type SyncView = { 
/**
 * False when no hub is configured.
 */
enabled: boolean, 
/**
 * The kiosk has a device identity (`passgate enrol` was run).
 */
enrolled: boolean, 
/**
 * The last round reached the hub.
 */
online: boolean, 
/**
 * Entries not yet uploaded.
 */
backlog: number, 
/**
 * When the last round succeeded (RFC 3339), if ever.
 */
last_success: string | null, 
/**
 * The last round's error in words (for the chip's tooltip and the log), if it failed.
 */
last_error: string | null, 
/**
 * Our clock minus the hub's clock, seconds, when known.
 */
clock_offset_seconds: number | null, };

export type Counters = { 
/**
 * Entries admitted today (venue-local day).
 */
admitted: number, 
/**
 * Entries denied today.
 */
denied: number, };

export type StatusView = { 
/**
 * The frame source.
 */
camera: CameraStatus, 
/**
 * Trust-list freshness.
 */
trust: TrustState, 
/**
 * Age of the trust list in hours, when there is one.
 */
trust_age_hours: number | null, 
/**
 * The sequence number of the trust list in use, when there is one.
 */
trust_list_seq: number | null, 
/**
 * Upload state.
 */
sync: SyncView, 
/**
 * A clock problem in words (e.g. the clock is far from the hub's), if any.
 */
clock_warning: string | null, 
/**
 * Today's counters.
 */
counters: Counters, 
/**
 * The venue-local day the counters are for (`YYYY-MM-DD`).
 */
day: string, 
/**
 * The serial thermometer's port when one is configured, and whether it is readable.
 */
thermometer: ThermometerStatus | null, };

export type ThermometerStatus = { 
/**
 * The port path.
 */
port: string, 
/**
 * True while the port is open.
 */
connected: boolean, 
/**
 * The last reading in °C.
 */
last_reading: number | null, };

export type UiSettings = { 
/**
 * `zh-CN` or `en`.
 */
language: string, 
/**
 * Seconds a verdict stays on screen.
 */
verdict_seconds: number, 
/**
 * The fever threshold, °C (shown next to the keypad).
 */
fever_threshold_c: number, 
/**
 * The venue's display name.
 */
venue_name: string, 
/**
 * True while the manager PIN is still the initial one.
 */
default_pin: boolean, };

export type Snapshot = { 
/**
 * The verdict on screen now, if any (including an amber hold).
 */
current: VerdictView | null, 
/**
 * The last few verdicts, newest first.
 */
recent: Array<VerdictView>, 
/**
 * The status bar.
 */
status: StatusView, 
/**
 * Screen settings.
 */
settings: UiSettings, };

export type LogQuery = { 
/**
 * The venue-local day (`YYYY-MM-DD`); empty for today.
 */
day: string, 
/**
 * Matches name, issuer, reason or pass id; empty for all.
 */
search: string, 
/**
 * Page number from 0.
 */
page: number, 
/**
 * Rows per page (1..=200).
 */
page_size: number, };

export type LogRow = { 
/**
 * The entry id.
 */
id: string, 
/**
 * Venue-local time `HH:MM:SS`.
 */
time: string, 
/**
 * `admit` or `deny`.
 */
outcome: string, 
/**
 * Reason code.
 */
reason_code: string, 
/**
 * Reason in English words.
 */
reason_text: string, 
/**
 * Masked name.
 */
masked_name: string | null, 
/**
 * Issuer id.
 */
issuer: string | null, 
/**
 * Code colour.
 */
colour: string | null, 
/**
 * Temperature, °C.
 */
temperature: number | null, 
/**
 * Pass id (hex).
 */
pass_id: string | null, };

export type LogPage = { 
/**
 * The day shown (`YYYY-MM-DD`).
 */
day: string, 
/**
 * The rows of this page, oldest first.
 */
rows: Array<LogRow>, 
/**
 * Rows matching the search, on all pages.
 */
total: number, 
/**
 * This page, from 0.
 */
page: number, 
/**
 * Rows per page.
 */
page_size: number, };

export type HourCount = { 
/**
 * Hour of the venue-local day, 0..=23.
 */
hour: number, 
/**
 * Admitted in that hour.
 */
admitted: number, 
/**
 * Denied in that hour.
 */
denied: number, };

export type ExportFormat = "csv" | "xlsx";

export type ExportRequest = { 
/**
 * The day (`YYYY-MM-DD`); empty for today.
 */
day: string, 
/**
 * CSV or XLSX.
 */
format: ExportFormat, };

export type ExportResult = { 
/**
 * The file written.
 */
path: string, 
/**
 * Entries written.
 */
rows: number, };

export type SettingsView = { 
/**
 * The frame source (`auto`, `camera:0`, `synthetic`, ...); takes effect on restart.
 */
camera_source: string, 
/**
 * Cameras found on this machine, as source strings.
 */
cameras: Array<string>, 
/**
 * Fever threshold, °C.
 */
fever_threshold_c: number, 
/**
 * Repeat-scan cooldown, seconds.
 */
cooldown_seconds: number, 
/**
 * `zh-CN` or `en`.
 */
language: string, };

export type PinChange = { 
/**
 * The PIN in use now.
 */
current: string, 
/**
 * The new PIN (4 to 12 digits).
 */
new: string, };

export type CommandError = { 
/**
 * `bad_input`, `wrong_pin`, `rate_limited`, `locked`, `not_found` or `internal`.
 */
kind: string, 
/**
 * What went wrong, for the screen.
 */
message: string, };

/** Bytes before the luma in a preview frame (u16 width, u16 height, u32 seq; little-endian). */
export const PREVIEW_HEADER_BYTES = 8;
