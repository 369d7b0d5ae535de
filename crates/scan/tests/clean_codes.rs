//! Regression: perfectly crisp, flat synthetic codes (what `passgate issue
//! --png` writes: 0/255 pixels, whole-pixel modules, module edges on the
//! binariser's 8-pixel block grid) must be read at every module size,
//! quiet zone, placement and polarity.
//!
//! Commit 1a64a96 broke `passgate decode` on the 552x552 PNG of an issued
//! pass: with 8 px modules aligned to the 8 px blocks no block had any
//! contrast inside it, so the whole image binarised to white.

use std::time::Duration;

use chrono::{TimeZone, Utc};
use passgate_pass::{Claims, CodeColour, HealthClaim, IssuerId, PassId};
use passgate_scan::{Reader, ReaderConfig};
use qrcode::{Color, EcLevel, QrCode};

/// Real passes signed by a fixed test key; the names make their lengths
/// (and so their QR versions) differ.
fn passes() -> Vec<String> {
    let key = passgate_pass::keys::signing_key_from_seed([9; 32]);
    let iat = Utc
        .with_ymd_and_hms(2026, 11, 29, 8, 0, 0)
        .single()
        .expect("valid date");
    ["刘*爽", "Å*e"]
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let claims = Claims {
                iss: IssuerId::new("ISS1").expect("valid issuer id"),
                iat,
                exp: iat + chrono::TimeDelta::days(1),
                nbf: None,
                pass_id: PassId::from_bytes([i as u8 + 1; 16]),
                health: HealthClaim {
                    status: CodeColour::Green,
                    subject: format!("abc{i}"),
                    masked_name: (*name).into(),
                },
            };
            passgate_pass::issue(&key, &claims).expect("issued")
        })
        .collect()
}

/// How a code is laid out in its image.
#[derive(Debug, Clone, Copy)]
struct Layout {
    /// Pixels per module.
    module: usize,
    /// Light border around the code, in modules.
    quiet: usize,
    /// Extra background around the code (0: the image is the code and its
    /// quiet zone); the code then sits `offset` pixels from the top left.
    canvas: Option<(usize, usize, usize)>,
    /// Light-on-dark.
    inverted: bool,
}

/// Renders `text` like `passgate issue --png` does (level Q, 0 and 255).
fn render(text: &str, l: Layout) -> (usize, usize, Vec<u8>) {
    let code = QrCode::with_error_correction_level(text, EcLevel::Q).expect("encodable");
    let n = code.width();
    let colors = code.to_colors();
    let side = (n + 2 * l.quiet) * l.module;
    let (w, h, off) = l.canvas.unwrap_or((side, side, 0));
    let (dark, light) = if l.inverted { (255, 0) } else { (0, 255) };
    let luma = (0..w * h)
        .map(|i| {
            let (x, y) = (i % w, i / w);
            let (Some(cx), Some(cy)) = (x.checked_sub(off), y.checked_sub(off)) else {
                return light;
            };
            let (mx, my) = (cx / l.module, cy / l.module);
            let module = mx
                .checked_sub(l.quiet)
                .zip(my.checked_sub(l.quiet))
                .filter(|&(i, j)| i < n && j < n);
            match module {
                Some((i, j)) if colors[j * n + i] == Color::Dark => dark,
                _ => light,
            }
        })
        .collect();
    (w, h, luma)
}

fn read(w: usize, h: usize, luma: &[u8]) -> Vec<String> {
    let mut reader = Reader::new(ReaderConfig {
        // No timing in tests: a budget no debug build reaches.
        budget: Duration::from_secs(60),
        track: false,
        ..ReaderConfig::default()
    });
    let texts = reader
        .read_luma(w, h, luma)
        .into_iter()
        .map(|c| c.text)
        .collect();
    assert_eq!(reader.stats().panics, 0);
    texts
}

#[test]
fn the_png_written_by_passgate_issue_is_read() {
    // 8 px modules, a 4-module quiet zone: 552x552 for this pass's version.
    let text = &passes()[0];
    let layout = Layout {
        module: 8,
        quiet: 4,
        canvas: None,
        inverted: false,
    };
    let (w, h, luma) = render(text, layout);
    assert_eq!((w, h), (552, 552), "the pass's QR version changed");
    assert_eq!(read(w, h, &luma), vec![text.clone()]);
}

#[test]
fn crisp_codes_are_read_at_every_module_size_quiet_zone_and_polarity() {
    let mut missed = Vec::new();
    let mut tried = 0;
    for text in passes() {
        // 16 px modules are 8 px at the reader's half scale.
        for module in (1..=12).chain([16]) {
            for quiet in [0, 1, 4] {
                for inverted in [false, true] {
                    let side = (QrCode::with_error_correction_level(&text, EcLevel::Q)
                        .expect("encodable")
                        .width()
                        + 2 * quiet)
                        * module;
                    // Alone, and off the block grid in a larger frame.
                    let canvases = [None, Some((side + 77, side + 51, 37))];
                    for canvas in canvases {
                        let layout = Layout {
                            module,
                            quiet,
                            canvas,
                            inverted,
                        };
                        let (w, h, luma) = render(&text, layout);
                        tried += 1;
                        if read(w, h, &luma) != vec![text.clone()] {
                            missed.push(format!("{layout:?} {w}x{h}"));
                        }
                    }
                }
            }
        }
    }
    assert!(
        missed.is_empty(),
        "{} of {tried} crisp codes not read:\n{}",
        missed.len(),
        missed.join("\n")
    );
}

/// `luma` (w x h) without `left`, `top`, `right` and `bottom` pixels at its borders.
fn crop(
    (w, h, luma): (usize, usize, Vec<u8>),
    [left, top, right, bottom]: [usize; 4],
) -> (usize, usize, Vec<u8>) {
    let (cw, ch) = (w - left - right, h - top - bottom);
    let out = (0..cw * ch)
        .map(|i| luma[(top + i / cw) * w + left + i % cw])
        .collect();
    (cw, ch, out)
}

#[test]
fn a_code_held_partly_out_of_view_is_read_while_its_finder_centres_show() {
    // A phone held too close: the frame's border cuts through finder
    // patterns' outer ring or light gap; the modules beyond it are lost and
    // left to error correction.
    let text = &passes()[0];
    let mut missed = Vec::new();
    for module in [5usize, 8] {
        for inverted in [false, true] {
            let layout = Layout {
                module,
                quiet: 4,
                canvas: None,
                inverted,
            };
            // 4 modules of quiet zone plus 0.5 (half the ring) or 1.5 (the
            // ring and half the gap) of the code outside.
            for cut in [4 * module + module / 2, 5 * module + module / 2] {
                for side in 0..4 {
                    let mut cuts = [0; 4];
                    cuts[side] = cut;
                    let (w, h, luma) = crop(render(text, layout), cuts);
                    if read(w, h, &luma) != vec![text.clone()] {
                        missed.push(format!("module {module} inverted {inverted} cut {cuts:?}"));
                    }
                }
            }
        }
    }
    assert!(missed.is_empty(), "not read:\n{}", missed.join("\n"));
}

#[test]
fn a_blurred_code_whose_finder_rings_merged_is_read() {
    // Out of focus: a Gaussian blur of over half a module merges each
    // finder's light gap with its centre and ring at the reader's working
    // threshold (this build reads up to about 0.45 modules without
    // steepening the edges first, 0.55 with).
    let text = &passes()[1];
    for (module, sigma) in [(4, 2.1), (5, 2.7)] {
        let layout = Layout {
            module,
            quiet: 4,
            canvas: Some((480, 420, 53)),
            inverted: false,
        };
        let (w, h, luma) = render(text, layout);
        let img = image::GrayImage::from_raw(w as u32, h as u32, luma).expect("size");
        let blurred = image::imageops::blur(&img, sigma);
        assert_eq!(
            read(w, h, blurred.as_raw()),
            vec![text.clone()],
            "module {module} px, blur sigma {sigma} px"
        );
    }
}

#[test]
fn a_code_with_one_finder_beyond_the_border_is_read() {
    // Held further out of view: the top-right (or bottom-left) finder's
    // centre is outside the frame. The other two finders and the code's
    // square shape place it; the lost columns (rows) are left to error
    // correction.
    let text = &passes()[0];
    let mut missed = Vec::new();
    for inverted in [false, true] {
        let module = 6;
        let layout = Layout {
            module,
            quiet: 4,
            canvas: None,
            inverted,
        };
        // The quiet zone and 4.5 modules of the code: past the finder's centre.
        let cut = 8 * module + module / 2;
        for cuts in [[0, 0, cut, 0], [0, 0, 0, cut]] {
            let (w, h, luma) = crop(render(text, layout), cuts);
            if read(w, h, &luma) != vec![text.clone()] {
                missed.push(format!("inverted {inverted} cut {cuts:?}"));
            }
        }
    }
    assert!(missed.is_empty(), "not read:\n{}", missed.join("\n"));
}

#[test]
fn a_code_beside_a_grid_of_finder_look_alikes_is_read() {
    // A keyboard or an app's icons beside the pass: dozens of squares with
    // a ring and a centre, the finder pattern's proportions at the code's
    // module size, in a regular grid that offers many plausible triples.
    // The reader gives up on a pass after a few failed triples; the code's
    // own must still come first.
    let text = &passes()[0];
    for inverted in [false, true] {
        let module = 4;
        let layout = Layout {
            module,
            quiet: 4,
            canvas: Some((1000, 520, 37)),
            inverted,
        };
        let (w, h, mut luma) = render(text, layout);
        let dark = if inverted { 255 } else { 0 };
        // Keys 7 modules wide, 10 modules apart, 8 x 8 of them.
        let key = 7 * module;
        for ky in 0..8 {
            for kx in 0..8 {
                let (x0, y0) = (560 + kx * 10 * module, 60 + ky * 10 * module);
                for y in 0..key {
                    for x in 0..key {
                        let (u, v) = (x / module, y / module);
                        let ring = u == 0 || u == 6 || v == 0 || v == 6;
                        let centre = (2..=4).contains(&u) && (2..=4).contains(&v);
                        if ring || centre {
                            luma[(y0 + y) * w + x0 + x] = dark;
                        }
                    }
                }
            }
        }
        assert_eq!(read(w, h, &luma), vec![text.clone()], "inverted {inverted}");
    }
}

#[test]
fn a_small_code_in_a_big_frame_is_read_at_full_resolution() {
    // A 2560x1440 frame is first read shrunk by half, where 3 px modules
    // become 1.5 px: too small for the finder scan to see anything. The
    // frame must still be read at full size.
    let text = &passes()[1];
    for module in [3, 4] {
        let layout = Layout {
            module,
            quiet: 4,
            canvas: Some((2560, 1440, 611)),
            inverted: false,
        };
        let (w, h, luma) = render(text, layout);
        assert_eq!(read(w, h, &luma), vec![text.clone()], "module {module} px");
    }
}

#[test]
fn a_small_code_in_a_phone_photo_is_read_when_the_budget_allows() {
    // A 5120x2880 photo is read shrunk 4x, then 2x: 3 px modules are 0.75
    // and 1.5 px there. Full resolution is the last pass, run when the
    // budget covers it (the test's budget always does).
    let text = &passes()[0];
    let layout = Layout {
        module: 3,
        quiet: 4,
        canvas: Some((5120, 2880, 2011)),
        inverted: false,
    };
    let (w, h, luma) = render(text, layout);
    assert_eq!(read(w, h, &luma), vec![text.clone()]);
}
