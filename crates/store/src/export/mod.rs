//! Exports of a day's entries for the health authority: CSV and XLSX.
//!
//! Both work from a slice of [`Entry`] so the hub can reuse them for its
//! own data. Both have the same columns, [`COLUMNS`], in the same order.

mod csv;
mod xlsx;

use std::borrow::Cow;

pub use self::csv::{CSV_BOM, write_csv};
pub use self::xlsx::{LOG_SHEET, SUMMARY_SHEET, write_xlsx};

use crate::entries::utc_text;
use crate::entry::Entry;

/// The column headers of both exports, in order.
pub const COLUMNS: [&str; 16] = [
    "entry_id",
    "local_time",
    "utc_time",
    "local_day",
    "venue_id",
    "device_id",
    "kind",
    "outcome",
    "reason_code",
    "reason",
    "colour",
    "issuer",
    "subject",
    "masked_name",
    "temperature_c",
    "pass_id",
];

/// Makes a text cell safe to open in a spreadsheet: a cell that starts
/// with `=`, `+`, `-`, `@`, a tab or a carriage return would be read as a
/// formula, so it gets a leading single quote.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// The local wall-clock time as written in the CSV (`YYYY-MM-DD HH:MM:SS`).
pub(crate) fn local_text(e: &Entry) -> String {
    e.local_time.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// The text cells of one entry, in [`COLUMNS`] order, before neutralising.
pub(crate) fn text_cells(e: &Entry) -> [Cow<'_, str>; 16] {
    fn opt(v: &Option<String>) -> Cow<'_, str> {
        v.as_deref().unwrap_or("").into()
    }
    [
        e.id.to_string().into(),
        local_text(e).into(),
        utc_text(e.at).into(),
        e.local_day.to_string().into(),
        e.venue_id.as_str().into(),
        e.device_id.as_str().into(),
        e.kind.as_str().into(),
        e.outcome.as_str().into(),
        e.reason_code.as_str().into(),
        e.reason_text.as_str().into(),
        e.colour.map_or("", |c| c.as_str()).into(),
        opt(&e.issuer),
        opt(&e.subject),
        opt(&e.masked_name),
        e.temperature
            .map(|t| t.to_string())
            .unwrap_or_default()
            .into(),
        opt(&e.pass_id),
    ]
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn neutralise_table() {
        let cases = [
            ("=1+1", "'=1+1"),
            ("+cmd", "'+cmd"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("", ""),
            ("刘*爽", "刘*爽"),
            ("a=b", "a=b"),
            ("'quoted", "'quoted"),
        ];
        for (input, want) in cases {
            assert_eq!(neutralise(input), want, "{input:?}");
        }
    }
}
