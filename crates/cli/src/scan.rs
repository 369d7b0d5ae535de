//! `passgate scan`: the live pipeline (source -> reader -> decision) on the
//! command line, printing one line per pass seen.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use passgate_gate::{TrustState, VenuePolicy, decide};
use passgate_pass::{RevocationSet, TrustList};
use passgate_scan::source::synthetic::sample_hc1_text;
use passgate_scan::source::{
    CameraDevice, CameraSource, CameraSpec, ImageSource, SyntheticConfig, SyntheticSource,
    VideoSource,
};
use passgate_scan::{Delivery, FrameSource, Pipeline, PipelineEvent, Reader, ReaderConfig};

use crate::input;

/// Arguments of `passgate scan`.
#[derive(clap::Args)]
pub struct Args {
    /// Where frames come from: camera:INDEX, camera:NAME, images:DIR, video:FILE.y4m or synthetic.
    #[arg(long, default_value = "camera:0")]
    source: String,
    /// Root public key (a .pub file or 64 hex digits); with --trust, verdicts are printed.
    #[arg(long, requires = "trust")]
    root: Option<String>,
    /// Signed trust list; with --root, verdicts are printed.
    #[arg(long, requires = "root")]
    trust: Option<PathBuf>,
    /// Pass texts the synthetic source shows (default: a sample HC1-length text).
    #[arg(long = "text", value_name = "TEXT")]
    texts: Vec<String>,
    /// Seed of the synthetic source.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Frames per second for images, video and synthetic sources (0 = as fast as read).
    #[arg(long, default_value_t = 0.0)]
    fps: f64,
    /// Stop after this many frames (default: when the source ends; cameras never end).
    #[arg(long)]
    frames: Option<u64>,
    /// Print one JSON line per pass seen.
    #[arg(long)]
    json: bool,
}

fn build_source(
    spec: &str,
    texts: &[String],
    seed: u64,
    fps: f64,
    frames: Option<u64>,
) -> anyhow::Result<Box<dyn FrameSource>> {
    let (kind, arg) = spec.split_once(':').unwrap_or((spec, ""));
    Ok(match kind {
        "camera" => {
            let device = match arg.parse::<u32>() {
                Ok(i) => CameraDevice::Index(i),
                Err(_) if arg.is_empty() => CameraDevice::Index(0),
                Err(_) => CameraDevice::Name(arg.to_owned()),
            };
            Box::new(CameraSource::new(CameraSpec {
                device,
                ..CameraSpec::default()
            }))
        }
        "images" => Box::new(ImageSource::from_dir(Path::new(arg))?.paced(fps)),
        "video" => Box::new(VideoSource::open(Path::new(arg), None)?.paced(fps > 0.0)),
        "synthetic" => {
            let texts = if texts.is_empty() {
                vec![sample_hc1_text(seed)]
            } else {
                texts.to_vec()
            };
            Box::new(SyntheticSource::new(SyntheticConfig {
                seed,
                texts,
                fps: (fps > 0.0).then_some(fps),
                frames: Some(frames.unwrap_or(100)),
                ..SyntheticConfig::default()
            })?)
        }
        other => {
            bail!("unknown source {other:?}: use camera:0, images:DIR, video:FILE.y4m or synthetic")
        }
    })
}

/// A source that could not be built on the capture thread.
struct Failed(String);

impl FrameSource for Failed {
    fn next_frame(&mut self) -> passgate_scan::Result<Option<passgate_scan::Frame>> {
        Err(passgate_scan::Error::Config(self.0.clone()))
    }
    fn describe(&self) -> String {
        "failed source".into()
    }
}

/// Runs the pipeline until the source ends or `--frames` frames were read.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let trust = match (&args.root, &args.trust) {
        (Some(root), Some(path)) => {
            let root = input::public_key(root).context("cannot load the root key (--root)")?;
            let list = TrustList::verify(&input::file(path, "trust list")?, &root)
                .with_context(|| format!("cannot use the trust list {}", path.display()))?;
            Some(TrustState::new(list, RevocationSet::new()))
        }
        _ => None,
    };
    // Build the source once here so a bad path fails before any thread
    // starts; the capture thread builds its own (a camera stays on its thread).
    drop(build_source(
        &args.source,
        &args.texts,
        args.seed,
        args.fps,
        args.frames,
    )?);
    let (spec, texts, seed, fps, frames) = (
        args.source.clone(),
        args.texts.clone(),
        args.seed,
        args.fps,
        args.frames,
    );
    let delivery = if spec.starts_with("camera") {
        Delivery::LatestWins
    } else {
        Delivery::Every
    };
    let pipeline = Pipeline::spawn(
        move || match build_source(&spec, &texts, seed, fps, frames) {
            Ok(source) => source,
            Err(e) => Box::new(Failed(e.to_string())),
        },
        Reader::new(ReaderConfig::default()),
        delivery,
        Duration::from_millis(500),
    );
    let policy = VenuePolicy::default();
    let mut last_seen: HashMap<String, Instant> = HashMap::new();
    let mut read = 0u64;
    for event in pipeline.events() {
        match event {
            PipelineEvent::Read {
                seq,
                decode_ms,
                codes,
                ..
            } => {
                read += 1;
                for code in codes {
                    // The same pass held in view is reported once every 3 s.
                    if last_seen
                        .get(&code.text)
                        .is_some_and(|t| t.elapsed() < Duration::from_secs(3))
                    {
                        continue;
                    }
                    last_seen.insert(code.text.clone(), Instant::now());
                    let verdict = trust
                        .as_ref()
                        .map(|t| decide(&code.text, t, &policy, input::now_or(None), None));
                    let outcome = verdict.as_ref().map_or("READ", |v| v.outcome());
                    let reason = verdict
                        .as_ref()
                        .and_then(|v| v.reason())
                        .map(|r| r.to_string());
                    if args.json {
                        let line = serde_json::json!({"frame": seq, "decode_ms": decode_ms, "verdict": outcome, "reason": reason, "text": code.text});
                        println!("{line}");
                    } else {
                        let short: String = code.text.chars().take(40).collect();
                        println!(
                            "frame {seq}: {} {} ({decode_ms:.1} ms) {short}",
                            outcome.to_uppercase(),
                            reason.unwrap_or_default()
                        );
                    }
                }
                if frames.is_some_and(|n| read >= n) {
                    pipeline.stop();
                }
            }
            PipelineEvent::SourceDown(why) => eprintln!("passgate: source down: {why}"),
            PipelineEvent::SourceUp => eprintln!("passgate: source back"),
            PipelineEvent::Finished {
                stats,
                delivered,
                dropped,
            } => {
                eprintln!(
                    "passgate: {delivered} frames, {dropped} dropped, {} with codes, {} decoder panics, {} over budget",
                    stats.frames_with_codes, stats.panics, stats.over_budget
                );
                break;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
