//! Choosing and starting the frame source, with a tap on the capture
//! thread that notes capture times (for frame-to-verdict latency), encodes
//! the small preview straight from the frame (no copy of the full frame)
//! and holds back unchanged frames (see [`crate::scene`]); sending the
//! preview to the screen happens on its own thread.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use passgate_scan::source::{
    CameraDevice, CameraSource, CameraSpec, ImageSource, SyntheticConfig, SyntheticSource,
    VideoSource,
};
use passgate_scan::{Delivery, Frame, FrameSource};

use crate::config::KioskConfig;
use crate::demo::DemoPasses;
use crate::preview::{Slot, Throttle, encode};
use crate::scene::{SceneGate, Signature};

/// What the source string resolved to.
pub struct Chosen {
    /// The source (`None`: nothing to read, e.g. no camera and no demo).
    pub source: Option<Box<dyn FrameSource>>,
    /// Its name for the status bar.
    pub name: String,
    /// Set when no camera was found and a fallback (or nothing) is used.
    pub missing: Option<String>,
    /// How frames reach the reader: a live source (camera, synthetic feed)
    /// drops frames the reader had no time for; a replay (images, video)
    /// has every frame read, in order, so a pass shown between blank frames
    /// always gets its own verdict however slow the reader is.
    pub delivery: Delivery,
}

/// Resolves `camera.source` (or the `--source` override) to a frame source.
pub fn choose(spec: &str, config: &KioskConfig, demo: Option<&DemoPasses>) -> Chosen {
    let fps = f64::from(config.camera.fps);
    let synthetic = |missing: Option<String>| -> Chosen {
        let Some(d) = demo else {
            return Chosen {
                source: None,
                name: "synthetic".into(),
                missing: Some(missing.unwrap_or_else(|| {
                    "the synthetic feed needs demo passes: set [trust] demo = true".into()
                })),
                delivery: Delivery::LatestWins,
            };
        };
        let texts = d.named().iter().map(|(_, t)| t.to_string()).collect();
        // Six seconds a scene, every other scene empty: twelve seconds to key
        // a temperature before the next demo pass replaces the amber hold.
        let hold = (config.camera.fps * 6).max(1);
        match SyntheticSource::new(SyntheticConfig {
            seed: 7,
            texts,
            width: config.camera.width,
            height: config.camera.height,
            fps: Some(fps),
            hold,
            empty_every: 2,
            frames: None,
        }) {
            Ok(s) => Chosen {
                source: Some(Box::new(s)),
                name: "synthetic".into(),
                missing,
                delivery: Delivery::LatestWins,
            },
            Err(e) => Chosen {
                source: None,
                name: "synthetic".into(),
                missing: Some(format!("cannot start the synthetic feed: {e}")),
                delivery: Delivery::LatestWins,
            },
        }
    };
    let camera = |device: CameraDevice, name: String| Chosen {
        source: Some(Box::new(CameraSource::new(CameraSpec {
            device,
            width: config.camera.width,
            height: config.camera.height,
            fps: config.camera.fps,
        }))),
        name,
        missing: None,
        delivery: Delivery::LatestWins,
    };
    let failed = |name: String, e: String| Chosen {
        source: None,
        name,
        missing: Some(e),
        delivery: Delivery::Every,
    };
    match spec.split_once(':') {
        None if spec == "synthetic" => synthetic(None),
        None => {
            if passgate_scan::source::camera::list_cameras().is_empty() {
                synthetic(Some(
                    "no camera found: showing the synthetic demo feed".into(),
                ))
            } else {
                camera(CameraDevice::Index(0), "camera:0".into())
            }
        }
        Some(("camera", dev)) => {
            let device = dev
                .parse()
                .map(CameraDevice::Index)
                .unwrap_or_else(|_| CameraDevice::Name(dev.to_string()));
            camera(device, spec.to_string())
        }
        Some(("images", dir)) => match ImageSource::from_dir(&config.resolve(dir)) {
            Ok(s) => Chosen {
                source: Some(Box::new(s.looping(true).paced(fps))),
                name: spec.to_string(),
                missing: None,
                delivery: Delivery::Every,
            },
            Err(e) => failed(spec.to_string(), e.to_string()),
        },
        Some(("video", file)) => {
            match VideoSource::open(&config.resolve(PathBuf::from(file)), Some(fps)) {
                Ok(s) => Chosen {
                    source: Some(Box::new(s.looping(true).paced(true))),
                    name: spec.to_string(),
                    missing: None,
                    delivery: Delivery::Every,
                },
                Err(e) => failed(spec.to_string(), e.to_string()),
            }
        }
        Some(_) => synthetic(None),
    }
}

/// Capture times of recent frames, by sequence number.
#[derive(Debug, Default)]
pub struct CaptureTimes(Mutex<VecDeque<(u64, Instant)>>);

impl CaptureTimes {
    const KEEP: usize = 256;

    fn note(&self, seq: u64, at: Instant) {
        if let Ok(mut q) = self.0.lock() {
            if q.len() == Self::KEEP {
                q.pop_front();
            }
            q.push_back((seq, at));
        }
    }

    /// When frame `seq` was captured, if it is recent.
    pub fn get(&self, seq: u64) -> Option<Instant> {
        let q = self.0.lock().ok()?;
        q.iter().rev().find(|(s, _)| *s == seq).map(|(_, t)| *t)
    }
}

/// A source that notes capture times, sends preview frames and holds back
/// frames the reader has in effect already read (see [`crate::scene`]).
pub struct Tapped {
    /// The wrapped source.
    pub inner: Box<dyn FrameSource>,
    /// Where encoded preview frames go.
    pub preview: Slot<Vec<u8>>,
    /// Capture times.
    pub times: Arc<CaptureTimes>,
    /// The preview's frame rate.
    pub throttle: Throttle,
    /// Which frames the reader reads.
    pub gate: Arc<Mutex<SceneGate>>,
}

impl Tapped {
    /// Skipped frames in a row before one is returned anyway, so the
    /// pipeline's capture loop still looks at its stop flag.
    const MAX_SKIPPED: u32 = 120;
}

impl FrameSource for Tapped {
    fn next_frame(&mut self) -> passgate_scan::Result<Option<Frame>> {
        let mut skipped = 0;
        loop {
            let Some(f) = self.inner.next_frame()? else {
                return Ok(None);
            };
            let now = Instant::now();
            let sig = Signature::of(f.width as usize, f.height as usize, &f.luma);
            let (read, unchanged) = match self.gate.lock() {
                Ok(mut g) => {
                    let unchanged = g.unchanged(&sig);
                    (
                        g.admit(f.seq, sig, now) || skipped >= Self::MAX_SKIPPED,
                        unchanged,
                    )
                }
                Err(_) => (true, false),
            };
            if self.throttle.ready(now, unchanged) {
                self.preview.put(encode(f.width, f.height, &f.luma, f.seq));
            }
            if read {
                self.times.note(f.seq, now);
                return Ok(Some(f));
            }
            skipped += 1;
        }
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(dir: &std::path::Path) -> KioskConfig {
        let text = "[venue]\nid = \"v\"\ndevice = \"d\"\ntime_zone = \"UTC\"\n\
                    [trust]\nroot_public_key = \"root.pub\"\n\
                    [camera]\nwidth = 320\nheight = 240\nfps = 5\n";
        KioskConfig::parse(text, &dir.join("kiosk.toml"), dir.to_path_buf()).expect("config")
    }

    #[test]
    fn a_replay_has_every_frame_read_and_a_live_source_drops_stale_ones() {
        let dir = tempfile::tempdir().expect("temp dir");
        let frames = dir.path().join("frames");
        std::fs::create_dir_all(&frames).expect("frames dir");
        crate::demo::blank_luma(64, 48)
            .save(frames.join("0.png"))
            .expect("frame");
        let c = config(dir.path());
        let replay = choose("images:frames", &c, None);
        assert!(replay.source.is_some() && replay.missing.is_none());
        assert_eq!(replay.delivery, Delivery::Every);
        let camera = choose("camera:7", &c, None);
        assert_eq!(camera.delivery, Delivery::LatestWins);
        let missing = choose("images:nowhere", &c, None);
        assert!(missing.source.is_none());
        assert!(
            missing.missing.is_some_and(|m| m.contains("nowhere")),
            "names the folder"
        );
    }
}
