//! The QR reader: luma frame -> decoded codes with corners.
//!
//! Per frame, inside a time budget: (1) if a code was read recently, look
//! in its region first; (2) at the working scale (the image shrunk so its
//! long side is at most `max_side`), binarise with a block-adaptive
//! threshold, find finder patterns of both polarities (also those cut by
//! the image border), and read the plausible triples of the 64 best
//! confirmed, ranked by shape, support and how much the modules between
//! them look like timing patterns, until one reads or 8 in a row fail
//! (see `grid`); when
//! none reads, up to six triples whose third finder two seen ones place
//! beyond the border (a code held partly out of view); (3) if nothing was
//! read, repeat at half that scale (large modules, blur, moiré) and, for
//! big images, at twice it (small codes); if finder triples were tried but
//! none read, once more at two thirds of the working scale (blurred codes
//! whose finders survive at neither); then, on a frame with finder
//! candidates, on the working image with its edges steepened (unsharp
//! masking: blur that merged the finders' rings), only over the part of
//! the frame that has contrast and with the contrast judged on the image
//! before sharpening (sharpened sensor noise is not); small images are also
//! read enlarged. A frame whose scan finds fewer than two finder candidates
//! costs only the binarisation and one row scan. Every sampled grid is
//! checked and corrected by our own Reed-Solomon pass (`codewords`) before
//! rqrr decodes it, and rqrr's decode starts only when the budget still
//! covers its cost (estimated from the speed measured on earlier decodes).
//! Panics are caught and counted.

mod binarize;
mod codewords;
mod finder;
mod fit;
pub(crate) mod geometry;
mod grid;
mod rs;
mod text;

use std::borrow::Cow;
use std::cell::Cell;
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
    /// The clock `budget` is measured on.
    pub clock: BudgetClock,
}

impl Default for ReaderConfig {
    fn default() -> Self {
        Self {
            budget: Duration::from_millis(50),
            max_side: 1280,
            track: true,
            clock: BudgetClock::Wall,
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
    /// The longest stretch of work in any frame that no budget check
    /// covered (on the budget's clock): the time between two checks minus
    /// the cost the first one granted. A frame can run this far past its
    /// budget before the margin kept back for it.
    pub longest_unchecked: Duration,
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

/// Which clock a frame's budget is measured on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BudgetClock {
    /// Wall time since the frame arrived (what the kiosk feels; on a busy
    /// machine other processes' time counts against the frame).
    #[default]
    Wall,
    /// CPU time of the reading thread (the reader's own work only;
    /// reproducible on a shared machine). Falls back to wall time where the
    /// platform has no thread CPU clock.
    ThreadCpu,
}

/// CPU time of the calling thread, where the platform has that clock.
fn thread_cpu_time() -> Option<Duration> {
    #[cfg(unix)]
    {
        let ts = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
        Some(Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// The time one frame may still take. Every stage that costs more than a
/// fraction of a millisecond asks first ([`Budget::allows`] with its
/// estimated cost) or checks between bounded steps ([`Budget::passed`]).
pub(crate) struct Budget {
    clock: BudgetClock,
    start_wall: Instant,
    start_cpu: Duration,
    budget: Duration,
    /// Time spent at the last check, the cost that check granted, and the
    /// longest stretch between checks beyond what was granted.
    last_check: Cell<Duration>,
    granted: Cell<Duration>,
    longest_gap: Cell<Duration>,
}

impl Budget {
    fn new(budget: Duration, clock: BudgetClock) -> Self {
        let cpu = match clock {
            BudgetClock::ThreadCpu => thread_cpu_time(),
            BudgetClock::Wall => None,
        };
        Self {
            clock: if cpu.is_some() {
                clock
            } else {
                BudgetClock::Wall
            },
            start_wall: Instant::now(),
            start_cpu: cpu.unwrap_or_default(),
            budget,
            last_check: Cell::new(Duration::ZERO),
            granted: Cell::new(Duration::ZERO),
            longest_gap: Cell::new(Duration::ZERO),
        }
    }

    /// Time spent so far; notes the time since the previous check beyond
    /// the cost that check granted.
    fn checked(&self) -> Duration {
        let spent = self.spent();
        let gap = spent
            .saturating_sub(self.last_check.replace(spent))
            .saturating_sub(self.granted.replace(Duration::ZERO));
        if gap > self.longest_gap.get() {
            self.longest_gap.set(gap);
        }
        spent
    }

    fn spent(&self) -> Duration {
        match self.clock {
            BudgetClock::Wall => self.start_wall.elapsed(),
            BudgetClock::ThreadCpu => thread_cpu_time().map_or_else(
                || self.start_wall.elapsed(),
                |t| t.saturating_sub(self.start_cpu),
            ),
        }
    }

    /// Whether the frame's time is up.
    pub(crate) fn passed(&self) -> bool {
        self.checked() >= self.budget
    }

    /// Whether a step estimated to take `cost` still fits.
    pub(crate) fn allows(&self, cost: Duration) -> bool {
        let ok = self.checked() + cost <= self.budget;
        if ok {
            self.granted.set(cost);
        }
        ok
    }
}

impl Reader {
    /// A reader with the given settings.
    pub fn new(config: ReaderConfig) -> Self {
        codewords::warm_up();
        grid::calibrate_rqrr();
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
        // A margin is kept for what follows the last checked step, for
        // estimates that fall short and, on the wall clock, for the thread
        // being descheduled inside a step.
        let margin = match self.config.clock {
            BudgetClock::ThreadCpu => BUDGET_MARGIN,
            BudgetClock::Wall => WALL_BUDGET_MARGIN,
        };
        let deadline = Budget::new(self.config.budget.saturating_sub(margin), self.config.clock);
        let track = self
            .track
            .filter(|t| self.config.track && self.seq.saturating_sub(t.seq) <= 5);
        let config = self.config.clone();
        let result = catch_unwind(AssertUnwindSafe(|| {
            read_all(&config, width, height, luma, track, &deadline)
        }));
        deadline.checked();
        self.stats.longest_unchecked = self.stats.longest_unchecked.max(deadline.longest_gap.get());
        match result {
            Ok((codes, complete)) => {
                if !complete {
                    self.stats.over_budget += 1;
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

/// What one pass saw.
#[derive(Default)]
struct Pass {
    /// Whether it ran to the end.
    complete: bool,
    /// How many finder candidates it saw.
    candidates: usize,
    /// How many triples of seen finders it tried to read.
    tried: usize,
    /// The contrasty blocks of its image, when it found them itself.
    contrast: Option<binarize::Contrast>,
}

/// One pass: binarise `img`, find finders, read triples (and, with
/// `cut_off`, codes with a finder beyond the border when nothing else was
/// read). Hits are in `img` pixels.
fn scan(
    img: &Gray,
    contrast: Option<&binarize::Contrast>,
    deadline: &Budget,
    cut_off: bool,
    out: &mut Vec<grid::Hit>,
) -> Pass {
    let stop = || deadline.passed();
    let binarised = match contrast {
        Some(c) => binarize::adaptive_masked_until(img, c, &stop).map(|b| (b, None)),
        None => binarize::adaptive_until(img, &stop).map(|(b, c)| (b, Some(c))),
    };
    let Some((bits, own_contrast)) = binarised else {
        return Pass::default();
    };
    let finders = finder::find_finders_until(&bits, 2, 400, &stop);
    let mut pass = Pass {
        complete: !deadline.passed(),
        candidates: finders.len(),
        contrast: own_contrast,
        ..Pass::default()
    };
    if !pass.complete || finders.len() < 2 {
        return pass;
    }
    let top: Vec<_> = finders.iter().take(MAX_FINDERS).copied().collect();
    if finders.len() == 2 {
        if cut_off {
            read_cut_off(img, &bits, &top, deadline, &mut pass, out);
        }
        return pass;
    }
    // Plausible triples: shape (a right isosceles triangle, give or take
    // perspective), support (finders confirmed on more rows are likelier
    // real) and timing patterns between the finders.
    let n = top.len();
    let dist: Vec<f32> = (0..n * n)
        .map(|i| grid::dist(&top[i / n], &top[i % n]))
        .collect();
    // Timing agreement per (corner, arm, side), computed when first needed.
    let mut timing = vec![f32::NAN; n * n * 2];
    let mut line = |corner: usize, arm: usize, toward: usize| {
        let (c, a, t) = (&top[corner], &top[arm], &top[toward]);
        let cross = (a.x - c.x) * (t.y - c.y) - (a.y - c.y) * (t.x - c.x);
        let slot = (corner * n + arm) * 2 + (cross >= 0.0) as usize;
        if timing[slot].is_nan() {
            timing[slot] = grid::timing_agreement(&bits, c, a, t);
        }
        timing[slot]
    };
    let mut triples = Vec::new();
    for a in 0..n {
        for b in a + 1..n {
            if top[a].dark != top[b].dark {
                continue;
            }
            for c in b + 1..n {
                if top[a].dark != top[c].dark
                    || !grid::could_be_corners(dist[a * n + b], dist[a * n + c], dist[b * n + c])
                {
                    continue;
                }
                let idx = [a, b, c];
                let Some(([t, r, l], score)) = grid::order_indices(&idx.map(|i| top[i])) else {
                    continue;
                };
                let (t, r, l) = (idx[t], idx[r], idx[l]);
                let support = idx.iter().map(|&i| top[i].count.min(4)).sum::<u32>() as f32;
                let agreement = (line(t, r, l) + line(t, l, r)) / 2.0;
                triples.push((
                    score - 0.1 * support - agreement,
                    idx,
                    top[t],
                    top[r],
                    top[l],
                ));
            }
        }
    }
    // The best 40, in order (look-alikes in a grid make thousands).
    if triples.len() > 40 {
        triples.select_nth_unstable_by(40, |x, y| x.0.total_cmp(&y.0));
        triples.truncate(40);
    }
    triples.sort_by(|x, y| x.0.total_cmp(&y.0));
    let mut used = vec![false; top.len()];
    // Failed triples since the last read: finder look-alikes in a regular
    // pattern (a keyboard, a checkerboard) make dozens of plausible
    // triples, while a code's own triple ranks first (see MAX_FAILED_TRIPLES).
    let mut failed = 0;
    for (_, idx, tl, tr, bl) in triples {
        if failed >= MAX_FAILED_TRIPLES {
            break;
        }
        if idx.iter().any(|&i| used[i]) {
            continue;
        }
        // Finder look-alikes inside a code already read are its data.
        if out
            .iter()
            .any(|hit| [tl, tr, bl].iter().any(|f| inside(&hit.quad, f.x, f.y)))
        {
            continue;
        }
        if deadline.passed() {
            pass.complete = false;
            break;
        }
        pass.tried += 1;
        let r = grid::read(img, &bits, &tl, &tr, &bl, deadline);
        if let Some(hit) = r {
            for i in idx {
                used[i] = true;
            }
            out.push(hit);
            failed = 0;
        } else {
            failed += 1;
        }
    }
    if cut_off && out.is_empty() && pass.complete {
        read_cut_off(img, &bits, &top, deadline, &mut pass, out);
    }
    pass
}

/// Codes with a finder pattern beyond the image border (held partly out of
/// view): two finders seen near the border, the third where the square
/// shape puts it outside. Tries a few such triples (see
/// [`grid::cut_off_triples`]).
fn read_cut_off(
    img: &Gray,
    bits: &binarize::BitImage,
    top: &[finder::Finder],
    deadline: &Budget,
    pass: &mut Pass,
    out: &mut Vec<grid::Hit>,
) {
    for (tl, tr, bl) in grid::cut_off_triples(top, bits.width, bits.height)
        .into_iter()
        .take(6)
    {
        if deadline.passed() {
            pass.complete = false;
            return;
        }
        // Not counted in `pass.tried`: a made-up finder that does not fit
        // says nothing about blur (which is what the later passes are for).
        if let Some(hit) = grid::read(img, bits, &tl, &tr, &bl, deadline) {
            out.push(hit);
            return;
        }
    }
}

/// The frame at a scale: itself, or its `k0` shrink, made once into
/// `cache`.
fn at_scale<'a>(
    full: &'a Gray<'a>,
    k0: usize,
    cache: &'a mut Option<Gray<'static>>,
) -> &'a Gray<'a> {
    if k0 == 1 {
        full
    } else {
        cache.get_or_insert_with(|| binarize::downscale(full, k0))
    }
}

/// Whether (x, y) lies inside the convex quadrilateral `q`.
fn inside(q: &[[f64; 2]; 4], x: f32, y: f32) -> bool {
    let (x, y) = (x as f64, y as f64);
    let side = |a: [f64; 2], b: [f64; 2]| (b[0] - a[0]) * (y - a[1]) - (b[1] - a[1]) * (x - a[0]);
    let s: Vec<f64> = (0..4).map(|i| side(q[i], q[(i + 1) % 4])).collect();
    s.iter().all(|&v| v >= 0.0) || s.iter().all(|&v| v <= 0.0)
}

fn read_all(
    config: &ReaderConfig,
    width: usize,
    height: usize,
    luma: &[u8],
    track: Option<Track>,
    deadline: &Budget,
) -> (Vec<Decoded>, bool) {
    let full = Gray {
        width,
        height,
        data: Cow::Borrowed(&luma[..width * height]),
    };
    let mut hits: Vec<(grid::Hit, f64, [f64; 2])> = Vec::new();
    let mut tried = 0;
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
        if roi.width >= 21
            && roi.height >= 21
            && deadline.allows(
                scan_cost((roi.width / k) * (roi.height / k))
                    + resample_cost(roi.width * roi.height),
            )
        {
            let img = binarize::downscale(&roi, k);
            let mut found = Vec::new();
            complete &= scan(&img, None, deadline, false, &mut found).complete;
            hits.extend(
                found
                    .into_iter()
                    .map(|h| (h, k as f64, [cx0 as f64, cy0 as f64])),
            );
        }
    }
    // The most finder candidates any full-frame pass saw; the frame at the
    // working scale once it was made, and its contrasty blocks once its
    // pass found them.
    let mut seen = 0;
    let mut working = None;
    let mut working_contrast = None;
    if hits.is_empty() {
        let mut scales = vec![k0, k0 * 2];
        if k0 >= 2 {
            scales.push(k0 / 2);
        }
        for (i, k) in scales.into_iter().enumerate() {
            if !hits.is_empty() || !complete {
                break;
            }
            // A frame whose first pass saw almost no finder candidates has no
            // code in view at that scale or coarser: the empty-frame fast
            // path. A big frame shrunk to the working scale may still hold a
            // code whose modules became too small to see: it is read at the
            // finer scale all the same.
            if i > 0 && seen < 2 && k > k0 {
                continue;
            }
            if width / k < 21 || height / k < 21 {
                continue;
            }
            let resample = if k == 1 { 0 } else { width * height };
            if !deadline.allows(scan_cost((width / k) * (height / k)) + resample_cost(resample)) {
                complete = false;
                break;
            }
            let mut scaled = None;
            let cache = if k == k0 { &mut working } else { &mut scaled };
            let img = at_scale(&full, k, cache);
            let mut found = Vec::new();
            let pass = scan(img, None, deadline, k == k0, &mut found);
            complete &= pass.complete;
            seen = seen.max(pass.candidates);
            tried += pass.tried;
            if k == k0 {
                working_contrast = pass.contrast;
            }
            hits.extend(found.into_iter().map(|h| (h, k as f64, [0.0, 0.0])));
        }
    }
    // Finder triples tried but nothing read: blur can leave a finder's 1:1:3:1:1
    // intact at neither scale (soft at the working scale, under the noise
    // guard's 12 px at half of it); two thirds sits between them.
    if hits.is_empty() && complete && tried > 0 {
        let base_pixels = (width / k0) * (height / k0);
        let pixels = base_pixels * 4 / 9;
        if width / k0 >= 63 && height / k0 >= 63 {
            if deadline.allows(scan_cost(pixels) + resample_cost(base_pixels + width * height)) {
                let img = binarize::two_thirds(at_scale(&full, k0, &mut working));
                let mut found = Vec::new();
                complete &= scan(&img, None, deadline, false, &mut found).complete;
                hits.extend(found.into_iter().map(|h| (h, k0 as f64 * 1.5, [0.0, 0.0])));
            } else {
                complete = false;
            }
        }
    }
    // Still nothing, on a frame that is not empty: blur may have merged the
    // finders' rings (or all modules) into blobs. Read the working image
    // with its edges steepened.
    if hits.is_empty() && complete && seen >= 2 {
        let pixels = (width / k0) * (height / k0);
        if deadline.allows(scan_cost(pixels) + resample_cost(width * height + 2 * pixels)) {
            let base = at_scale(&full, k0, &mut working);
            // Only where the frame has contrast (and a margin of flat
            // blocks): sharpening brings nothing out of a flat area but
            // its noise.
            let contrast = working_contrast
                .take()
                .unwrap_or_else(|| binarize::Contrast::of(base));
            if let Some(rect) = contrast.bounds(2, base.width, base.height) {
                let [x0, y0, x1, y1] = rect;
                let img = binarize::sharpen(&binarize::crop(base, x0, y0, x1, y1));
                let mut found = Vec::new();
                complete &= scan(
                    &img,
                    Some(&contrast.crop(rect)),
                    deadline,
                    false,
                    &mut found,
                )
                .complete;
                let offset = [(x0 * k0) as f64, (y0 * k0) as f64];
                hits.extend(found.into_iter().map(|h| (h, k0 as f64, offset)));
            }
        } else {
            complete = false;
        }
    }
    // A very big frame (a phone photo: 4032 px shrunk 4x to work on, 2x for
    // the finer pass) can hold a code whose modules only full resolution
    // (or the next finer scale) shows.
    if hits.is_empty() && complete && k0 >= 4 {
        let k = k0 / 4;
        let pixels = (width / k) * (height / k);
        let resample = if k == 1 { 0 } else { width * height };
        if deadline.allows(scan_cost(pixels) + resample_cost(resample)) {
            let mut scaled = None;
            let img = at_scale(&full, k, &mut scaled);
            let mut found = Vec::new();
            complete &= scan(img, None, deadline, false, &mut found).complete;
            hits.extend(found.into_iter().map(|h| (h, k as f64, [0.0, 0.0])));
        } else {
            complete = false;
        }
    }
    // Small images (thumbnails, crops) often have modules of one or two
    // pixels, below what the finder scan accepts: read them enlarged.
    if hits.is_empty() && complete && width.max(height) <= SMALL_IMAGE_SIDE {
        let up = if width.max(height) <= SMALL_IMAGE_SIDE / 2 {
            3
        } else {
            2
        };
        let pixels = width * height * up * up;
        if deadline.allows(scan_cost(pixels) + resample_cost(pixels)) {
            let img = binarize::upscale(&full, up);
            let mut found = Vec::new();
            complete &= scan(&img, None, deadline, false, &mut found).complete;
            hits.extend(found.into_iter().map(|h| (h, 1.0 / up as f64, [0.0, 0.0])));
        } else {
            complete = false;
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
    (out, complete)
}

/// A finder-pattern candidate the reader saw, in frame pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FinderCandidate {
    /// Centre x.
    pub x: f32,
    /// Centre y.
    pub y: f32,
    /// Module size.
    pub module: f32,
    /// Dark-on-light (`false`: inverted).
    pub dark: bool,
}

/// The finder candidates the reader's scans see in an image, at the working
/// scale for `max_side` and at half of it (for benchmarks and debugging:
/// tells a lost finder from a failed fit).
pub fn finder_candidates(
    width: usize,
    height: usize,
    luma: &[u8],
    max_side: usize,
) -> Vec<FinderCandidate> {
    if width < 21 || height < 21 || luma.len() < width * height {
        return Vec::new();
    }
    let full = Gray {
        width,
        height,
        data: Cow::Borrowed(&luma[..width * height]),
    };
    let k0 = width.max(height).div_ceil(max_side.max(64));
    let mut out = Vec::new();
    for k in [k0, k0 * 2] {
        if width / k < 21 || height / k < 21 {
            continue;
        }
        let bits = binarize::adaptive(&binarize::downscale(&full, k));
        let kf = k as f32;
        out.extend(
            finder::find_finders(&bits, 2, 400)
                .into_iter()
                .map(|f| FinderCandidate {
                    x: (f.x + 0.5) * kf - 0.5,
                    y: (f.y + 0.5) * kf - 0.5,
                    module: f.module * kf,
                    dark: f.dark,
                }),
        );
    }
    out
}

/// The binary image the reader's first scan works on (255 = dark), at the
/// working scale for `max_side`, with its width and height (for debugging).
pub fn binary_image(
    width: usize,
    height: usize,
    luma: &[u8],
    max_side: usize,
) -> (usize, usize, Vec<u8>) {
    if width < 21 || height < 21 || luma.len() < width * height {
        return (0, 0, Vec::new());
    }
    let full = Gray {
        width,
        height,
        data: Cow::Borrowed(&luma[..width * height]),
    };
    let k = width.max(height).div_ceil(max_side.max(64));
    let bits = binarize::adaptive(&binarize::downscale(&full, k));
    (
        bits.width,
        bits.height,
        bits.bits.iter().map(|&b| b * 255).collect(),
    )
}

/// Kept back from the budget: the steps after the last check (at most a
/// step between two checks: ~1.1 ms CPU measured, 1.8 ms on a loaded
/// machine, see [`ReaderStats::longest_unchecked`]; the longest are our
/// Reed-Solomon check of a large grid and rqrr's decode, which is started
/// only when its estimated cost fits) and estimates that fall short.
const BUDGET_MARGIN: Duration = Duration::from_millis(3);

/// The margin on the wall clock: as [`BUDGET_MARGIN`], plus a scheduler
/// time slice lost inside an unchecked step on a busy machine (up to 4.6 ms
/// of wall time between checks measured at load 4.6 on 2 cores).
const WALL_BUDGET_MARGIN: Duration = Duration::from_millis(5);

/// The finder candidates (those confirmed on the most scan rows) a pass
/// makes triples of.
const MAX_FINDERS: usize = 64;

/// A pass stops after this many triples in a row failed to read. Triples
/// are ranked by shape, by how many scan rows confirmed their finders and
/// by the timing patterns between them; in every read of the benchmark
/// sets (qr-photos and the synthetic frames, 356 reads) the code was the
/// first or second triple its pass tried (ranked by shape and support
/// alone), while a frame of finder look-alikes (keys, checkerboard squares)
/// offered 40 triples at 0.3-1.5 ms each.
const MAX_FAILED_TRIPLES: usize = 8;

/// Images whose long side is at most this are also read enlarged.
const SMALL_IMAGE_SIDE: usize = 400;

/// What binarising and scanning an image of `pixels` costs on the
/// reference machine (about 1.5 ns a pixel measured quiet, twice that
/// loaded; 2.5 assumed: a pass that runs over is stopped by its checks).
fn scan_cost(pixels: usize) -> Duration {
    Duration::from_nanos(pixels as u64 * 5 / 2)
}

/// What shrinking or enlarging an image costs per pixel read or written
/// (0.3-0.7 ns measured quiet since the loops vectorise; 1 assumed).
fn resample_cost(pixels: usize) -> Duration {
    Duration::from_nanos(pixels as u64)
}

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
