//! CSV export: RFC 4180 (CRLF, quoted as needed), UTF-8 with a BOM so
//! Excel reads Chinese text correctly, formula-like cells neutralised.

use std::io::Write;

use super::{COLUMNS, neutralise, text_cells};
use crate::Result;
use crate::entry::Entry;

/// The UTF-8 byte order mark written first.
pub const CSV_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Writes `entries` as CSV to `out`: a BOM, the header row, one row per
/// entry. No entries gives the header row only.
pub fn write_csv<W: Write>(entries: &[Entry], mut out: W) -> Result<()> {
    out.write_all(CSV_BOM)?;
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    w.write_record(COLUMNS)?;
    for e in entries {
        let cells = text_cells(e);
        let safe = cells.each_ref().map(|c| neutralise(c));
        w.write_record(safe.iter().map(|c| c.as_bytes()))?;
    }
    w.flush()?;
    Ok(())
}
