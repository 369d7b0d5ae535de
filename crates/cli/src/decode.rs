//! `passgate decode`: read the QR codes in image files with the kiosk's reader.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use passgate_scan::reader::escape_bytes;
use passgate_scan::source::images::load_luma;
use passgate_scan::{Decoded, Reader, ReaderConfig};

/// Arguments of `passgate decode`.
#[derive(Debug, clap::Args)]
pub struct DecodeArgs {
    /// Print one JSON line per image: {"file","decode_ms","codes":[{"text","corners"}]}.
    #[arg(long)]
    pub json: bool,
    /// Time budget per image in milliseconds (the kiosk uses 50).
    #[arg(long, default_value_t = 50)]
    pub budget_ms: u64,
    /// Image files (PNG or JPEG).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

/// One JSON line for an image: fields in a fixed order.
pub fn json_line(file: &str, decode_ms: f64, codes: &[Decoded]) -> String {
    let s = |v: &str| serde_json::Value::String(v.to_owned()).to_string();
    let codes: Vec<String> = codes
        .iter()
        .map(|c| {
            let corners: Vec<String> = c
                .corners
                .iter()
                .map(|[x, y]| format!("[{x:.1},{y:.1}]"))
                .collect();
            let bytes = if c.is_utf8 {
                String::new()
            } else {
                format!(",\"bytes\":{}", s(&escape_bytes(&c.bytes)))
            };
            format!(
                "{{\"text\":{},\"corners\":[{}]{bytes}}}",
                s(&c.text),
                corners.join(",")
            )
        })
        .collect();
    format!(
        "{{\"file\":{},\"decode_ms\":{decode_ms:.3},\"codes\":[{}]}}",
        s(file),
        codes.join(",")
    )
}

/// Runs `passgate decode`; fails (after printing every image it could read) if any image could not be opened.
pub fn run(args: &DecodeArgs) -> Result<ExitCode> {
    let mut reader = Reader::new(ReaderConfig {
        budget: Duration::from_millis(args.budget_ms),
        track: false,
        ..ReaderConfig::default()
    });
    let mut failed = 0;
    for path in &args.paths {
        let (w, h, luma) =
            match load_luma(path).with_context(|| format!("reading {}", path.display())) {
                Ok(img) => img,
                Err(e) => {
                    eprintln!("error: {e:#}");
                    failed += 1;
                    continue;
                }
            };
        let t = Instant::now();
        let codes = reader.read_luma(w as usize, h as usize, &luma);
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let file = path.display().to_string();
        if args.json {
            println!("{}", json_line(&file, ms, &codes));
        } else {
            println!("{file}: {} code(s) in {ms:.1} ms", codes.len());
            for c in &codes {
                println!(
                    "  {}",
                    if c.is_utf8 {
                        c.text.clone()
                    } else {
                        escape_bytes(&c.bytes)
                    }
                );
            }
        }
    }
    if failed > 0 {
        bail!(
            "{failed} of {} image(s) could not be read; check the paths and that they are PNG or JPEG files",
            args.paths.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}
