//! `passgate export`: one venue-local day of the log as CSV or XLSX.

use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use passgate_store::export::{write_csv, write_xlsx};

use crate::venue::DayArgs;

/// The export file format.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// RFC 4180 CSV, UTF-8 with a byte order mark.
    Csv,
    /// An Excel workbook: the log and a summary sheet.
    Xlsx,
}

/// Arguments of `passgate export`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    day: DayArgs,
    /// The file format.
    #[arg(long, value_enum)]
    format: Format,
    /// The file to write (replaced if it exists).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

/// Writes the day's entries to `--out`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (store, day) = args.day.open()?;
    let entries = store
        .day_entries(day)
        .with_context(|| format!("cannot read the entries of {day}"))?;
    write_atomically(&args.out, |w| match args.format {
        Format::Csv => write_csv(&entries, w),
        Format::Xlsx => write_xlsx(&entries, w),
    })?;
    eprintln!(
        "exported {} entries of {day} to {}",
        entries.len(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes to a temporary file next to `path`, then renames it over `path`,
/// so a failed export never leaves a half-written file behind.
fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<std::fs::File>) -> passgate_store::Result<()>,
) -> anyhow::Result<()> {
    let name = path
        .file_name()
        .with_context(|| format!("--out {} is not a file path", path.display()))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let result = (|| -> anyhow::Result<()> {
        let file = std::fs::File::create(&tmp)
            .with_context(|| format!("cannot create {}", tmp.display()))?;
        let mut w = BufWriter::new(file);
        write(&mut w).with_context(|| format!("cannot write {}", path.display()))?;
        let file = w
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(|| format!("cannot write {}", path.display()))?;
        file.sync_all()
            .with_context(|| format!("cannot write {}", path.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
