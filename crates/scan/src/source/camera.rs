//! A webcam through nokhwa (V4L2 on Linux, Media Foundation, AVFoundation).
//!
//! The camera is opened on the first `next_frame`; when it is missing or
//! unplugged the call returns [`Error::NoCamera`] / [`Error::CameraLost`]
//! and the next call tries to open it again, so a caller that keeps asking
//! (the [`crate::Pipeline`] does, with a pause) reconnects when it returns.
//! Frames are converted to luma in one pass: YUYV keeps every other byte,
//! NV12 and GRAY take the luma plane as is, MJPEG is decoded straight to its
//! Y channel (no colour conversion).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, TrySendError, sync_channel};
use std::time::Instant;

use nokhwa::pixel_format::LumaFormat;
use nokhwa::utils::{
    ApiBackend, CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType,
    Resolution,
};

use crate::{Error, Frame, FrameSource, Result};

/// Which camera to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CameraDevice {
    /// By index (`/dev/videoN` on Linux).
    Index(u32),
    /// The first camera whose name contains this text (case-insensitive).
    Name(String),
}

/// Camera settings (from `kiosk.toml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraSpec {
    /// The device.
    pub device: CameraDevice,
    /// Requested width (the closest mode is taken).
    pub width: u32,
    /// Requested height.
    pub height: u32,
    /// Requested frames per second.
    pub fps: u32,
}

impl Default for CameraSpec {
    fn default() -> Self {
        Self {
            device: CameraDevice::Index(0),
            width: 1280,
            height: 720,
            fps: 30,
        }
    }
}

/// The names of the cameras the system reports (empty when there are none).
pub fn list_cameras() -> Vec<String> {
    nokhwa::query(ApiBackend::Auto)
        .map(|l| l.iter().map(|c| c.human_name()).collect())
        .unwrap_or_default()
}

/// A live camera. The nokhwa handle lives on a thread of its own (it may not
/// move between threads); frames come over a one-slot channel that never
/// makes the camera wait: a frame nobody took yet is replaced.
pub struct CameraSource {
    spec: CameraSpec,
    worker: Option<Receiver<Result<Frame>>>,
    stop: Arc<AtomicBool>,
    seq: u64,
    started: Instant,
}

impl std::fmt::Debug for CameraSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CameraSource")
            .field("spec", &self.spec)
            .field("open", &self.worker.is_some())
            .finish()
    }
}

impl CameraSource {
    /// A camera source; nothing is opened until the first frame is asked for.
    pub fn new(spec: CameraSpec) -> Self {
        Self {
            spec,
            worker: None,
            stop: Arc::new(AtomicBool::new(false)),
            seq: 0,
            started: Instant::now(),
        }
    }

    /// Whether the camera is open and streaming.
    pub fn is_open(&self) -> bool {
        self.worker.is_some()
    }

    /// Starts the camera thread; its first message says whether the camera opened.
    fn start(&mut self) -> Result<()> {
        let (tx, rx) = sync_channel::<Result<Frame>>(1);
        let (spec, stop, started) = (self.spec.clone(), self.stop.clone(), self.started);
        let (ready_tx, ready_rx) = sync_channel::<Result<()>>(1);
        std::thread::Builder::new()
            .name("camera".into())
            .spawn(move || {
                let mut camera = match open(&spec) {
                    Ok(c) => {
                        let _ = ready_tx.send(Ok(()));
                        c
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                while !stop.load(Ordering::Relaxed) {
                    let msg = camera
                        .frame()
                        .map_err(|e| Error::CameraLost {
                            detail: e.to_string(),
                        })
                        .and_then(|b| {
                            let res = b.resolution();
                            let luma = camera_luma(
                                b.source_frame_format(),
                                res.width(),
                                res.height(),
                                b.buffer(),
                            )?;
                            Ok(Frame {
                                width: res.width(),
                                height: res.height(),
                                luma,
                                timestamp: started.elapsed(),
                                seq: 0,
                            })
                        });
                    let lost = msg.is_err();
                    match tx.try_send(msg) {
                        Ok(()) | Err(TrySendError::Full(_)) => {}
                        Err(TrySendError::Disconnected(_)) => return,
                    }
                    if lost {
                        // Make sure the error is seen, then end: the next call reopens.
                        return;
                    }
                }
            })
            .map_err(|e| Error::NoCamera {
                detail: format!("cannot start the camera thread: {e}"),
            })?;
        ready_rx.recv().unwrap_or_else(|_| {
            Err(Error::NoCamera {
                detail: "camera thread ended".into(),
            })
        })?;
        self.worker = Some(rx);
        Ok(())
    }
}

impl Drop for CameraSource {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn open(spec: &CameraSpec) -> Result<nokhwa::Camera> {
    let index = match &spec.device {
        CameraDevice::Index(i) => CameraIndex::Index(*i),
        CameraDevice::Name(name) => {
            let want = name.to_lowercase();
            let cams = nokhwa::query(ApiBackend::Auto).map_err(|e| Error::NoCamera {
                detail: e.to_string(),
            })?;
            cams.iter()
                .find(|c| c.human_name().to_lowercase().contains(&want))
                .map(|c| c.index().clone())
                .ok_or_else(|| Error::NoCamera {
                    detail: format!("no camera named like {name:?} among {} found", cams.len()),
                })?
        }
    };
    let mode = CameraFormat::new(
        Resolution::new(spec.width, spec.height),
        FrameFormat::MJPEG,
        spec.fps,
    );
    let request = RequestedFormat::new::<LumaFormat>(RequestedFormatType::Closest(mode));
    let mut camera = nokhwa::Camera::new(index.clone(), request).map_err(|e| Error::NoCamera {
        detail: format!("camera {index}: {e}"),
    })?;
    camera.open_stream().map_err(|e| Error::NoCamera {
        detail: format!("camera {index}: {e}"),
    })?;
    Ok(camera)
}

impl FrameSource for CameraSource {
    fn next_frame(&mut self) -> Result<Option<Frame>> {
        if self.worker.is_none() {
            self.start()?;
        }
        let Some(rx) = self.worker.as_ref() else {
            return Err(Error::NoCamera {
                detail: "not open".into(),
            });
        };
        match rx.recv() {
            Ok(Ok(mut frame)) => {
                frame.seq = self.seq;
                self.seq += 1;
                Ok(Some(frame))
            }
            Ok(Err(e)) => {
                self.worker = None;
                Err(e)
            }
            Err(_) => {
                self.worker = None;
                Err(Error::CameraLost {
                    detail: "the camera thread ended".into(),
                })
            }
        }
    }

    fn describe(&self) -> String {
        match &self.spec.device {
            CameraDevice::Index(i) => format!("camera:{i}"),
            CameraDevice::Name(n) => format!("camera:{n}"),
        }
    }
}

/// Luma of one camera buffer in the given pixel format.
pub fn camera_luma(format: FrameFormat, width: u32, height: u32, data: &[u8]) -> Result<Vec<u8>> {
    let n = width as usize * height as usize;
    let short = || Error::CameraLost {
        detail: format!(
            "{format} frame of {} bytes is too short for {width}x{height}",
            data.len()
        ),
    };
    match format {
        FrameFormat::YUYV => Frame::luma_from_yuyv(data, width, height).ok_or_else(short),
        FrameFormat::GRAY | FrameFormat::NV12 => {
            data.get(..n).map(<[u8]>::to_vec).ok_or_else(short)
        }
        FrameFormat::RAWRGB => Frame::luma_from_rgb(data, width, height).ok_or_else(short),
        FrameFormat::RAWBGR => {
            let bgr = data.get(..n * 3).ok_or_else(short)?;
            Ok(bgr
                .chunks_exact(3)
                .map(|p| ((29 * p[0] as u32 + 150 * p[1] as u32 + 77 * p[2] as u32) >> 8) as u8)
                .collect())
        }
        FrameFormat::MJPEG => jpeg_luma(data, width, height),
    }
}

/// Decodes a JPEG straight to its luma plane.
fn jpeg_luma(data: &[u8], width: u32, height: u32) -> Result<Vec<u8>> {
    use zune_core::colorspace::ColorSpace;
    use zune_core::options::DecoderOptions;
    let options = DecoderOptions::default().jpeg_set_out_colorspace(ColorSpace::Luma);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(std::io::Cursor::new(data), options);
    let luma = decoder.decode().map_err(|e| Error::CameraLost {
        detail: format!("bad MJPEG frame: {e:?}"),
    })?;
    if luma.len() != width as usize * height as usize {
        return Err(Error::CameraLost {
            detail: format!("MJPEG frame is not {width}x{height}"),
        });
    }
    Ok(luma)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_camera_is_a_clear_error() {
        // These machines have no /dev/video*: opening camera 0 must fail cleanly, twice.
        let mut cam = CameraSource::new(CameraSpec::default());
        for _ in 0..2 {
            match cam.next_frame() {
                Err(Error::NoCamera { detail }) => assert!(!detail.is_empty()),
                other => {
                    // A machine with a real camera: it must then deliver a real frame.
                    let frame = other
                        .expect("a camera that opens delivers frames")
                        .expect("cameras never end");
                    assert_eq!(frame.luma.len(), (frame.width * frame.height) as usize);
                    return;
                }
            }
        }
        assert!(!cam.is_open());
        let named = CameraSource::new(CameraSpec {
            device: CameraDevice::Name("no such camera xyz".into()),
            ..CameraSpec::default()
        })
        .next_frame()
        .expect_err("no camera has that name");
        assert!(named.to_string().starts_with("no camera found"), "{named}");
    }

    #[test]
    fn formats_convert_to_luma() {
        let yuyv = [16, 128, 200, 128, 50, 128, 90, 128];
        assert_eq!(
            camera_luma(FrameFormat::YUYV, 2, 2, &yuyv).expect("fits"),
            vec![16, 200, 50, 90]
        );
        assert_eq!(
            camera_luma(FrameFormat::GRAY, 2, 1, &[1, 2, 3]).expect("fits"),
            vec![1, 2]
        );
        assert!(camera_luma(FrameFormat::YUYV, 4, 4, &yuyv).is_err());
        // A real JPEG made by the image crate decodes to the same size, about the same grey.
        let grey = image::GrayImage::from_pixel(16, 8, image::Luma([100]));
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut jpeg)
            .encode_image(&grey)
            .expect("encodes");
        let luma = camera_luma(FrameFormat::MJPEG, 16, 8, &jpeg).expect("decodes");
        assert_eq!(luma.len(), 128);
        assert!(luma.iter().all(|&v| v.abs_diff(100) <= 3), "{luma:?}");
    }
}
