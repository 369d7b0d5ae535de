//! QR images: rendering a pass as PNG and reading QR text back from an image.

use std::path::Path;

use anyhow::{Context, anyhow};
use image::{GrayImage, Luma};
use qrcode::{Color, EcLevel, QrCode};

/// Pixels per QR module in written PNGs.
const MODULE_PX: u32 = 8;
/// Light border around the code, in modules (the QR standard asks for 4).
const QUIET_ZONE: u32 = 4;

/// Renders `text` as a QR code (error correction level Q) into a PNG file.
pub fn write_png(text: &str, path: &Path) -> anyhow::Result<()> {
    let code = QrCode::with_error_correction_level(text, EcLevel::Q)
        .map_err(|e| anyhow!("cannot encode the pass as a QR code: {e}"))?;
    let modules = u32::try_from(code.width()).context("QR code too wide")?;
    let colors = code.to_colors();
    let side = (modules + 2 * QUIET_ZONE) * MODULE_PX;
    let img = GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = (x / MODULE_PX, y / MODULE_PX);
        let inside = (QUIET_ZONE..QUIET_ZONE + modules).contains(&mx)
            && (QUIET_ZONE..QUIET_ZONE + modules).contains(&my);
        let dark = inside
            && colors.get(((my - QUIET_ZONE) * modules + (mx - QUIET_ZONE)) as usize)
                == Some(&Color::Dark);
        Luma([if dark { 0 } else { 255 }])
    });
    img.save(path)
        .with_context(|| format!("cannot write PNG {}", path.display()))
}

/// Reads the text of the first QR code found in an image file (PNG or JPEG)
/// with the kiosk's reader (`passgate-scan`; decoder panics are contained there).
pub fn read_qr_text(path: &Path) -> anyhow::Result<String> {
    let (w, h, luma) = passgate_scan::source::images::load_luma(path)
        .with_context(|| format!("cannot read image {}", path.display()))?;
    let mut reader = passgate_scan::Reader::new(passgate_scan::ReaderConfig {
        budget: std::time::Duration::from_secs(10),
        track: false,
        ..passgate_scan::ReaderConfig::default()
    });
    let codes = reader.read_luma(w as usize, h as usize, &luma);
    if reader.stats().panics > 0 {
        return Err(anyhow!("the QR decoder failed on {}", path.display()));
    }
    codes
        .into_iter()
        .next()
        .map(|c| c.text)
        .ok_or_else(|| anyhow!("no readable QR code found in {}", path.display()))
}
