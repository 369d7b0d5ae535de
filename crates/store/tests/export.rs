//! CSV and XLSX exports read back with the `csv` and `calamine` crates.
#![allow(clippy::unwrap_used)] // helpers of tests may panic

mod common;

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Timelike, Utc};
use common::{admit, deny, temp_store, utc};
use passgate_store::export::{COLUMNS, CSV_BOM, LOG_SHEET, SUMMARY_SHEET, write_csv, write_xlsx};
use passgate_store::{Colour, Entry, Kind, NewEntry, Store};

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
}

/// A known day: Chinese names, a manual entry without a pass, a denial
/// without temperature, commas/quotes/newline-free text needing quoting,
/// and sub-second times.
fn known_day() -> (tempfile::TempDir, Store, Vec<Entry>) {
    let (dir, mut store) = temp_store();
    let manual = NewEntry {
        kind: Kind::Manual,
        colour: None,
        issuer: None,
        subject: None,
        pass_id: None,
        masked_name: Some("visitor, \"no phone\"".into()),
        reason_text: "Admitted by attendant".into(),
        ..admit("x")
    };
    let no_temp = NewEntry {
        temperature: None,
        colour: Some(Colour::Red),
        ..deny("李*", "code_red")
    };
    let records = [
        (utc(2026, 11, 28, 0, 5, 0), admit("王*明")),
        (
            utc(2026, 11, 28, 1, 10, 0) + TimeDelta::milliseconds(250),
            manual,
        ),
        (utc(2026, 11, 28, 2, 0, 0), no_temp),
        (
            utc(2026, 11, 28, 9, 59, 59),
            NewEntry {
                temperature: Some(38.1),
                ..deny("张*三", "fever")
            },
        ),
    ];
    for (at, e) in &records {
        store.record(e, *at).unwrap();
    }
    // An entry of another day is not part of the export.
    store
        .record(&admit("tomorrow"), utc(2026, 11, 28, 16, 0, 0))
        .unwrap();
    let entries = store.day_entries(day()).unwrap();
    assert_eq!(entries.len(), 4);
    (dir, store, entries)
}

fn csv_rows(bytes: &[u8]) -> (Vec<String>, Vec<csv::StringRecord>) {
    assert!(bytes.starts_with(CSV_BOM), "missing BOM");
    let mut r = csv::Reader::from_reader(&bytes[CSV_BOM.len()..]);
    let headers = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r.records().collect::<Result<_, _>>().unwrap();
    (headers, rows)
}

fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

#[test]
fn a_known_day_round_trips_through_csv() {
    let (_dir, _store, entries) = known_day();
    let mut out = Vec::new();
    write_csv(&entries, &mut out).unwrap();
    // RFC 4180 line ends.
    let text = std::str::from_utf8(&out).unwrap();
    assert_eq!(text.matches("\r\n").count(), entries.len() + 1);
    let (headers, rows) = csv_rows(&out);
    assert_eq!(headers, COLUMNS);
    assert_eq!(rows.len(), entries.len());
    for (row, e) in rows.iter().zip(&entries) {
        let back = Entry {
            id: row[0].parse().unwrap(),
            at: DateTime::parse_from_rfc3339(&row[2])
                .unwrap()
                .with_timezone(&Utc),
            local_time: e.local_time,
            local_day: row[3].parse().unwrap(),
            venue_id: row[4].into(),
            device_id: row[5].into(),
            kind: row[6].parse().unwrap(),
            outcome: row[7].parse().unwrap(),
            reason_code: row[8].into(),
            reason_text: row[9].into(),
            colour: opt(&row[10]).map(|c| c.parse().unwrap()),
            issuer: opt(&row[11]),
            subject: opt(&row[12]),
            masked_name: opt(&row[13]),
            temperature: opt(&row[14]).map(|t| t.parse().unwrap()),
            pass_id: opt(&row[15]),
        };
        assert_eq!(&back, e);
        let local = NaiveDateTime::parse_from_str(&row[1], "%Y-%m-%d %H:%M:%S").unwrap();
        assert_eq!(
            local,
            e.local_time.naive_local().with_nanosecond(0).unwrap()
        );
    }
}

fn read_xlsx(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
    open_workbook_from_rs(Cursor::new(bytes)).unwrap()
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => panic!("expected a string cell, got {other:?}"),
    }
}

fn datetime(d: &Data) -> NaiveDateTime {
    match d {
        Data::DateTime(dt) => dt.as_datetime().unwrap(),
        other => panic!("expected a datetime cell, got {other:?}"),
    }
}

fn close(a: NaiveDateTime, b: NaiveDateTime) -> bool {
    (a - b).abs() <= TimeDelta::milliseconds(1)
}

#[test]
fn a_known_day_round_trips_through_xlsx() {
    let (_dir, store, entries) = known_day();
    let mut out = Vec::new();
    write_xlsx(&entries, &mut out).unwrap();
    let mut book = read_xlsx(out);
    assert_eq!(book.sheet_names(), [LOG_SHEET, SUMMARY_SHEET]);

    let log = book.worksheet_range(LOG_SHEET).unwrap();
    let rows: Vec<&[Data]> = log.rows().collect();
    assert_eq!(rows[0].iter().map(text).collect::<Vec<_>>(), COLUMNS);
    assert_eq!(rows.len(), entries.len() + 1);
    for (row, e) in rows[1..].iter().zip(&entries) {
        assert_eq!(text(&row[0]), e.id.to_string());
        assert!(
            close(datetime(&row[1]), e.local_time.naive_local()),
            "{:?}",
            row[1]
        );
        assert!(close(datetime(&row[2]), e.at.naive_utc()), "{:?}", row[2]);
        assert_eq!(datetime(&row[3]).date(), e.local_day);
        assert_eq!(text(&row[4]), e.venue_id);
        assert_eq!(text(&row[5]), e.device_id);
        assert_eq!(text(&row[6]), e.kind.as_str());
        assert_eq!(text(&row[7]), e.outcome.as_str());
        assert_eq!(text(&row[8]), e.reason_code);
        assert_eq!(text(&row[9]), e.reason_text);
        assert_eq!(opt(&text(&row[10])), e.colour.map(|c| c.to_string()));
        assert_eq!(opt(&text(&row[11])), e.issuer);
        assert_eq!(opt(&text(&row[12])), e.subject);
        assert_eq!(opt(&text(&row[13])), e.masked_name);
        match (&row[14], e.temperature) {
            (Data::Float(t), Some(want)) => assert_eq!(*t, f64::from(want)),
            (Data::Empty, None) => {}
            (got, want) => panic!("temperature cell {got:?}, expected {want:?}"),
        }
        assert_eq!(opt(&text(&row[15])), e.pass_id);
    }

    // The summary sheet agrees with the store's own counts.
    let summary = store.day_summary(day()).unwrap();
    let sheet = book.worksheet_range(SUMMARY_SHEET).unwrap();
    let num = |r: u32, c: u32| match sheet.get_value((r, c)) {
        Some(Data::Float(f)) => *f as u64,
        other => panic!("({r},{c}) = {other:?}"),
    };
    for hour in 0..24u32 {
        let t = summary.hourly[hour as usize];
        let row = hour + 1;
        assert_eq!(
            text(sheet.get_value((row, 0)).unwrap()),
            format!("{hour:02}:00")
        );
        assert_eq!(
            (num(row, 1), num(row, 2), num(row, 3)),
            (t.admitted, t.denied, t.total())
        );
    }
    assert_eq!((num(25, 1), num(25, 2)), (2, 2));
    assert_eq!((num(1, 6), num(2, 6)), (2, 2));
    let reasons: Vec<(String, String, u64)> = (1..=summary.by_reason.len() as u32)
        .map(|r| {
            (
                text(sheet.get_value((r, 8)).unwrap()),
                text(sheet.get_value((r, 9)).unwrap()),
                num(r, 10),
            )
        })
        .collect();
    assert_eq!(
        reasons,
        [
            ("admit".into(), "ok".into(), 2),
            ("deny".into(), "code_red".into(), 1),
            ("deny".into(), "fever".into(), 1)
        ]
    );
}

/// An entry with hostile text in every free-text field, built directly
/// (the hub exports entries it received, which did not pass `NewEntry`).
fn hostile() -> Entry {
    let e = admit("x").to_entry(
        "019ac9a2-0000-7000-8000-000000000001".parse().unwrap(),
        utc(2026, 11, 28, 1, 0, 0),
    );
    Entry {
        masked_name: Some("=HYPERLINK(\"http://x\",\"y\")".into()),
        subject: Some("+1+cmd|' /C calc'!A0".into()),
        issuer: Some("@SUM(1+1)".into()),
        reason_text: "-2+3".into(),
        venue_id: "\tvenue".into(),
        device_id: "\rdevice".into(),
        ..e
    }
}

#[test]
fn formula_injection_is_neutralised_in_csv() {
    let e = hostile();
    let mut out = Vec::new();
    write_csv(std::slice::from_ref(&e), &mut out).unwrap();
    let (_, rows) = csv_rows(&out);
    let row = &rows[0];
    assert_eq!(&row[13], "'=HYPERLINK(\"http://x\",\"y\")");
    assert_eq!(&row[12], "'+1+cmd|' /C calc'!A0");
    assert_eq!(&row[11], "'@SUM(1+1)");
    assert_eq!(&row[9], "'-2+3");
    assert_eq!(&row[4], "'\tvenue");
    assert_eq!(&row[5], "'\rdevice");
    // No cell of the file starts with a formula character.
    for cell in row.iter() {
        assert!(
            !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "{cell:?}"
        );
    }
}

#[test]
fn xlsx_keeps_hostile_text_as_plain_strings_never_formulas() {
    let e = hostile();
    let mut out = Vec::new();
    write_xlsx(std::slice::from_ref(&e), &mut out).unwrap();
    let mut book = read_xlsx(out);
    let log = book.worksheet_range(LOG_SHEET).unwrap();
    assert_eq!(
        log.get_value((1, 13)),
        Some(&Data::String(e.masked_name.clone().unwrap()))
    );
    assert_eq!(
        log.get_value((1, 11)),
        Some(&Data::String("@SUM(1+1)".into()))
    );
    let formulas = book.worksheet_formula(LOG_SHEET).unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "the log sheet contains a formula"
    );
}

#[test]
fn an_empty_day_gives_headers_only() {
    let (_dir, store) = temp_store();
    let entries = store.day_entries(day()).unwrap();
    assert!(entries.is_empty());

    let mut csv_out = Vec::new();
    write_csv(&entries, &mut csv_out).unwrap();
    let (headers, rows) = csv_rows(&csv_out);
    assert_eq!(headers, COLUMNS);
    assert!(rows.is_empty());

    let mut xlsx_out = Vec::new();
    write_xlsx(&entries, &mut xlsx_out).unwrap();
    let mut book = read_xlsx(xlsx_out);
    let log = book.worksheet_range(LOG_SHEET).unwrap();
    assert_eq!(log.height(), 1);
    assert_eq!(
        log.rows()
            .next()
            .unwrap()
            .iter()
            .map(text)
            .collect::<Vec<_>>(),
        COLUMNS
    );
}
