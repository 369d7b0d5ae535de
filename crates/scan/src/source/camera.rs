//! A webcam through nokhwa (V4L2 on Linux, Media Foundation, AVFoundation).
//!
//! The camera is opened on the first `next_frame`; when it is missing or
//! unplugged the call returns [`Error::NoCamera`] / [`Error::CameraLost`]
//! and the next call tries to open it again, so a caller that keeps asking
//! (the [`crate::Pipeline`] does, with a pause) reconnects when it returns.
//! Frames are converted to luma in one pass: YUYV keeps every other byte,
//! NV12 and GRAY take the luma plane as is, MJPEG is decoded straight to its
//! Y channel (no colour conversion).

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

/// A live camera.
pub struct CameraSource {
    spec: CameraSpec,
    camera: Option<nokhwa::Camera>,
    seq: u64,
    started: Instant,
}

impl std::fmt::Debug for CameraSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CameraSource")
            .field("spec", &self.spec)
            .field("open", &self.camera.is_some())
            .finish()
    }
}

impl CameraSource {
    /// A camera source; nothing is opened until the first frame is asked for.
    pub fn new(spec: CameraSpec) -> Self {
        Self {
            spec,
            camera: None,
            seq: 0,
            started: Instant::now(),
        }
    }

    /// Whether the camera is open and streaming.
    pub fn is_open(&self) -> bool {
        self.camera.is_some()
    }

    fn open(&mut self) -> Result<()> {
        let index = match &self.spec.device {
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
            Resolution::new(self.spec.width, self.spec.height),
            FrameFormat::MJPEG,
            self.spec.fps,
        );
        let request = RequestedFormat::new::<LumaFormat>(RequestedFormatType::Closest(mode));
        let mut camera =
            nokhwa::Camera::new(index.clone(), request).map_err(|e| Error::NoCamera {
                detail: format!("camera {index}: {e}"),
            })?;
        camera.open_stream().map_err(|e| Error::NoCamera {
            detail: format!("camera {index}: {e}"),
        })?;
        self.camera = Some(camera);
        Ok(())
    }
}

impl FrameSource for CameraSource {
    fn next_frame(&mut self) -> Result<Option<Frame>> {
        if self.camera.is_none() {
            self.open()?;
        }
        let Some(camera) = self.camera.as_mut() else {
            return Err(Error::NoCamera {
                detail: "not open".into(),
            });
        };
        let buffer = match camera.frame() {
            Ok(b) => b,
            Err(e) => {
                self.camera = None;
                return Err(Error::CameraLost {
                    detail: e.to_string(),
                });
            }
        };
        let res = buffer.resolution();
        let luma = camera_luma(
            buffer.source_frame_format(),
            res.width(),
            res.height(),
            buffer.buffer(),
        )?;
        let frame = Frame {
            width: res.width(),
            height: res.height(),
            luma,
            timestamp: self.started.elapsed(),
            seq: self.seq,
        };
        self.seq += 1;
        Ok(Some(frame))
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
