//! QR reader benchmark: our reader, plain rqrr and zxing-cpp on the same pixels.
//!
//! ```text
//! cargo run --release -p passgate-scan --example qrbench -- \
//!     --photos ../shared/data/qr-photos --synthetic 200 \
//!     --python /work/target-scan/zxing-venv/bin/python
//! ```
//! Writes PGM copies of every image under `--work` (default
//! `$TMPDIR/qrbench`), runs `bench/zxing_bench.py` on them when `--python`
//! is given, and prints one Markdown table per set.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use passgate_scan::reader::read_plain_rqrr;
use passgate_scan::source::synthetic::{Rng, Scene, SyntheticConfig, SyntheticSource};
use passgate_scan::{BudgetClock, Reader, ReaderConfig};

struct Case {
    id: String,
    width: usize,
    height: usize,
    luma: Vec<u8>,
    expected: Vec<Vec<u8>>,
    /// Module size in pixels (synthetic frames only).
    module_px: Option<f32>,
    /// The scene's conditions (synthetic frames only).
    scene: Option<Scene>,
    /// The code's outer corners (synthetic frames only).
    corners: Option<[[f64; 2]; 4]>,
}

#[derive(Default, Clone)]
struct Outcome {
    read: bool,
    wrong: bool,
    panicked: bool,
    /// Wall time.
    ms: f64,
    /// CPU time of the reading thread (fair on a shared machine).
    cpu_ms: f64,
    /// The reader's budget ran out before every stage had run.
    over_budget: bool,
    /// The longest stretch between two budget checks (ours only).
    unchecked_ms: f64,
}

/// CPU time of the calling thread in milliseconds.
fn thread_cpu_ms() -> f64 {
    let ts = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    ts.tv_sec as f64 * 1000.0 + ts.tv_nsec as f64 / 1e6
}

/// The reader's budget clock: `--clock cpu` (thread CPU time, the default
/// here: reproducible on a shared machine) or `--clock wall`.
fn clock() -> BudgetClock {
    let args: Vec<String> = std::env::args().collect();
    match args
        .iter()
        .position(|a| a == "--clock")
        .and_then(|i| args.get(i + 1))
    {
        Some(c) if c == "wall" => BudgetClock::Wall,
        _ => BudgetClock::ThreadCpu,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // rqrr's panics are caught and counted; keep their messages off the table.
    std::panic::set_hook(Box::new(|_| {}));
    let args: Vec<String> = std::env::args().collect();
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let work = PathBuf::from(
        opt("--work").unwrap_or_else(|| std::env::temp_dir().join("qrbench").display().to_string()),
    );
    std::fs::create_dir_all(&work)?;
    let mut sets: Vec<(String, Vec<Case>)> = Vec::new();
    if let Some(dir) = opt("--photos") {
        sets.push(("qr-photos".into(), load_photos(Path::new(&dir))?));
    }
    if let Some(n) = opt("--synthetic") {
        sets.push((
            "synthetic kiosk frames".into(),
            synthetic_cases(n.parse()?)?,
        ));
    }
    if args.iter().any(|a| a == "--empty") {
        sets.push(("1280x720, no code".into(), empty_cases()));
        sets.push(("1280x720, no code, sensor noise".into(), noisy_cases()));
        sets.push(("1280x720, no code, clutter".into(), clutter_cases()));
    }
    if let Some(n) = opt("--held") {
        held_sequence(n.parse()?)?;
    }
    let only = opt("--only");
    let verbose = args.iter().any(|a| a == "-v");
    for (name, cases) in &sets {
        let cases: Vec<&Case> = cases
            .iter()
            .filter(|c| only.as_ref().is_none_or(|o| c.id.contains(o.as_str())))
            .collect();
        let manifest = work.join(format!(
            "{}.tsv",
            name.replace(|c: char| !c.is_alphanumeric(), "_")
        ));
        let mut lines = String::new();
        for c in &cases {
            let path = work.join(format!("{}.pgm", c.id.replace('/', "_")));
            let mut pgm = format!("P5\n{} {}\n255\n", c.width, c.height).into_bytes();
            pgm.extend_from_slice(&c.luma);
            std::fs::write(&path, pgm)?;
            lines.push_str(&format!("{}\t{}\n", c.id, path.display()));
        }
        std::fs::write(&manifest, lines)?;
        let ours: Vec<Outcome> = cases.iter().map(|c| run_ours(c)).collect();
        let plain: Vec<Outcome> = if args.iter().any(|a| a == "--no-plain") {
            vec![Outcome::default(); cases.len()]
        } else {
            cases.iter().map(|c| run_plain(c)).collect()
        };
        let zxing = opt("--python")
            .map(|py| run_zxing(&py, &manifest, &cases))
            .transpose()?;
        if verbose {
            for (i, c) in cases.iter().enumerate() {
                let z = zxing.as_ref().map(|z| z[i].read);
                println!(
                    "{}\tm={:.1}\tours={} ({:.1} ms, {:.1} CPU)\tplain={}\tzxing={:?}{}\t{}",
                    c.id,
                    c.module_px.unwrap_or(0.0),
                    ours[i].read,
                    ours[i].ms,
                    ours[i].cpu_ms,
                    plain[i].read,
                    z,
                    if ours[i].wrong { "\tWRONG" } else { "" },
                    c.scene.as_ref().map(describe).unwrap_or_default()
                );
            }
        }
        if let Some(dir) = opt("--dump") {
            // The frames our reader missed, as PNG, to look at.
            std::fs::create_dir_all(&dir)?;
            for (i, c) in cases.iter().enumerate() {
                if ours[i].read || c.expected.is_empty() {
                    continue;
                }
                let path = Path::new(&dir).join(format!("{}.png", c.id.replace('/', "_")));
                image::GrayImage::from_raw(c.width as u32, c.height as u32, c.luma.clone())
                    .ok_or("image size")?
                    .save(path)?;
                let (bw, bh, bits) =
                    passgate_scan::reader::binary_image(c.width, c.height, &c.luma, 1280);
                let path = Path::new(&dir).join(format!("{}.bin.png", c.id.replace('/', "_")));
                image::GrayImage::from_raw(bw as u32, bh as u32, bits)
                    .ok_or("image size")?
                    .save(path)?;
            }
        }
        println!("\n### {name} ({} images)\n", cases.len());
        println!(
            "| reader | read | wrong | panics | median ms | p95 ms | max ms | median CPU ms | p95 CPU ms | max CPU ms |"
        );
        println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        let mut rows = vec![("passgate-scan", &ours), ("rqrr 0.11 plain", &plain)];
        if let Some(z) = &zxing {
            rows.push(("zxing-cpp", z));
        }
        for (label, outs) in rows {
            print_row(label, outs);
        }
        if let Some((i, o)) = ours
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.unchecked_ms.total_cmp(&b.1.unchecked_ms))
        {
            let over = ours.iter().filter(|o| o.over_budget).count();
            println!(
                "\npassgate-scan: {over} frames hit the budget; longest work between two budget checks {:.2} ms ({})",
                o.unchecked_ms, cases[i].id
            );
        }
        let small: Vec<usize> = (0..cases.len())
            .filter(|&i| cases[i].module_px.is_some_and(|m| m >= 3.0))
            .collect();
        if cases.iter().any(|c| c.scene.is_some()) {
            buckets(&cases, &ours, zxing.as_deref());
            if verbose {
                classify_misses(&cases, &ours);
            }
        }
        if !small.is_empty() {
            let rate = |o: &Vec<Outcome>| {
                small.iter().filter(|&&i| o[i].read).count() as f64 * 100.0 / small.len() as f64
            };
            print!(
                "\nmodules >= 3 px ({} frames): passgate-scan {:.1} %, rqrr plain {:.1} %",
                small.len(),
                rate(&ours),
                rate(&plain)
            );
            if let Some(z) = &zxing {
                print!(", zxing-cpp {:.1} %", rate(z));
            }
            println!();
        }
    }
    Ok(())
}

fn print_row(label: &str, outs: &[Outcome]) {
    let n = outs.len().max(1) as f64;
    let read = outs.iter().filter(|o| o.read).count();
    let wrong = outs.iter().filter(|o| o.wrong).count();
    let panics = outs.iter().filter(|o| o.panicked).count();
    let stats = |f: fn(&Outcome) -> f64| {
        let mut v: Vec<f64> = outs.iter().map(f).collect();
        v.sort_by(f64::total_cmp);
        let pct = |p: f64| {
            v.get(((v.len() as f64 - 1.0) * p).round() as usize)
                .copied()
                .unwrap_or(0.0)
        };
        format!(
            "{:.2} | {:.2} | {:.2}",
            pct(0.5),
            pct(0.95),
            v.last().copied().unwrap_or(0.0)
        )
    };
    println!(
        "| {label} | {:.1} % ({read}) | {wrong} | {panics} | {} | {} |",
        read as f64 * 100.0 / n,
        stats(|o| o.ms),
        stats(|o| o.cpu_ms)
    );
}

/// Read: every expected text is among the results. Wrong: something was
/// decoded but not the expected text (an extra code next to the expected one,
/// as in images holding two codes, is not counted as wrong).
/// One line of a synthetic scene's conditions.
fn describe(s: &Scene) -> String {
    format!(
        "angle={:.0} tilt={:.2} blur={:.2} motion={:.1} noise={:.1} glare={:.0}/{:.2} moire={:.2}/{:.1} levels={:.0}-{:.0} gain={:.2}{}",
        s.angle_deg,
        s.tilt,
        s.blur,
        s.motion,
        s.noise,
        s.glare.0,
        s.glare.1,
        s.moire.0,
        s.moire.1,
        s.levels.0,
        s.levels.1,
        s.gain,
        if s.inverted { " inverted" } else { "" }
    )
}

/// Read: every expected text is among the results. Wrong: something was
/// decoded but not the expected text (an extra code next to the expected one,
/// as in images holding two codes, is not counted as wrong).
fn judge(expected: &[Vec<u8>], got: &[Vec<u8>]) -> (bool, bool) {
    let read = !expected.is_empty() && expected.iter().all(|e| got.contains(e));
    let wrong = !read && got.iter().any(|g| !expected.contains(g));
    (read, wrong)
}

fn run_ours(c: &Case) -> Outcome {
    let mut reader = Reader::new(ReaderConfig {
        track: false,
        clock: clock(),
        ..ReaderConfig::default()
    });
    let (t, c0) = (Instant::now(), thread_cpu_ms());
    let codes = reader.read_luma(c.width, c.height, &c.luma);
    let (ms, cpu_ms) = (t.elapsed().as_secs_f64() * 1000.0, thread_cpu_ms() - c0);
    // Compare as text when the expectation is text, so Shift_JIS/Latin-1 payloads count.
    let got: Vec<Vec<u8>> = codes.iter().map(|d| d.text.clone().into_bytes()).collect();
    let (read, wrong) = judge(&c.expected, &got);
    Outcome {
        read,
        wrong,
        panicked: reader.stats().panics > 0,
        ms,
        cpu_ms,
        over_budget: reader.stats().over_budget > 0,
        unchecked_ms: reader.stats().longest_unchecked.as_secs_f64() * 1000.0,
    }
}

fn run_plain(c: &Case) -> Outcome {
    let (t, c0) = (Instant::now(), thread_cpu_ms());
    let (codes, panicked) = read_plain_rqrr(c.width, c.height, &c.luma);
    let (ms, cpu_ms) = (t.elapsed().as_secs_f64() * 1000.0, thread_cpu_ms() - c0);
    let got: Vec<Vec<u8>> = codes
        .iter()
        .map(|(b, _)| passgate_scan::reader::interpret(b).0.into_bytes())
        .collect();
    let (read, wrong) = judge(&c.expected, &got);
    Outcome {
        read,
        wrong,
        panicked,
        ms,
        cpu_ms,
        over_budget: false,
        unchecked_ms: 0.0,
    }
}

fn run_zxing(
    python: &str,
    manifest: &Path,
    cases: &[&Case],
) -> Result<Vec<Outcome>, Box<dyn std::error::Error>> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/zxing_bench.py");
    let out = Command::new(python).arg(script).arg(manifest).output()?;
    if !out.status.success() {
        return Err(format!(
            "zxing_bench.py failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    let mut by_id: HashMap<String, Outcome> = HashMap::new();
    for line in String::from_utf8(out.stdout)?.lines() {
        let v: serde_json::Value = serde_json::from_str(line)?;
        let id = v["id"].as_str().unwrap_or_default().to_owned();
        let texts: Vec<Vec<u8>> = v["texts"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|t| t.as_str())
                    .map(|t| t.as_bytes().to_vec())
                    .collect()
            })
            .unwrap_or_default();
        let c = cases
            .iter()
            .find(|c| c.id == id)
            .ok_or("unknown id from zxing")?;
        let (read, wrong) = judge(&c.expected, &texts);
        by_id.insert(
            id,
            Outcome {
                read,
                wrong,
                panicked: false,
                ms: v["ms"].as_f64().unwrap_or(0.0),
                cpu_ms: v["cpu_ms"].as_f64().unwrap_or(0.0),
                over_budget: false,
                unchecked_ms: 0.0,
            },
        );
    }
    Ok(cases
        .iter()
        .map(|c| by_id.get(&c.id).cloned().unwrap_or_default())
        .collect())
}

fn load_photos(dir: &Path) -> Result<Vec<Case>, Box<dyn std::error::Error>> {
    let mut cases = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for d in dirs {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&d)?
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .collect();
        files.sort();
        for f in files {
            let ext = f
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            if !matches!(ext.as_str(), "png" | "jpg" | "jpeg" | "gif" | "bmp") {
                continue;
            }
            let expected = if let Ok(t) = std::fs::read(f.with_extension("txt")) {
                t
            } else if let Ok(b) = std::fs::read(f.with_extension("bin")) {
                b.iter()
                    .map(|&c| c as char)
                    .collect::<String>()
                    .into_bytes()
            } else {
                continue;
            };
            let img = image::open(&f)?.to_luma8();
            let id = format!(
                "{}/{}",
                d.file_name().and_then(|n| n.to_str()).unwrap_or(""),
                f.file_name().and_then(|n| n.to_str()).unwrap_or("")
            );
            cases.push(Case {
                id,
                width: img.width() as usize,
                height: img.height() as usize,
                luma: img.into_raw(),
                expected: vec![expected],
                module_px: None,
                scene: None,
                corners: None,
            });
        }
    }
    Ok(cases)
}

fn synthetic_cases(n: usize) -> Result<Vec<Case>, Box<dyn std::error::Error>> {
    let texts = issued_passes(20)?;
    let source = SyntheticSource::new(SyntheticConfig {
        seed: 2026,
        texts,
        ..SyntheticConfig::default()
    })?;
    Ok((0..n as u64)
        .map(|i| {
            let (frame, truth) = source.render(i);
            Case {
                id: format!("synthetic/{i:03}"),
                width: frame.width as usize,
                height: frame.height as usize,
                luma: frame.luma,
                expected: truth.text.into_iter().map(String::into_bytes).collect(),
                module_px: Some(truth.min_module_px as f32),
                scene: Some(truth.scene),
                corners: truth.corners,
            }
        })
        .collect())
}

/// A live-like sequence: each scene held for 10 frames with hand shake, read
/// by one reader with and without tracking of the last code's region.
fn held_sequence(n: u64) -> Result<(), Box<dyn std::error::Error>> {
    let source = SyntheticSource::new(SyntheticConfig {
        seed: 77,
        texts: issued_passes(5)?,
        hold: 10,
        ..SyntheticConfig::default()
    })?;
    let frames: Vec<_> = (0..n).map(|i| source.render(i)).collect();
    println!("\n### held scenes ({n} frames, 10 per scene)\n");
    println!("| tracking | frames read | median ms | p95 ms | max ms |");
    println!("|---|---:|---:|---:|---:|");
    for track in [false, true] {
        let mut reader = Reader::new(ReaderConfig {
            track,
            clock: clock(),
            ..ReaderConfig::default()
        });
        let mut ms = Vec::new();
        let mut read = 0;
        for (frame, truth) in &frames {
            let t = Instant::now();
            let codes = reader.read(frame);
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
            read += usize::from(
                truth
                    .text
                    .as_ref()
                    .is_some_and(|e| codes.iter().any(|c| &c.text == e)),
            );
        }
        ms.sort_by(f64::total_cmp);
        let pct = |p: f64| ms[((ms.len() as f64 - 1.0) * p).round() as usize];
        println!(
            "| {} | {read} | {:.2} | {:.2} | {:.2} |",
            if track { "on" } else { "off" },
            pct(0.5),
            pct(0.95),
            pct(1.0)
        );
    }
    Ok(())
}

/// Real passes, signed by a fixed test issuer key (`passgate_pass::issue`).
fn issued_passes(n: u8) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    use chrono::{TimeZone, Utc};
    use passgate_pass::{Claims, CodeColour, HealthClaim, IssuerId, PassId};
    let key = passgate_pass::keys::signing_key_from_seed([7; 32]);
    let iat = Utc
        .with_ymd_and_hms(2026, 11, 28, 8, 0, 0)
        .single()
        .ok_or("bad date")?;
    (0..n)
        .map(|i| {
            let claims = Claims {
                iss: IssuerId::new("CN-LN")?,
                iat,
                exp: iat + chrono::TimeDelta::days(7),
                nbf: None,
                pass_id: PassId::from_bytes([i; 16]),
                health: HealthClaim {
                    status: CodeColour::Green,
                    subject: format!("subject-{i:04}-5f3a9c0e7b2d4e6f"),
                    masked_name: "刘*爽".into(),
                },
            };
            Ok(passgate_pass::issue(&key, &claims)?)
        })
        .collect()
}

fn empty_cases() -> Vec<Case> {
    // Textured scenes with no code: gradients, noise and edges.
    (0..20u64)
        .map(|i| {
            let (w, h) = (1280usize, 720usize);
            let mut s = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
            let luma = (0..w * h)
                .map(|p| {
                    s ^= s << 13;
                    s ^= s >> 7;
                    s ^= s << 17;
                    let (x, y) = (p % w, p / w);
                    let base = 60
                        + (x * 120 / w) as i32
                        + if (x / 160 + y / 90) % 2 == 0 { 30 } else { 0 };
                    (base + (s % 16) as i32 - 8).clamp(0, 255) as u8
                })
                .collect();
            empty_case(format!("empty/{i}"), w, h, luma)
        })
        .collect()
}

/// Read rates per condition bucket, ours next to zxing-cpp's.
fn buckets(cases: &[&Case], ours: &[Outcome], zxing: Option<&[Outcome]>) {
    type Pick = fn(&Case, &Scene) -> &'static str;
    let groups: [(&str, Pick); 7] = [
        ("module px", |c, _| match c.module_px.unwrap_or(0.0) {
            m if m < 2.5 => "< 2.5",
            m if m < 3.0 => "2.5-3",
            m if m < 4.0 => "3-4",
            m if m < 5.5 => "4-5.5",
            _ => ">= 5.5",
        }),
        ("blur sigma", |_, s| match s.blur {
            b if b < 0.8 => "< 0.8",
            b if b < 1.2 => "0.8-1.2",
            _ => ">= 1.2",
        }),
        (
            "motion blur",
            |_, s| if s.motion > 0.0 { "yes" } else { "no" },
        ),
        ("glare", |_, s| match s.glare.0 {
            g if g <= 0.0 => "none",
            g if g < 120.0 => "< 120",
            _ => ">= 120",
        }),
        ("rotation", |_, s| {
            if s.angle_deg.abs() <= 30.0 {
                "<= 30 deg"
            } else {
                "> 30 deg"
            }
        }),
        ("tilt", |_, s| match s.tilt {
            t if t <= 0.0 => "none",
            t if t < 0.15 => "< 0.15",
            _ => ">= 0.15",
        }),
        ("moire / dark mode", |_, s| {
            match (s.moire.0 > 0.0, s.inverted) {
                (_, true) => "dark mode",
                (true, false) => "moire",
                (false, false) => "plain",
            }
        }),
    ];
    println!("\n| condition | bucket | frames | passgate-scan | zxing-cpp |");
    println!("|---|---|---:|---:|---:|");
    for (name, pick) in groups {
        let mut keys: Vec<&str> = Vec::new();
        for c in cases {
            let k = pick(c, c.scene.as_ref().expect("synthetic"));
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
        keys.sort();
        for k in keys {
            let idx: Vec<usize> = (0..cases.len())
                .filter(|&i| pick(cases[i], cases[i].scene.as_ref().expect("synthetic")) == k)
                .collect();
            let rate = |o: &[Outcome]| {
                let n = idx.iter().filter(|&&i| o[i].read).count();
                format!("{:.0} % ({n})", n as f64 * 100.0 / idx.len() as f64)
            };
            println!(
                "| {name} | {k} | {} | {} | {} |",
                idx.len(),
                rate(ours),
                zxing.map(rate).unwrap_or_default()
            );
        }
    }
}

/// Why each synthetic frame was missed: out of view, finder lost (the
/// reader saw no candidate near an expected finder centre), budget, or a
/// fit/sampling/decode failure with all three finders seen.
fn classify_misses(cases: &[&Case], ours: &[Outcome]) {
    let mut classes: Vec<(String, Vec<String>)> = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let (Some(q), Some(scene)) = (c.corners, c.scene.as_ref()) else {
            continue;
        };
        if ours[i].read || c.expected.is_empty() {
            continue;
        }
        let (w, h) = (c.width as f64, c.height as f64);
        let inside = q
            .iter()
            .all(|p| p[0] >= 0.0 && p[1] >= 0.0 && p[0] < w && p[1] < h);
        let module = c.module_px.unwrap_or(1.0) as f64;
        let class = {
            // Finder centres, bilinear in the corner quad (close to the
            // projective position this near the corners).
            let dim =
                qrcode::QrCode::with_error_correction_level(&c.expected[0], qrcode::EcLevel::Q)
                    .map_or(69, |q| q.width()) as f64;
            let f = 3.5 / dim;
            let at = |u: f64, v: f64| {
                let top = [
                    q[0][0] + (q[1][0] - q[0][0]) * u,
                    q[0][1] + (q[1][1] - q[0][1]) * u,
                ];
                let bot = [
                    q[3][0] + (q[2][0] - q[3][0]) * u,
                    q[3][1] + (q[2][1] - q[3][1]) * u,
                ];
                [
                    top[0] + (bot[0] - top[0]) * v,
                    top[1] + (bot[1] - top[1]) * v,
                ]
            };
            let centres = [at(f, f), at(1.0 - f, f), at(f, 1.0 - f)];
            let seen = passgate_scan::reader::finder_candidates(c.width, c.height, &c.luma, 1280);
            let found = centres
                .iter()
                .filter(|p| {
                    seen.iter().any(|s| {
                        s.dark != scene.inverted
                            && ((s.x as f64 - p[0]).hypot(s.y as f64 - p[1])) < 2.5 * module
                    })
                })
                .count();
            if !inside {
                let cut = centres
                    .iter()
                    .filter(|p| {
                        let d = p[0].min(p[1]).min(w - p[0]).min(h - p[1]);
                        d < 3.5 * module
                    })
                    .count();
                format!("out of view ({found} of 3 finders seen, {cut} cut by the edge)")
            } else if found < 3 {
                format!("finder lost ({found} of 3 seen)")
            } else if ours[i].over_budget {
                "budget (3 finders seen)".to_owned()
            } else {
                "fit/sampling/decode (3 finders seen)".to_owned()
            }
        };
        match classes.iter_mut().find(|(k, _)| *k == class) {
            Some((_, ids)) => ids.push(c.id.clone()),
            None => classes.push((class, vec![c.id.clone()])),
        }
    }
    println!("\nmisses by class:");
    for (k, ids) in classes {
        println!("- {k}: {} — {}", ids.len(), ids.join(" "));
    }
}

/// A case without a code from a float image: optional blur (demosaicing and
/// noise reduction correlate a webcam's noise), then Gaussian sensor noise
/// of `sigma` levels, a new pattern per frame.
fn no_code_case(id: String, mut img: Vec<f32>, blur: bool, sigma: f64, rng: &mut Rng) -> Case {
    let (w, h) = (1280usize, 720usize);
    let mut noise: Vec<f32> = (0..w * h).map(|_| (gaussian(rng) * sigma) as f32).collect();
    if blur {
        // Correlated noise keeps its level: blur it with a 1-2-1 kernel, then
        // restore its standard deviation (the kernel divides it by 1.63).
        box_121(&mut noise, w, h);
        noise.iter_mut().for_each(|v| *v *= 1.63);
        box_121(&mut img, w, h);
    }
    let luma = img
        .iter()
        .zip(&noise)
        .map(|(v, n)| (v + n).round().clamp(0.0, 255.0) as u8)
        .collect();
    empty_case(id, w, h, luma)
}

/// A frame that holds no code.
fn empty_case(id: String, width: usize, height: usize, luma: Vec<u8>) -> Case {
    Case {
        id,
        width,
        height,
        luma,
        expected: Vec::new(),
        module_px: None,
        scene: None,
        corners: None,
    }
}

/// A standard normal sample (Box-Muller: the tails matter here, a block's
/// range of 64 noisy pixels is set by them).
fn gaussian(rng: &mut Rng) -> f64 {
    let u = rng.range(f64::MIN_POSITIVE, 1.0);
    let v = rng.range(0.0, std::f64::consts::TAU);
    (-2.0 * u.ln()).sqrt() * v.cos()
}

/// A 1-2-1 blur in both directions.
fn box_121(img: &mut [f32], w: usize, h: usize) {
    let src = img.to_vec();
    for y in 0..h {
        for x in 0..w {
            let (a, b) = (x.saturating_sub(1), (x + 1).min(w - 1));
            img[y * w + x] = (src[y * w + a] + 2.0 * src[y * w + x] + src[y * w + b]) / 4.0;
        }
    }
    let src = img.to_vec();
    for y in 0..h {
        let (a, b) = (y.saturating_sub(1), (y + 1).min(h - 1));
        for x in 0..w {
            img[y * w + x] = (src[a * w + x] + 2.0 * src[y * w + x] + src[b * w + x]) / 4.0;
        }
    }
}

/// Flat counter scenes (a grey counter, a lighter mat on it) under camera
/// sensor noise of 2 to 8 levels, white and correlated.
fn noisy_cases() -> Vec<Case> {
    let (w, h) = (1280usize, 720usize);
    let mut rng = Rng::new(4242);
    let mut cases = Vec::new();
    for (i, sigma) in [2.0, 3.0, 4.5, 6.0, 8.0].into_iter().enumerate() {
        for blur in [false, true] {
            let (bg, mat) = (
                rng.range(60.0, 120.0) as f32,
                rng.range(110.0, 200.0) as f32,
            );
            let (x0, y0) = (
                rng.range(100.0, 400.0) as usize,
                rng.range(80.0, 200.0) as usize,
            );
            let (x1, y1) = (
                x0 + rng.range(300.0, 700.0) as usize,
                y0 + rng.range(200.0, 420.0) as usize,
            );
            let img = (0..w * h)
                .map(|p| {
                    let (x, y) = (p % w, p / w);
                    let on_mat = (x0..x1).contains(&x) && (y0..y1).contains(&y);
                    // Vignetting: a few levels darker towards the corners.
                    let r2 = ((x as f32 / w as f32 - 0.5).powi(2)
                        + (y as f32 / h as f32 - 0.5).powi(2))
                        * 4.0;
                    (if on_mat { mat } else { bg }) * (1.0 - 0.12 * r2)
                })
                .collect();
            let id = format!("noise/{i}{}-sigma{sigma}", if blur { "c" } else { "w" });
            cases.push(no_code_case(id, img, blur, sigma, &mut rng));
        }
    }
    cases
}

/// Busy scenes without a code, under sensor noise of 3 to 5 levels: printed
/// text, stripes, checkerboards, a hand, a phone screen showing an app
/// without a code, a keyboard.
fn clutter_cases() -> Vec<Case> {
    let (w, h) = (1280usize, 720usize);
    let mut rng = Rng::new(777);
    let mut cases = Vec::new();
    let kinds = [
        "text", "text", "stripes", "stripes", "checker", "checker", "hand", "hand", "phone",
        "phone", "keyboard", "mixed",
    ];
    for (i, kind) in kinds.into_iter().enumerate() {
        let bg = rng.range(70.0, 150.0) as f32;
        let mut img = vec![bg; w * h];
        let rect = |img: &mut Vec<f32>, x0: f64, y0: f64, rw: f64, rh: f64, v: f32| {
            let (x0, y0) = (x0.max(0.0) as usize, y0.max(0.0) as usize);
            for y in y0..((y0 as f64 + rh) as usize).min(h) {
                for x in x0..((x0 as f64 + rw) as usize).min(w) {
                    img[y * w + x] = v;
                }
            }
        };
        if kind == "text" || kind == "mixed" {
            // A printed page: lines of glyphs made of strokes and dots.
            let (px0, py0) = (rng.range(50.0, 300.0), rng.range(30.0, 120.0));
            let size = rng.range(8.0, 22.0);
            rect(&mut img, px0, py0, 800.0, 560.0, 225.0);
            let mut y = py0 + size;
            while y < py0 + 540.0 - size {
                let mut x = px0 + 20.0;
                while x < px0 + 760.0 {
                    let glyph = rng.range(0.4, 0.9) * size;
                    let stroke = (size / 7.0).max(1.0);
                    for _ in 0..3 {
                        let vertical = rng.chance(0.5);
                        let (gx, gy) = (x + rng.range(0.0, glyph), y + rng.range(0.0, size * 0.5));
                        if vertical {
                            rect(&mut img, gx, y, stroke, size, 30.0);
                        } else {
                            rect(&mut img, x, gy, glyph, stroke, 30.0);
                        }
                    }
                    x += glyph + if rng.chance(0.15) { size } else { size * 0.25 };
                }
                y += size * 1.6;
            }
        }
        if kind == "stripes" || kind == "mixed" {
            let period = rng.range(3.0, 20.0);
            let angle = rng.range(0.0, std::f64::consts::PI);
            let (c, s) = (angle.cos(), angle.sin());
            for (p, v) in img.iter_mut().enumerate() {
                let (x, y) = ((p % w) as f64, (p / w) as f64);
                if ((x * c + y * s) / period).floor() as i64 % 2 == 0 && (x - 640.0).abs() < 500.0 {
                    *v = 40.0;
                }
            }
        }
        if kind == "checker" || kind == "keyboard" || kind == "mixed" {
            let cell = rng.range(4.0, 24.0);
            let (x0, y0) = (rng.range(100.0, 500.0), rng.range(50.0, 300.0));
            let (cw, ch) = (rng.range(200.0, 600.0), rng.range(150.0, 350.0));
            for (p, v) in img.iter_mut().enumerate() {
                let (x, y) = ((p % w) as f64 - x0, (p / w) as f64 - y0);
                if (0.0..cw).contains(&x) && (0.0..ch).contains(&y) {
                    let (i, j) = ((x / cell) as i64, (y / cell) as i64);
                    *v = if kind == "keyboard" {
                        // Keys: light squares with dark gaps and a letter.
                        let (fx, fy) = (x / cell - i as f64, y / cell - j as f64);
                        if fx < 0.15 || fy < 0.15 {
                            25.0
                        } else if (0.4..0.6).contains(&fx) && (0.3..0.7).contains(&fy) {
                            60.0
                        } else {
                            200.0
                        }
                    } else if (i + j) % 2 == 0 {
                        30.0
                    } else {
                        210.0
                    };
                }
            }
        }
        if kind == "hand" || kind == "mixed" {
            // A palm and five fingers, shaded, with creases.
            let (cx, cy) = (rng.range(400.0, 880.0), rng.range(300.0, 500.0));
            let skin = rng.range(130.0, 190.0) as f32;
            for (p, v) in img.iter_mut().enumerate() {
                let (x, y) = ((p % w) as f64 - cx, (p / w) as f64 - cy);
                let palm = (x / 150.0).powi(2) + (y / 170.0).powi(2) < 1.0;
                let finger = (0..5).any(|f| {
                    let fx = -120.0 + f as f64 * 60.0;
                    (x - fx).abs() < 24.0 && y < 0.0 && y > -260.0 - 30.0 * (f % 3) as f64
                });
                if palm || finger {
                    let crease = ((y + 40.0).abs() < 2.0 || (y - 60.0).abs() < 2.0) as u8 as f32;
                    *v = skin * (1.0 - 0.2 * (x / 200.0).powi(2) as f32) - 40.0 * crease;
                }
            }
        }
        if kind == "phone" {
            // A phone held up showing an app: status bar, buttons, text lines, icons.
            let (x0, y0) = (rng.range(300.0, 700.0), rng.range(40.0, 120.0));
            rect(&mut img, x0 - 12.0, y0 - 30.0, 344.0, 640.0, 20.0);
            rect(&mut img, x0, y0, 320.0, 580.0, 235.0);
            rect(&mut img, x0, y0, 320.0, 24.0, 60.0);
            for r in 0..6 {
                let y = y0 + 60.0 + r as f64 * 80.0;
                rect(&mut img, x0 + 20.0, y, 48.0, 48.0, 40.0);
                rect(&mut img, x0 + 28.0, y + 8.0, 32.0, 32.0, 200.0);
                rect(&mut img, x0 + 36.0, y + 16.0, 16.0, 16.0, 40.0);
                rect(
                    &mut img,
                    x0 + 90.0,
                    y + 6.0,
                    rng.range(80.0, 200.0),
                    10.0,
                    70.0,
                );
                rect(
                    &mut img,
                    x0 + 90.0,
                    y + 28.0,
                    rng.range(60.0, 180.0),
                    8.0,
                    140.0,
                );
            }
            rect(&mut img, x0 + 40.0, y0 + 530.0, 240.0, 36.0, 90.0);
        }
        let sigma = rng.range(3.0, 5.0);
        let blur = i % 2 == 1;
        cases.push(no_code_case(
            format!("clutter/{i:02}-{kind}"),
            img,
            blur,
            sigma,
            &mut rng,
        ));
    }
    cases
}
