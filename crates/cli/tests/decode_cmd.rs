//! `passgate decode` prints one stable JSON line per image.

use assert_cmd::Command;
use image::{GrayImage, Luma};
use qrcode::{Color, EcLevel, QrCode};

/// Writes `text` as a QR code PNG with `px` pixels per module.
fn qr_png(text: &str, px: u32, path: &std::path::Path) {
    let code = QrCode::with_error_correction_level(text, EcLevel::Q).expect("encodable");
    let n = code.width() as u32;
    let colors = code.to_colors();
    let side = (n + 8) * px;
    GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = ((x / px) as i64 - 4, (y / px) as i64 - 4);
        let inside = (0..n as i64).contains(&mx) && (0..n as i64).contains(&my);
        let dark = inside && colors[(my as u32 * n + mx as u32) as usize] == Color::Dark;
        Luma([if dark { 20 } else { 235 }])
    })
    .save(path)
    .expect("png written");
}

#[test]
fn decode_json_is_one_stable_line_per_image() {
    let dir = tempfile::tempdir().expect("temp dir");
    let code = dir.path().join("code.png");
    let blank = dir.path().join("blank.png");
    qr_png("HC1:NCFOXN%TS3DH", 6, &code);
    GrayImage::from_pixel(200, 120, Luma([180]))
        .save(&blank)
        .expect("png written");
    let out = Command::cargo_bin("passgate")
        .expect("binary built")
        .args(["decode", "--json", "--budget-ms", "60000"])
        .arg(&code)
        .arg(&blank)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    // Field order is part of the format.
    assert!(lines[0].starts_with("{\"file\":"), "{}", lines[0]);
    let first: serde_json::Value = serde_json::from_str(lines[0]).expect("json");
    let keys: Vec<&str> = ["file", "decode_ms", "codes"]
        .into_iter()
        .filter(|k| first.get(k).is_some())
        .collect();
    assert_eq!(keys.len(), 3);
    assert_eq!(first["file"], code.display().to_string());
    assert!(first["decode_ms"].as_f64().is_some_and(|ms| ms >= 0.0));
    let codes = first["codes"].as_array().expect("codes array");
    assert_eq!(codes.len(), 1);
    assert_eq!(codes[0]["text"], "HC1:NCFOXN%TS3DH");
    let corners = codes[0]["corners"].as_array().expect("corners");
    assert_eq!(corners.len(), 4);
    // The top-left corner sits at the end of the 4-module quiet zone (24 px).
    let tl: Vec<f64> = corners[0]
        .as_array()
        .expect("point")
        .iter()
        .filter_map(|v| v.as_f64())
        .collect();
    assert!(
        (tl[0] - 24.0).abs() < 4.0 && (tl[1] - 24.0).abs() < 4.0,
        "{tl:?}"
    );
    let second: serde_json::Value = serde_json::from_str(lines[1]).expect("json");
    assert_eq!(second["codes"], serde_json::json!([]));
}

#[test]
fn decode_of_a_missing_file_fails_with_a_clear_message() {
    let out = Command::cargo_bin("passgate")
        .expect("binary built")
        .args(["decode", "--json", "/nonexistent/x.png"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("/nonexistent/x.png") && err.contains("could not be read"),
        "{err}"
    );
}
