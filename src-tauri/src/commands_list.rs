// The app's commands: read by build.rs (one permission each in the app
// manifest) and by the test that checks capabilities/kiosk.json grants them.
/// Every command the kiosk window may call.
pub const COMMANDS: &[&str] = &[
    "get_snapshot",
    "submit_scan",
    "record_temperature",
    "cancel_pending",
    "set_language",
    "start_preview",
    "preview_shown",
    "unlock_manager",
    "lock_manager",
    "list_entries",
    "get_hourly_counts",
    "export_day",
    "get_settings",
    "update_settings",
    "change_pin",
];
