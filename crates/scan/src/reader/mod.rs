//! The QR reader: luma frame -> decoded codes with corners.
//!
//! Per frame, inside a time budget: (1) if a code was read recently, look
//! in its region first; (2) at the working scale (the image shrunk so its
//! long side is at most `max_side`), binarise with a block-adaptive
//! threshold, find finder patterns of both polarities, and read each
//! plausible triple (see `grid`); (3) if nothing was read, repeat at half
//! that scale (large modules, blur, moiré) and, for big images, at twice it
//! (small codes). A frame whose scan finds fewer than three finder
//! candidates costs only the binarisation and one row scan. Panics inside
//! the decoder are caught and counted.

mod binarize;
mod finder;
mod fit;
pub(crate) mod geometry;
mod grid;
mod text;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use binarize::Gray;
pub use text::{escape_bytes, interpret};

use crate::Frame;

/// Settings of a [`Reader`].
#[derive(Debug, Clone)]
pub struct ReaderConfig {
    /// Time budget per frame; later stages are skipped once it is spent.
    pub budget: Duration,
    /// Long side of the working image for the first pass, in pixels.
    pub max_side: usize,
    /// Look in the last code's region first.
    pub track: bool,
}

impl Default for ReaderConfig {
    fn default() -> Self {
        Self {
            budget: Duration::from_millis(50),
            max_side: 1280,
            track: true,
        }
    }
}

/// A code read from a frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// The payload as text (UTF-8, Shift_JIS or ISO-8859-1, see [`Decoded::is_utf8`]).
    pub text: String,
    /// The payload bytes exactly as encoded.
    pub bytes: Vec<u8>,
    /// Whether `bytes` were valid UTF-8 (so `text` is exactly them).
    pub is_utf8: bool,
    /// Outer corners in frame pixels: top-left, top-right, bottom-right, bottom-left.
    pub corners: [[f32; 2]; 4],
}

/// Counters kept by a [`Reader`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReaderStats {
    /// Frames read.
    pub frames: u64,
    /// Frames with at least one code.
    pub frames_with_codes: u64,
    /// Panics caught inside the decoder (the frame then yields nothing).
    pub panics: u64,
    /// Frames whose budget ran out before every stage had run.
    pub over_budget: u64,
}

#[derive(Debug, Clone, Copy)]
struct Track {
    corners: [[f32; 2]; 4],
    seq: u64,
}

/// Reads QR codes from luma frames; keeps the last code's region and counters.
#[derive(Debug, Default)]
pub struct Reader {
    config: ReaderConfig,
    stats: ReaderStats,
    track: Option<Track>,
    seq: u64,
}

/// Time left for one frame.
struct Deadline(Instant);

impl Deadline {
    fn passed(&self) -> bool {
        Instant::now() >= self.0
    }
}

impl Reader {
    /// A reader with the given settings.
    pub fn new(config: ReaderConfig) -> Self {
        Self {
            config,
            ..Self::default()
        }
    }

    /// The counters so far.
    pub fn stats(&self) -> ReaderStats {
        self.stats
    }

    /// Reads the codes in a frame.
    pub fn read(&mut self, frame: &Frame) -> Vec<Decoded> {
        self.seq = frame.seq;
        self.read_luma(frame.width as usize, frame.height as usize, &frame.luma)
    }

    /// Reads the codes in a row-major luma image of `width * height` bytes.
    pub fn read_luma(&mut self, width: usize, height: usize, luma: &[u8]) -> Vec<Decoded> {
        self.stats.frames += 1;
        if width < 21 || height < 21 || luma.len() < width * height {
            return Vec::new();
        }
        // New work starts only while a fifth of the budget (at most 10 ms,
        // the cost of one large rqrr decode) is left, so a frame ends in time.
        let reserve = (self.config.budget / 5).min(Duration::from_millis(10));
        let deadline = Deadline(Instant::now() + self.config.budget - reserve);
        let track = self
            .track
            .filter(|t| self.config.track && self.seq.saturating_sub(t.seq) <= 5);
        let config = self.config.clone();
        let result = catch_unwind(AssertUnwindSafe(|| {
            read_all(&config, width, height, luma, track, &deadline)
        }));
        match result {
            Ok((codes, complete, panicked)) => {
                if !complete {
                    self.stats.over_budget += 1;
                }
                if panicked {
                    self.stats.panics += 1;
                }
                if let Some(first) = codes.first() {
                    self.stats.frames_with_codes += 1;
                    self.track = Some(Track {
                        corners: first.corners,
                        seq: self.seq,
                    });
                }
                self.seq += 1;
                codes
            }
            Err(_) => {
                self.stats.panics += 1;
                self.seq += 1;
                Vec::new()
            }
        }
    }
}

/// One pass: binarise `img`, find finders, read triples. Hits are in `img`
/// pixels. Returns whether the pass ran to the end, and how many finder
/// candidates it saw.
fn scan(img: &Gray, deadline: &Deadline, out: &mut Vec<grid::Hit>) -> (bool, usize) {
    let t0 = Instant::now();
    let bits = binarize::adaptive(img);
    let t1 = Instant::now();
    let finders = finder::find_finders(&bits, 2, 400);
    let trace = std::env::var_os("QRTRACE").is_some();
    if trace {
        eprintln!("binarize {:?} finders {:?}", t1 - t0, t1.elapsed());
        eprintln!(
            "scan {}x{}: {} finders: {:?}",
            img.width,
            img.height,
            finders.len(),
            finders
                .iter()
                .take(8)
                .map(|f| (f.x as i32, f.y as i32, f.module, f.count, f.dark))
                .collect::<Vec<_>>()
        );
    }
    if finders.len() < 3 {
        return (true, finders.len());
    }
    let top: Vec<_> = finders.iter().take(16).copied().collect();
    let mut triples = Vec::new();
    for a in 0..top.len() {
        for b in a + 1..top.len() {
            for c in b + 1..top.len() {
                if top[a].dark != top[b].dark || top[a].dark != top[c].dark {
                    continue;
                }
                if let Some((tl, tr, bl, score)) = grid::order([top[a], top[b], top[c]]) {
                    // Finders confirmed on more rows are likelier real.
                    let support = [top[a], top[b], top[c]]
                        .iter()
                        .map(|f| f.count.min(4))
                        .sum::<u32>() as f32;
                    triples.push((score - 0.1 * support, [a, b, c], tl, tr, bl));
                }
            }
        }
    }
    triples.sort_by(|x, y| x.0.total_cmp(&y.0));
    let mut used = vec![false; top.len()];
    for (_, idx, tl, tr, bl) in triples.into_iter().take(40) {
        if idx.iter().any(|&i| used[i]) {
            continue;
        }
        if deadline.passed() {
            return (false, finders.len());
        }
        let tt = Instant::now();
        let r = grid::read(img, &bits, &tl, &tr, &bl, &|| deadline.passed());
        if trace {
            eprintln!(
                "  triple {:?} {:?} -> {}",
                tt.elapsed(),
                [
                    (tl.x as i32, tl.y as i32),
                    (tr.x as i32, tr.y as i32),
                    (bl.x as i32, bl.y as i32)
                ],
                r.is_some()
            );
        }
        if let Some(hit) = r {
            for i in idx {
                used[i] = true;
            }
            out.push(hit);
        }
    }
    (true, finders.len())
}

fn read_all(
    config: &ReaderConfig,
    width: usize,
    height: usize,
    luma: &[u8],
    track: Option<Track>,
    deadline: &Deadline,
) -> (Vec<Decoded>, bool, bool) {
    let full = Gray {
        width,
        height,
        data: luma[..width * height].to_vec(),
    };
    let mut hits: Vec<(grid::Hit, f64, [f64; 2])> = Vec::new();
    let mut complete = true;
    let k0 = width.max(height).div_ceil(config.max_side.max(64));
    // Region of the last code first.
    if let Some(t) = track {
        let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, 0f32, 0f32);
        for [x, y] in t.corners {
            x0 = x0.min(x);
            y0 = y0.min(y);
            x1 = x1.max(x);
            y1 = y1.max(y);
        }
        let (mx, my) = ((x1 - x0) * 0.5, (y1 - y0) * 0.5);
        let (cx0, cy0) = ((x0 - mx).max(0.0) as usize, (y0 - my).max(0.0) as usize);
        let roi = binarize::crop(&full, cx0, cy0, (x1 + mx) as usize, (y1 + my) as usize);
        let k = roi
            .width
            .max(roi.height)
            .div_ceil(config.max_side.max(64))
            .max(1);
        if roi.width >= 21 && roi.height >= 21 {
            let img = binarize::downscale(&roi, k);
            let mut found = Vec::new();
            complete &= scan(&img, deadline, &mut found).0;
            hits.extend(
                found
                    .into_iter()
                    .map(|h| (h, k as f64, [cx0 as f64, cy0 as f64])),
            );
        }
    }
    if hits.is_empty() {
        let mut scales = vec![k0, k0 * 2];
        if k0 >= 2 {
            scales.push(k0 / 2);
        }
        let mut seen = 0;
        for (i, k) in scales.into_iter().enumerate() {
            if !hits.is_empty() || !complete {
                break;
            }
            // A frame whose first pass saw almost no finder candidates has no
            // code in view: stop there (the empty-frame fast path).
            if i > 0 && seen < 2 {
                break;
            }
            if deadline.passed() {
                complete = false;
                break;
            }
            if width / k < 21 || height / k < 21 {
                continue;
            }
            let img = binarize::downscale(&full, k);
            let mut found = Vec::new();
            let (done, candidates) = scan(&img, deadline, &mut found);
            complete &= done;
            seen = seen.max(candidates);
            hits.extend(found.into_iter().map(|h| (h, k as f64, [0.0, 0.0])));
        }
    }
    // Last resort for small images: rqrr's own detector (flood-fill
    // capstones, its own threshold) finds some codes ours misses. It can
    // panic and cannot be interrupted, so it only runs on small images with
    // time left, inside its own catch_unwind.
    let mut panicked = false;
    if hits.is_empty()
        && complete
        && !deadline.passed()
        && width * height <= PLAIN_FALLBACK_MAX_PIXELS
    {
        let (codes, p) = read_plain_rqrr(width, height, luma);
        panicked = p;
        for (bytes, bounds) in codes {
            hits.push((
                grid::Hit {
                    bytes,
                    quad: bounds,
                },
                1.0,
                [0.0, 0.0],
            ));
        }
    }
    let mut out: Vec<Decoded> = Vec::new();
    for (hit, k, [ox, oy]) in hits {
        let corners = hit
            .quad
            .map(|[x, y]| [(x * k + ox) as f32, (y * k + oy) as f32]);
        if out.iter().any(|d| d.bytes == hit.bytes) {
            continue;
        }
        let (text, is_utf8) = text::interpret(&hit.bytes);
        out.push(Decoded {
            text,
            bytes: hit.bytes,
            is_utf8,
            corners,
        });
    }
    (out, complete, panicked)
}

/// Images up to this size (320x320) get rqrr's own detector as a last resort.
const PLAIN_FALLBACK_MAX_PIXELS: usize = 320 * 320;

/// A payload read by plain rqrr and its corners.
pub type PlainCode = (Vec<u8>, [[f64; 2]; 4]);

/// Plain rqrr, as a baseline: `PreparedImage::prepare` + `detect_grids` +
/// `decode` on the whole image, panics caught. Returns the payloads read
/// with their corners, and whether rqrr panicked.
pub fn read_plain_rqrr(width: usize, height: usize, luma: &[u8]) -> (Vec<PlainCode>, bool) {
    let result = catch_unwind(AssertUnwindSafe(|| {
        let img = image::GrayImage::from_raw(
            width as u32,
            height as u32,
            luma[..width * height].to_vec(),
        );
        let Some(img) = img else { return Vec::new() };
        let mut prepared = rqrr::PreparedImage::prepare(img);
        let grids = prepared.detect_grids();
        grids
            .iter()
            .filter_map(|g| {
                let mut out = Vec::new();
                g.decode_to(&mut out).ok()?;
                Some((out, g.bounds.map(|p| [p.x as f64, p.y as f64])))
            })
            .collect()
    }));
    match result {
        Ok(codes) => (codes, false),
        Err(_) => (Vec::new(), true),
    }
}
