//! Storage benchmarks for `docs/BENCHMARKS.md` ("## Storage"):
//! `record()` latency with `synchronous=FULL`, and a day of 100,000
//! entries loaded from SQLite and exported to CSV and XLSX.
//!
//! `cargo run --release -p passgate-store --example bench_store -- [DIR] [RECORDS] [DAY_ENTRIES]`
//!
//! DIR (default: a new temp dir) must be on the disk you want to measure:
//! `record()` waits for fsync, so a tmpfs gives meaningless numbers.

#![allow(clippy::unwrap_used)] // a benchmark: fixed inputs

use std::io::BufWriter;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeDelta, TimeZone, Utc};
use passgate_store::export::{write_csv, write_xlsx};
use passgate_store::{Colour, Kind, LogQuery, NewEntry, Outcome, Store};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let keep_dir;
    let dir: PathBuf = match args.next() {
        Some(d) => PathBuf::from(d),
        None => {
            keep_dir = tempfile::tempdir()?;
            keep_dir.path().to_owned()
        }
    };
    let records: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(2000);
    let day_entries: usize = args
        .next()
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(100_000);
    std::fs::create_dir_all(&dir)?;
    println!("dir: {}", dir.display());

    bench_record(&dir, records)?;
    bench_day(&dir, day_entries)?;
    Ok(())
}

fn new_entry(n: usize) -> NewEntry {
    let deny = n.is_multiple_of(9);
    NewEntry {
        venue_id: "venue-shenyang-central-station".into(),
        device_id: "kiosk-03".into(),
        tz: chrono_tz::Asia::Shanghai,
        kind: Kind::Scan,
        outcome: if deny { Outcome::Deny } else { Outcome::Admit },
        reason_code: if deny { "fever".into() } else { "ok".into() },
        reason_text: if deny {
            "Fever 38.1 °C".into()
        } else {
            "Admitted".into()
        },
        colour: Some(Colour::Green),
        issuer: Some("CN-LN".into()),
        subject: Some(format!("5f1c2a9e-subject-{n:08}")),
        masked_name: Some(["刘*爽", "王*明", "张*三", "李*"][n % 4].into()),
        temperature: Some(if deny {
            38.1
        } else {
            36.4 + (n % 8) as f32 / 10.0
        }),
        pass_id: Some(format!("{:032x}", n as u128 * 0x9e37_79b9_7f4a_7c15)),
    }
}

fn bench_record(dir: &std::path::Path, n: usize) -> Result<(), Box<dyn std::error::Error>> {
    let path = dir.join("record-bench.sqlite");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let mut store = Store::open(&path)?;
    for i in 0..50 {
        store.record(&new_entry(i), Utc::now())?;
    }
    let mut times = Vec::with_capacity(n);
    for i in 0..n {
        let e = new_entry(i);
        let start = Instant::now();
        store.record(&e, Utc::now())?;
        times.push(start.elapsed());
    }
    times.sort();
    let pct = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    let mean = times.iter().sum::<Duration>() / times.len() as u32;
    println!(
        "record() x{n} (synchronous=FULL, WAL): p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms, mean {:.2} ms",
        ms(pct(0.50)),
        ms(pct(0.90)),
        ms(pct(0.99)),
        ms(*times.last().unwrap_or(&Duration::ZERO)),
        ms(mean)
    );
    Ok(())
}

/// CPU time of this thread (Linux), to tell own work from a busy machine.
fn cpu() -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .map(Duration::from_nanos)
        .unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A day of `n` decisions spread evenly over 24 Shanghai hours.
fn day_of(n: usize) -> Vec<(NewEntry, chrono::DateTime<Utc>)> {
    let start = Utc.with_ymd_and_hms(2026, 11, 27, 16, 0, 0).unwrap(); // 00:00 Shanghai
    let step = 86_400_000_000i64 / n as i64;
    (0..n)
        .map(|i| {
            (
                new_entry(i),
                start + TimeDelta::microseconds(step * i as i64),
            )
        })
        .collect()
}

fn bench_day(dir: &std::path::Path, n: usize) -> Result<(), Box<dyn std::error::Error>> {
    let day = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    let path = dir.join("day-bench.sqlite");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let mut store = Store::open(&path)?;
    let start = Instant::now();
    store.record_batch(&day_of(n))?;
    println!(
        "seeded {n} entries in {:.2} s (record_batch, one transaction)",
        start.elapsed().as_secs_f64()
    );

    let csv_path = dir.join("day.csv");
    let xlsx_path = dir.join("day.xlsx");
    for round in 1..=3 {
        let (t, c) = (Instant::now(), cpu());
        let loaded = store.day_entries(day)?;
        let (load, load_cpu) = (t.elapsed(), cpu() - c);
        assert_eq!(loaded.len(), n);

        let (t, c) = (Instant::now(), cpu());
        write_csv(&loaded, BufWriter::new(std::fs::File::create(&csv_path)?))?;
        let (csv, csv_cpu) = (t.elapsed(), cpu() - c);

        let (t, c) = (Instant::now(), cpu());
        write_xlsx(&loaded, BufWriter::new(std::fs::File::create(&xlsx_path)?))?;
        let (xlsx, xlsx_cpu) = (t.elapsed(), cpu() - c);

        let t = Instant::now();
        let summary = store.day_summary(day)?;
        let sum = t.elapsed();
        assert_eq!(summary.totals.total(), n as u64);

        let t = Instant::now();
        let page = store.day_log(&LogQuery {
            day,
            search: Some("张*三".into()),
            offset: (n / 8) as u64,
            limit: 100,
        })?;
        let log = t.elapsed();
        assert!(page.total > 0);

        println!(
            "round {round}: load day {:.3} s (cpu {:.3} s) | write CSV {:.3} s (cpu {:.3} s, {:.1} MB) | write XLSX {:.3} s (cpu {:.3} s, {:.1} MB) | day_summary {:.1} ms | day_log search page {:.1} ms",
            load.as_secs_f64(),
            load_cpu.as_secs_f64(),
            csv.as_secs_f64(),
            csv_cpu.as_secs_f64(),
            std::fs::metadata(&csv_path)?.len() as f64 / 1e6,
            xlsx.as_secs_f64(),
            xlsx_cpu.as_secs_f64(),
            std::fs::metadata(&xlsx_path)?.len() as f64 / 1e6,
            ms(sum),
            ms(log),
        );
    }
    Ok(())
}
