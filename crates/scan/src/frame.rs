//! The frame type every source delivers, and the source trait.

use std::time::Duration;

use crate::Result;

/// One 8-bit greyscale (luma) picture from a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Row-major luma, `width * height` bytes, 0 = black.
    pub luma: Vec<u8>,
    /// Time of capture since the source started (video: the frame's place in the stream).
    pub timestamp: Duration,
    /// Sequence number of the frame within its source, from 0.
    pub seq: u64,
}

impl Frame {
    /// A frame from luma bytes; `None` when the length is not `width * height`.
    pub fn new(
        width: u32,
        height: u32,
        luma: Vec<u8>,
        timestamp: Duration,
        seq: u64,
    ) -> Option<Self> {
        (luma.len() == width as usize * height as usize).then_some(Self {
            width,
            height,
            luma,
            timestamp,
            seq,
        })
    }

    /// Luma of packed YUYV (YUY2) pixels: every other byte, one pass, no other copy.
    pub fn luma_from_yuyv(yuyv: &[u8], width: u32, height: u32) -> Option<Vec<u8>> {
        let n = width as usize * height as usize;
        (yuyv.len() >= n * 2).then(|| yuyv[..n * 2].iter().step_by(2).copied().collect())
    }

    /// Luma (BT.601 integer weights) of packed RGB pixels.
    pub fn luma_from_rgb(rgb: &[u8], width: u32, height: u32) -> Option<Vec<u8>> {
        let n = width as usize * height as usize;
        (rgb.len() >= n * 3).then(|| {
            rgb[..n * 3]
                .chunks_exact(3)
                .map(|p| ((77 * p[0] as u32 + 150 * p[1] as u32 + 29 * p[2] as u32) >> 8) as u8)
                .collect()
        })
    }
}

/// Anything that delivers frames: camera, image files, video replay, synthetic scenes.
pub trait FrameSource: Send {
    /// The next frame. `Ok(None)` means the source is finished (a camera never finishes);
    /// an error is a status (e.g. no camera) and the caller may ask again later.
    fn next_frame(&mut self) -> Result<Option<Frame>>;

    /// A short human-readable name, e.g. `camera:0` or `images:/path`.
    fn describe(&self) -> String;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuyv_keeps_every_other_byte() {
        let yuyv = [10, 1, 20, 2, 30, 3, 40, 4];
        assert_eq!(
            Frame::luma_from_yuyv(&yuyv, 2, 2),
            Some(vec![10, 20, 30, 40])
        );
        assert_eq!(Frame::luma_from_yuyv(&yuyv[..6], 2, 2), None);
    }

    #[test]
    fn rgb_weights_green_most() {
        let luma = Frame::luma_from_rgb(&[255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255], 4, 1)
            .expect("length fits");
        assert!(luma[1] > luma[0] && luma[0] > luma[2]);
        assert_eq!(luma[3], 255);
    }

    #[test]
    fn new_checks_length() {
        assert!(Frame::new(2, 2, vec![0; 3], Duration::ZERO, 0).is_none());
        assert!(Frame::new(2, 2, vec![0; 4], Duration::ZERO, 0).is_some());
    }
}
