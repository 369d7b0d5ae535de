//! Greyscale -> binary: a block-wise adaptive threshold and box downscaling.
//!
//! Each 8x8 block gets a level (its mean when it has contrast, otherwise a
//! value that keeps flat areas on the side of their neighbours); the
//! threshold of a block is the mean level of the 5x5 blocks around it. A
//! large flat black area (a big finder centre) thus stays black as long as
//! some block near it has contrast, and slow lighting changes (glare,
//! vignetting) shift the threshold with them.

use std::borrow::Cow;

/// A greyscale image borrowed (the frame itself: no copy) or owned (a
/// scaled or filtered version of it) by the reader.
#[derive(Debug, Clone)]
pub struct Gray<'a> {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// Row-major luma.
    pub data: Cow<'a, [u8]>,
}

impl Gray<'static> {
    /// An image that owns its pixels.
    pub fn owned(width: usize, height: usize, data: Vec<u8>) -> Self {
        Self {
            width,
            height,
            data: Cow::Owned(data),
        }
    }
}

/// A binary image: `true` (1) is dark.
#[derive(Debug, Clone)]
pub struct BitImage {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// Row-major, 1 = dark, 0 = light.
    pub bits: Vec<u8>,
}

impl BitImage {
    /// Whether pixel (x, y) is dark; outside the image counts as light.
    #[inline]
    pub fn dark(&self, x: i32, y: i32) -> bool {
        x >= 0
            && y >= 0
            && (x as usize) < self.width
            && (y as usize) < self.height
            && self.bits[y as usize * self.width + x as usize] != 0
    }

    /// Whether the pixel nearest to (x, y) is dark: [`BitImage::dark`] of
    /// the rounded coordinates, rounded without `f64::round` (a library
    /// call on baseline x86-64, and these lookups are the inner loop of
    /// fitting and sampling a grid). Halves round up, also below zero.
    #[inline]
    pub fn dark_near(&self, x: f64, y: f64) -> bool {
        self.dark(round_px(x), round_px(y))
    }
}

/// `v` rounded to the nearest integer, halves up.
#[inline]
fn round_px(v: f64) -> i32 {
    let t = v + 0.5;
    let i = t as i32;
    i - (t < i as f64) as i32
}

const BLOCK: usize = 8;
const MIN_CONTRAST: u8 = 24;

/// Sensor noise estimate: mean absolute difference of horizontal neighbours
/// on every 8th row, ignoring edges (differences of 32 or more).
fn noise_level(img: &Gray) -> u32 {
    let (mut sum, mut n) = (0u32, 0u32);
    for y in (0..img.height).step_by(8) {
        let row = &img.data[y * img.width..(y + 1) * img.width];
        for p in row.windows(2) {
            let d = p[0].abs_diff(p[1]) as u32;
            if d < 32 {
                sum += d;
                n += 1;
            }
        }
    }
    sum.checked_div(n).unwrap_or(0)
}

/// Edges that fall exactly on the block grid: two flat blocks side by side
/// whose means differ by much more than either block's own range (a crisp
/// rendered code whose modules are a multiple of the block size has nothing
/// else). Such a flat block becomes contrasty, with the step's midpoint as
/// its level and midrange. A smooth gradient does not qualify (its step between blocks
/// is about the range within each), nor does noise (means average it out).
fn step_edges(
    bw: usize,
    bh: usize,
    min_contrast: u32,
    mean: &mut [u32],
    range: &[u32],
    edge: &mut [bool],
    mid: &mut [u32],
) {
    let flat: Vec<bool> = edge.iter().map(|e| !e).collect();
    let mut steps = Vec::new();
    for by in 0..bh {
        for bx in 0..bw {
            let i = by * bw + bx;
            if !flat[i] {
                continue;
            }
            let neighbours = [
                (bx > 0).then(|| i - 1),
                (bx + 1 < bw).then(|| i + 1),
                (by > 0).then(|| i - bw),
                (by + 1 < bh).then(|| i + bw),
            ];
            let best = neighbours
                .into_iter()
                .flatten()
                .filter(|&j| flat[j])
                .map(|j| (mean[i].abs_diff(mean[j]), j))
                .filter(|&(step, j)| step > min_contrast && step >= 3 * range[i].max(range[j]))
                .max();
            if let Some((_, j)) = best {
                steps.push((i, (mean[i] + mean[j]) / 2));
            }
        }
    }
    for (i, level) in steps {
        edge[i] = true;
        mid[i] = level;
        mean[i] = level;
    }
}

/// The block range that sensor noise alone reaches: a multiple of the
/// 25th percentile of all blocks' ranges. In a flat, noisy area a block's
/// range is set by the noise's tails (white Gaussian noise of sigma s: about
/// 4.3 s at the 25th percentile, 7 s at one block in a thousand), and this
/// holds whatever the noise's spatial correlation, which the neighbour
/// difference of [`noise_level`] underrates. Without it, noise of sigma 4.5
/// made a flat 720p frame ~40 % speckle, and its finder look-alikes cost
/// the whole frame budget.
fn range_floor(stats: &[(u8, u8, u32)]) -> u32 {
    let mut hist = [0u32; 256];
    for &(lo, hi, _) in stats {
        hist[(hi - lo) as usize] += 1;
    }
    let want = stats.len() as u32 / 4;
    let mut seen = 0;
    for (r, &n) in hist.iter().enumerate() {
        seen += n;
        if seen > want {
            return r as u32 * RANGE_FLOOR_X10 / 10;
        }
    }
    0
}

/// [`range_floor`]'s multiple of the 25th-percentile range, in tenths.
const RANGE_FLOOR_X10: u32 = 20;

/// Per 8x8 block (row-major, partial blocks at the right and bottom
/// edges included): darkest, lightest and sum of its pixels. Each block row
/// is first folded down its rows element-wise (which vectorises), then
/// across each block's eight columns.
fn block_stats(img: &Gray, stop: &dyn Fn() -> bool) -> Option<Vec<(u8, u8, u32)>> {
    let (w, h) = (img.width, img.height);
    let (bw, bh) = (w.div_ceil(BLOCK), h.div_ceil(BLOCK));
    let mut out = Vec::with_capacity(bw * bh);
    let mut lo = vec![255u8; w];
    let mut hi = vec![0u8; w];
    let mut sum = vec![0u16; w];
    for by in 0..bh {
        if by % CHECK_EVERY == 0 && stop() {
            return None;
        }
        lo.fill(255);
        hi.fill(0);
        sum.fill(0);
        for y in by * BLOCK..(by * BLOCK + BLOCK).min(h) {
            let row = &img.data[y * w..(y + 1) * w];
            for (((l, hh), s), &v) in lo
                .iter_mut()
                .zip(hi.iter_mut())
                .zip(sum.iter_mut())
                .zip(row)
            {
                *l = (*l).min(v);
                *hh = (*hh).max(v);
                *s += v as u16;
            }
        }
        for ((l, hh), s) in lo
            .chunks(BLOCK)
            .zip(hi.chunks(BLOCK))
            .zip(sum.chunks(BLOCK))
        {
            out.push((
                l.iter().copied().min().unwrap_or(255),
                hh.iter().copied().max().unwrap_or(0),
                s.iter().map(|&v| v as u32).sum(),
            ));
        }
    }
    Some(out)
}

/// Block rows between two checks of the caller's deadline (32 pixel rows,
/// ~0.1 ms at 1280 pixels wide).
const CHECK_EVERY: usize = 4;

/// Block-adaptive threshold of `img`.
///
/// Blocks with contrast get their mean as level; a flat block (range within
/// the noise) has no edge of its own and takes the mean midrange of the
/// contrasty blocks near it (5x5 blocks). A pixel is dark when it is at
/// most the mean level of the 5x5 blocks around its block. A flat block
/// with no contrast that near is one colour: dark when darker than the
/// contrasty blocks within 13x13 blocks, else light. So a
/// flat dark area beside a code (a dark-mode quiet zone, a big finder
/// centre) is judged against the code's own levels and stays solidly dark
/// instead of breaking up into noise.
pub fn adaptive(img: &Gray) -> BitImage {
    adaptive_until(img, &|| false).map_or_else(
        || BitImage {
            width: img.width,
            height: img.height,
            bits: vec![0; img.width * img.height],
        },
        |(bits, _)| bits,
    )
}

/// [`adaptive`], asking `stop` every few block rows; `None` when it said
/// stop. Also gives the image's contrasty blocks it worked with.
pub fn adaptive_until(img: &Gray, stop: &dyn Fn() -> bool) -> Option<(BitImage, Contrast)> {
    let stats = block_stats(img, stop)?;
    let floor = contrast_floor(img, &stats);
    let contrast = Contrast::from_stats(img, &stats, floor);
    let bits = threshold(img, &stats, floor, &contrast, stop)?;
    Some((bits, contrast))
}

/// The contrast a block's range must exceed for the block to count as
/// having an edge of its own: clearly above the sensor noise (the mean
/// neighbour difference is about 1.1 sigma of the noise).
fn contrast_floor(img: &Gray, stats: &[(u8, u8, u32)]) -> u8 {
    (MIN_CONTRAST as u32)
        .max(noise_level(img) * 5)
        .max(range_floor(stats))
        .min(80) as u8
}

/// Which 8x8 blocks of an image have an edge of their own (a range
/// clearly above the sensor noise), as the threshold of [`adaptive`] sees
/// them.
#[derive(Debug, Clone, PartialEq)]
pub struct Contrast {
    /// Blocks across (partial blocks at the right edge included).
    pub bw: usize,
    /// Blocks down.
    pub bh: usize,
    /// Row-major, one flag per block.
    pub blocks: Vec<bool>,
}

impl Contrast {
    /// The contrasty blocks of `img`.
    pub fn of(img: &Gray) -> Self {
        let stats = block_stats(img, &|| false).unwrap_or_default();
        Self::from_stats(img, &stats, contrast_floor(img, &stats))
    }

    /// The blocks of `img` (its [`block_stats`]) whose range exceeds `floor`.
    fn from_stats(img: &Gray, stats: &[(u8, u8, u32)], floor: u8) -> Self {
        Self {
            bw: img.width.div_ceil(BLOCK),
            bh: img.height.div_ceil(BLOCK),
            blocks: stats.iter().map(|&(lo, hi, _)| hi - lo > floor).collect(),
        }
    }

    /// The pixel rectangle `[x0, x1) x [y0, y1)` (on the block grid, clamped
    /// to a `width` x `height` image) of every contrasty block and
    /// `margin` blocks around them; `None` when no block has contrast.
    pub fn bounds(&self, margin: usize, width: usize, height: usize) -> Option<[usize; 4]> {
        let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
        for (i, _) in self.blocks.iter().enumerate().filter(|(_, c)| **c) {
            let (bx, by) = (i % self.bw, i / self.bw);
            x0 = x0.min(bx);
            y0 = y0.min(by);
            x1 = x1.max(bx + 1);
            y1 = y1.max(by + 1);
        }
        (x1 > 0).then(|| {
            [
                x0.saturating_sub(margin) * BLOCK,
                y0.saturating_sub(margin) * BLOCK,
                ((x1 + margin) * BLOCK).min(width),
                ((y1 + margin) * BLOCK).min(height),
            ]
        })
    }

    /// The blocks of the pixel rectangle `[x0, x1) x [y0, y1)`, whose
    /// corner `(x0, y0)` is on the block grid (as [`Contrast::bounds`]
    /// gives).
    pub fn crop(&self, [x0, y0, x1, y1]: [usize; 4]) -> Self {
        let (bx0, by0) = (x0 / BLOCK, y0 / BLOCK);
        let (bx1, by1) = (x1.div_ceil(BLOCK), y1.div_ceil(BLOCK));
        Self {
            bw: bx1 - bx0,
            bh: by1 - by0,
            blocks: (by0..by1)
                .flat_map(|by| {
                    self.blocks[by * self.bw + bx0..by * self.bw + bx1]
                        .iter()
                        .copied()
                })
                .collect(),
        }
    }
}

/// [`adaptive_until`] of a filtered image (`img`) whose blocks have
/// contrast where `contrast` (of the image before the filter, the same
/// size) says: a filter that steepens edges also steepens noise, and must
/// not turn a flat, noisy area into contrast (speckle whose finder
/// look-alikes cost time).
pub fn adaptive_masked_until(
    img: &Gray,
    contrast: &Contrast,
    stop: &dyn Fn() -> bool,
) -> Option<BitImage> {
    let stats = block_stats(img, stop)?;
    threshold(img, &stats, contrast_floor(img, &stats), contrast, stop)
}

/// The threshold of [`adaptive`] given the image's block statistics, its
/// contrast floor (for edges on the block grid) and its contrasty blocks.
fn threshold(
    img: &Gray,
    stats: &[(u8, u8, u32)],
    min_contrast: u8,
    contrast: &Contrast,
    stop: &dyn Fn() -> bool,
) -> Option<BitImage> {
    let (w, h) = (img.width, img.height);
    assert_eq!(
        (contrast.bw, contrast.bh),
        (w.div_ceil(BLOCK), h.div_ceil(BLOCK)),
        "contrast map of another size"
    );
    let has_contrast = &contrast.blocks;
    let bw = w.div_ceil(BLOCK);
    let bh = h.div_ceil(BLOCK);
    // Per block: mean, midrange, and whether it has contrast.
    let mut mean = vec![0u32; bw * bh];
    let mut mid = vec![0u32; bw * bh];
    let mut edge = vec![false; bw * bh];
    let mut range = vec![0u32; bw * bh];
    for by in 0..bh {
        let y0 = by * BLOCK;
        let y1 = (y0 + BLOCK).min(h);
        for bx in 0..bw {
            let x0 = bx * BLOCK;
            let x1 = (x0 + BLOCK).min(w);
            let (lo, hi, sum) = stats[by * bw + bx];
            let n = ((y1 - y0) * (x1 - x0)) as u32;
            mean[by * bw + bx] = sum / n;
            mid[by * bw + bx] = (lo as u32 + hi as u32) / 2;
            range[by * bw + bx] = (hi - lo) as u32;
            edge[by * bw + bx] = has_contrast[by * bw + bx];
        }
    }
    step_edges(
        bw,
        bh,
        min_contrast as u32,
        &mut mean,
        &range,
        &mut edge,
        &mut mid,
    );
    // Integrals of the contrasty blocks' midranges (halfway between their
    // dark and light, whatever the share of each) and counts.
    if stop() {
        return None;
    }
    let iw = bw + 1;
    let mut sum_i = vec![0u32; iw * (bh + 1)];
    let mut cnt_i = vec![0u32; iw * (bh + 1)];
    for by in 0..bh {
        let (mut rs, mut rc) = (0, 0);
        for bx in 0..bw {
            let i = by * bw + bx;
            if edge[i] {
                rs += mid[i];
                rc += 1;
            }
            sum_i[(by + 1) * iw + bx + 1] = sum_i[by * iw + bx + 1] + rs;
            cnt_i[(by + 1) * iw + bx + 1] = cnt_i[by * iw + bx + 1] + rc;
        }
    }
    let window = |bx: usize, by: usize, r: usize| {
        let (xa, ya) = (bx.saturating_sub(r), by.saturating_sub(r));
        let (xb, yb) = ((bx + r + 1).min(bw), (by + r + 1).min(bh));
        let rect =
            |t: &[u32]| t[yb * iw + xb] + t[ya * iw + xa] - t[ya * iw + xb] - t[yb * iw + xa];
        (rect(&sum_i), rect(&cnt_i))
    };
    // Level of every block: contrasty blocks their mean, flat blocks the
    // contrasty level around them (their own mean when there is none).
    let mut level = vec![0u32; bw * bh];
    // Flat blocks with no contrasty block within two blocks: filled as a
    // whole (dark only when darker than the contrast further around).
    let mut isolated = vec![None::<bool>; bw * bh];
    for by in 0..bh {
        for bx in 0..bw {
            let i = by * bw + bx;
            if edge[i] {
                level[i] = mean[i];
                continue;
            }
            level[i] = match window(bx, by, 2) {
                (s, c) if c > 0 => s / c,
                _ => {
                    let (s, c) = window(bx, by, 6);
                    let around = s.checked_div(c);
                    isolated[i] = Some(around.is_some_and(|a| mean[i] < a));
                    around.unwrap_or(mean[i])
                }
            };
        }
    }
    if stop() {
        return None;
    }
    let mut lvl_i = vec![0u32; iw * (bh + 1)];
    for by in 0..bh {
        let mut row = 0;
        for bx in 0..bw {
            row += level[by * bw + bx];
            lvl_i[(by + 1) * iw + bx + 1] = lvl_i[by * iw + bx + 1] + row;
        }
    }
    let mut bits = vec![0u8; w * h];
    // Per pixel of a block row: its block's threshold, and whether the
    // comparison is kept (`keep`) or the block is filled (`set`). Each image
    // row is then one element-wise pass (which vectorises).
    let mut t_row = vec![0u8; bw * BLOCK];
    let mut keep = vec![0u8; bw * BLOCK];
    let mut set = vec![0u8; bw * BLOCK];
    for by in 0..bh {
        if by % CHECK_EVERY == 0 && stop() {
            return None;
        }
        let ya = by.saturating_sub(2);
        let yb = (by + 3).min(bh);
        let (t_blocks, _) = t_row.as_chunks_mut::<BLOCK>();
        let (keep_blocks, _) = keep.as_chunks_mut::<BLOCK>();
        let (set_blocks, _) = set.as_chunks_mut::<BLOCK>();
        for (bx, ((t_b, k_b), s_b)) in t_blocks
            .iter_mut()
            .zip(keep_blocks.iter_mut())
            .zip(set_blocks.iter_mut())
            .enumerate()
        {
            let xa = bx.saturating_sub(2);
            let xb = (bx + 3).min(bw);
            let s = lvl_i[yb * iw + xb] + lvl_i[ya * iw + xa]
                - lvl_i[ya * iw + xb]
                - lvl_i[yb * iw + xa];
            *t_b = [(s / ((yb - ya) * (xb - xa)) as u32) as u8; BLOCK];
            let (k, fill) = match isolated[by * bw + bx] {
                None => (1, 0),
                Some(dark) => (0, dark as u8),
            };
            *k_b = [k; BLOCK];
            *s_b = [fill; BLOCK];
        }
        for y in by * BLOCK..(by * BLOCK + BLOCK).min(h) {
            let src = &img.data[y * w..(y + 1) * w];
            let dst = &mut bits[y * w..(y + 1) * w];
            for ((((d, &v), &t), &k), &f) in
                dst.iter_mut().zip(src).zip(&t_row).zip(&keep).zip(&set)
            {
                *d = ((v <= t) as u8 & k) | f;
            }
        }
    }
    Some(BitImage {
        width: w,
        height: h,
        bits,
    })
}

/// Box-filter downscale by an integer factor (the mean of each k x k cell).
pub fn downscale(img: &Gray, k: usize) -> Gray<'static> {
    match k {
        0 | 1 => Gray::owned(img.width, img.height, img.data.to_vec()),
        // The common factors with the cell size known at compile time: the
        // sums and the division then vectorise (4x faster at 1280x720).
        2 => downscale_by::<2>(img),
        3 => downscale_by::<3>(img),
        4 => downscale_by::<4>(img),
        _ => downscale_any(img, k),
    }
}

fn downscale_by<const K: usize>(img: &Gray) -> Gray<'static> {
    let (w, h) = (img.width / K, img.height / K);
    let mut acc = vec![0u16; w];
    let mut data = Vec::with_capacity(w * h);
    for y in 0..h {
        acc.fill(0);
        for yy in y * K..y * K + K {
            let row = &img.data[yy * img.width..yy * img.width + w * K];
            let (cells, _) = row.as_chunks::<K>();
            for (a, cell) in acc.iter_mut().zip(cells) {
                *a += cell.iter().map(|&v| v as u16).sum::<u16>();
            }
        }
        data.extend(acc.iter().map(|&a| (a / (K * K) as u16) as u8));
    }
    Gray::owned(w, h, data)
}

fn downscale_any(img: &Gray, k: usize) -> Gray<'static> {
    let w = img.width / k;
    let h = img.height / k;
    let mut acc = vec![0u32; w];
    let mut data = Vec::with_capacity(w * h);
    let kk = (k * k) as u32;
    for y in 0..h {
        acc.fill(0);
        for yy in y * k..y * k + k {
            let row = &img.data[yy * img.width..yy * img.width + w * k];
            for (a, cell) in acc.iter_mut().zip(row.chunks_exact(k)) {
                *a += cell.iter().map(|&v| v as u32).sum::<u32>();
            }
        }
        data.extend(acc.iter().map(|&a| (a / kk) as u8));
    }
    Gray::owned(w, h, data)
}

/// Shrinks to two thirds (each output pixel the mean of the 1.5 x 1.5
/// source pixels it covers): between the working scale and half of it.
pub fn two_thirds(img: &Gray) -> Gray<'static> {
    let (w, h) = (img.width / 3 * 2, img.height / 3 * 2);
    // Horizontal: per 3 source pixels, (2a + b) and (b + 2c), i.e. 3x the mean.
    let rows: Vec<Vec<u16>> = img
        .data
        .chunks_exact(img.width)
        .map(|row| {
            row.chunks_exact(3)
                .flat_map(|c| {
                    let (a, b, c) = (c[0] as u16, c[1] as u16, c[2] as u16);
                    [2 * a + b, b + 2 * c]
                })
                .collect()
        })
        .collect();
    let mut data = Vec::with_capacity(w * h);
    for three in rows.chunks_exact(3) {
        let (a, b, c) = (&three[0], &three[1], &three[2]);
        data.extend(a.iter().zip(b).map(|(&a, &b)| ((2 * a + b + 4) / 9) as u8));
        data.extend(b.iter().zip(c).map(|(&b, &c)| ((b + 2 * c + 4) / 9) as u8));
    }
    Gray::owned(w, h, data)
}

/// Bilinear enlargement by an integer factor. Each source row is widened
/// once (a table holds every output column's two sources and weight), and
/// each output row blends two widened rows: a few nanoseconds a pixel.
pub fn upscale(img: &Gray, f: usize) -> Gray<'static> {
    let (w, h) = (img.width * f, img.height * f);
    // Source position of output coordinate `i` on an axis of `n` pixels.
    let source = |i: usize, n: usize| {
        let s = ((i as f32 + 0.5) / f as f32 - 0.5).clamp(0.0, (n - 1) as f32);
        let s0 = s.floor() as usize;
        (s0, (s0 + 1).min(n - 1), s.fract())
    };
    let columns: Vec<(usize, usize, f32)> = (0..w).map(|x| source(x, img.width)).collect();
    let widened: Vec<Vec<f32>> = img
        .data
        .chunks_exact(img.width)
        .map(|row| {
            columns
                .iter()
                .map(|&(x0, x1, fx)| row[x0] as f32 * (1.0 - fx) + row[x1] as f32 * fx)
                .collect()
        })
        .collect();
    let mut data = Vec::with_capacity(w * h);
    for y in 0..h {
        let (y0, y1, fy) = source(y, img.height);
        data.extend(
            widened[y0]
                .iter()
                .zip(&widened[y1])
                .map(|(&top, &bot)| (top * (1.0 - fy) + bot * fy).round() as u8),
        );
    }
    Gray::owned(w, h, data)
}

/// `img` with steeper edges: each pixel pushed away from the mean of the
/// 5 x 5 pixels around it by twice its difference (unsharp masking). Blur
/// merges a finder's centre with its ring and thin modules with their
/// neighbours; this brings the light gaps back for the binariser. Two
/// running-sum passes: a few nanoseconds a pixel.
pub fn sharpen(img: &Gray) -> Gray<'static> {
    const R: usize = 2;
    const N: u16 = ((2 * R + 1) * (2 * R + 1)) as u16;
    let (w, h) = (img.width, img.height);
    if w == 0 || h == 0 {
        return Gray::owned(w, h, img.data.to_vec());
    }
    // Sums of 5 pixels along each row, the border pixels repeated: the row
    // padded, then five shifted slices added (which vectorises).
    let mut rows = vec![0u16; w * h];
    let mut padded = vec![0u16; w + 2 * R];
    for (src, out) in img.data.chunks_exact(w).zip(rows.chunks_exact_mut(w)) {
        padded[..R].fill(src[0] as u16);
        padded[w + R..].fill(src[w - 1] as u16);
        for (p, &v) in padded[R..w + R].iter_mut().zip(src) {
            *p = v as u16;
        }
        out.copy_from_slice(&padded[..w]);
        for shift in 1..=2 * R {
            for (o, &p) in out.iter_mut().zip(&padded[shift..shift + w]) {
                *o += p;
            }
        }
    }
    // Then 5 of those down each column, and the unsharp step:
    // p + 2 (p - mean), clamped.
    let mut data = vec![0u8; w * h];
    let mut col = vec![0u16; w];
    let row_at = |y: isize| y.clamp(0, h as isize - 1) as usize * w;
    for y in -(R as isize)..=R as isize {
        let r = row_at(y);
        for (c, v) in col.iter_mut().zip(&rows[r..r + w]) {
            *c += v;
        }
    }
    for y in 0..h {
        let src = &img.data[y * w..(y + 1) * w];
        for ((d, &p), &c) in data[y * w..(y + 1) * w].iter_mut().zip(src).zip(&col) {
            let v = 3 * p as i16 - 2 * (c / N) as i16;
            *d = v.clamp(0, 255) as u8;
        }
        let (add, sub) = (
            row_at(y as isize + R as isize + 1),
            row_at(y as isize - R as isize),
        );
        for ((c, &a), &s) in col
            .iter_mut()
            .zip(&rows[add..add + w])
            .zip(&rows[sub..sub + w])
        {
            *c = *c + a - s;
        }
    }
    Gray::owned(w, h, data)
}

/// A copy of the rectangle `[x0, x1) x [y0, y1)` (clamped to the image).
pub fn crop(img: &Gray, x0: usize, y0: usize, x1: usize, y1: usize) -> Gray<'static> {
    let x1 = x1.min(img.width);
    let y1 = y1.min(img.height);
    let (x0, y0) = (x0.min(x1), y0.min(y1));
    let mut data = Vec::with_capacity((x1 - x0) * (y1 - y0));
    for y in y0..y1 {
        data.extend_from_slice(&img.data[y * img.width + x0..y * img.width + x1]);
    }
    Gray::owned(x1 - x0, y1 - y0, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gray(w: usize, h: usize, f: impl Fn(usize, usize) -> u8) -> Gray<'static> {
        Gray {
            width: w,
            height: h,
            data: (0..w * h).map(|i| f(i % w, i / w)).collect(),
        }
    }

    #[test]
    fn dark_square_on_gradient_is_found() {
        // A light gradient (glare-like) with a dark square in the middle.
        let bits = adaptive(&gray(64, 64, |x, y| {
            let bg = 120 + (x * 2) as u8;
            let inside = (21..43).contains(&x) && (21..43).contains(&y);
            if inside { bg - 110 } else { bg }
        }));
        assert!(bits.dark(30, 30));
        assert!(!bits.dark(5, 5));
        assert!(!bits.dark(60, 60));
    }

    #[test]
    fn flat_dark_quiet_zone_beside_light_modules_stays_dark() {
        // Dark mode: light 4 px stripes (modules) on a dark, noisy screen;
        // the flat dark margin must not break up into noise.
        let bits = adaptive(&gray(96, 96, |x, y| {
            let noise = ((x * 7919 + y * 104_729) % 17) as u8;
            let module = x >= 48 && (x / 4) % 2 == 0;
            if module { 200 + noise } else { 50 + noise }
        }));
        let dark_margin = (0..40)
            .flat_map(|y| (0..40).map(move |x| (x, y)))
            .filter(|&(x, y)| bits.dark(x, y))
            .count();
        assert_eq!(dark_margin, 40 * 40);
        assert!(!bits.dark(48, 50) && bits.dark(52, 50));
    }

    #[test]
    fn edges_on_the_block_grid_are_seen() {
        // Crisp 8 px squares aligned with the 8 px blocks: every block is
        // flat inside, the contrast is only across block borders.
        let bits = adaptive(&gray(64, 64, |x, y| {
            if (x / 8 + y / 8) % 2 == 0 { 0 } else { 255 }
        }));
        let wrong = (0..64 * 64usize)
            .filter(|&i| {
                bits.dark((i % 64) as i32, (i / 64) as i32)
                    != ((i % 64) / 8 + (i / 64) / 8).is_multiple_of(2)
            })
            .count();
        assert_eq!(wrong, 0);
    }

    /// Gaussian noise of `sigma` levels around `level` (Box-Muller on a
    /// seeded xorshift), optionally blurred 1-2-1 as a webcam's demosaicing does.
    fn noisy(w: usize, h: usize, level: f64, sigma: f64, correlated: bool) -> Gray<'static> {
        let mut s = 0x2545_F491_4F6C_DD1Du64;
        let mut uniform = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            ((s >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        };
        let mut n: Vec<f64> = (0..w * h)
            .map(|_| (-2.0 * uniform().ln()).sqrt() * (std::f64::consts::TAU * uniform()).cos())
            .collect();
        if correlated {
            let src = n.clone();
            for (i, v) in n.iter_mut().enumerate() {
                let (x, y) = (i % w, i / w);
                let at = |dx: isize, dy: isize| {
                    let xx = (x as isize + dx).clamp(0, w as isize - 1) as usize;
                    let yy = (y as isize + dy).clamp(0, h as isize - 1) as usize;
                    src[yy * w + xx]
                };
                // 1-2-1 in both directions, scaled back to unit variance.
                let sum: f64 = [(-1, 1.0), (0, 2.0), (1, 1.0)]
                    .iter()
                    .flat_map(|&(dy, ky)| {
                        [(-1, 1.0), (0, 2.0), (1, 1.0)].map(|(dx, kx)| at(dx, dy) * kx * ky)
                    })
                    .sum();
                *v = sum / 16.0 * 2.67;
            }
        }
        Gray {
            width: w,
            height: h,
            data: n
                .iter()
                .map(|v| (level + v * sigma).round().clamp(0.0, 255.0) as u8)
                .collect(),
        }
    }

    #[test]
    fn sensor_noise_on_a_flat_area_is_not_speckle() {
        // Blocks of a flat, noisy area must not count as contrasty: their
        // thresholds then follow the noise and the area breaks up into
        // dots that match the finder ratio by chance.
        for sigma in [3.0, 4.5, 6.0, 8.0] {
            for correlated in [false, true] {
                let bits = adaptive(&noisy(320, 240, 100.0, sigma, correlated));
                let dark = bits.bits.iter().filter(|&&b| b != 0).count();
                assert!(
                    dark == 0 || dark == bits.bits.len(),
                    "sigma {sigma} correlated {correlated}: {dark} of {} dark",
                    bits.bits.len()
                );
            }
        }
    }

    #[test]
    fn sharpened_noise_is_judged_by_the_blocks_of_the_original() {
        // A crisp dark square on a flat, noisy area. Sharpening triples the
        // noise; thresholded on its own (contrast floor capped), the flat
        // area breaks up into speckle. With the original's contrasty blocks
        // it stays one colour beyond the square's neighbourhood (flat blocks
        // within two blocks of an edge keep its threshold), and the square
        // stays dark.
        for correlated in [false, true] {
            let mut img = noisy(320, 240, 120.0, 6.0, correlated);
            for y in 100..140 {
                for x in 140..180 {
                    img.data.to_mut()[y * 320 + x] = 20;
                }
            }
            let sharp = sharpen(&img);
            let far_dark = |bits: &BitImage| {
                (0..240)
                    .flat_map(|y| (0..320).map(move |x| (x, y)))
                    .filter(|&(x, y)| !(110..210).contains(&x) || !(70..170).contains(&y))
                    .filter(|&(x, y)| bits.dark(x, y))
                    .count()
            };
            let alone = adaptive(&sharp);
            assert!(far_dark(&alone) > 100, "correlated {correlated}");
            let contrast = Contrast::of(&img);
            let masked = adaptive_masked_until(&sharp, &contrast, &|| false).unwrap();
            assert_eq!(far_dark(&masked), 0, "correlated {correlated}");
            assert!(masked.dark(160, 120) && masked.dark(141, 101));
        }
    }

    #[test]
    fn contrast_bounds_cover_the_contrasty_blocks_and_a_margin() {
        // Contrast only in blocks 10..13 x 5..7 of a flat image.
        let img = gray(203, 120, |x, y| {
            if (80..104).contains(&x) && (40..56).contains(&y) && x % 2 == 0 {
                0
            } else {
                128
            }
        });
        let c = Contrast::of(&img);
        assert_eq!((c.bw, c.bh), (26, 15));
        let rect = c.bounds(2, 203, 120).expect("contrast");
        assert_eq!(rect, [64, 24, 120, 72]);
        let sub = c.crop(rect);
        assert_eq!((sub.bw, sub.bh), (7, 6));
        for by in 0..6 {
            for bx in 0..7 {
                let want = (2..5).contains(&bx) && (2..4).contains(&by);
                assert_eq!(sub.blocks[by * 7 + bx], want, "block {bx},{by}");
            }
        }
        // The margin is clamped at the border (203 is not on the block grid).
        let edge = gray(
            203,
            120,
            |x, y| if x >= 196 && y % 2 == 0 { 0 } else { 128 },
        );
        let c = Contrast::of(&edge);
        assert_eq!(c.bounds(2, 203, 120), Some([176, 0, 203, 120]));
        assert_eq!(c.crop([176, 0, 203, 120]).bw, 4);
        // A flat image has none.
        assert_eq!(
            Contrast::of(&gray(64, 64, |_, _| 90)).bounds(2, 64, 64),
            None
        );
    }

    #[test]
    fn downscale_by_a_fixed_factor_matches_the_general_one() {
        let img = gray(131, 97, |x, y| ((x * 37 + y * 91 + x * y) % 256) as u8);
        for k in 2..=4 {
            let fast = downscale(&img, k);
            let general = downscale_any(&img, k);
            assert_eq!((fast.width, fast.height), (131 / k, 97 / k));
            assert_eq!(fast.data, general.data, "k {k}");
        }
    }

    #[test]
    fn sharpen_is_three_times_the_pixel_less_twice_the_5x5_mean() {
        let (w, h) = (37, 23);
        let img = gray(w, h, |x, y| ((x * 53 + y * 29 + x * x * y) % 256) as u8);
        let out = sharpen(&img);
        for y in 0..h {
            for x in 0..w {
                let mut sum = 0i32;
                for dy in -2..=2isize {
                    for dx in -2..=2isize {
                        let xx = (x as isize + dx).clamp(0, w as isize - 1) as usize;
                        let yy = (y as isize + dy).clamp(0, h as isize - 1) as usize;
                        sum += img.data[yy * w + xx] as i32;
                    }
                }
                let p = img.data[y * w + x] as i32;
                let want = (3 * p - 2 * (sum / 25)).clamp(0, 255) as u8;
                assert_eq!(out.data[y * w + x], want, "pixel {x},{y}");
            }
        }
    }

    #[test]
    fn pixel_rounding_matches_round_off_the_halves() {
        for v in [
            -3.7, -1.2, -0.7, -0.3, 0.0, 0.2, 0.49, 0.51, 1.5, 2.5, 7.9, 1279.6,
        ] {
            assert_eq!(round_px(v), v.round() as i32, "{v}");
        }
        // A negative half rounds up (f64::round rounds it away from zero).
        assert_eq!(round_px(-0.5), 0);
        let img = BitImage {
            width: 2,
            height: 1,
            bits: vec![1, 0],
        };
        assert!(img.dark_near(0.4, 0.3) && !img.dark_near(0.6, 0.0));
        assert!(!img.dark_near(-0.6, 0.0) && img.dark_near(-0.4, 0.0));
    }

    #[test]
    fn binarisation_stops_part_way_when_asked() {
        let img = noisy(640, 480, 100.0, 3.0, false);
        let asked = std::cell::Cell::new(0);
        let stop_third = || {
            asked.set(asked.get() + 1);
            asked.get() >= 3
        };
        assert!(adaptive_until(&img, &stop_third).is_none());
        assert_eq!(asked.get(), 3);
        // Never told to stop, it asks along the way and gives the full result.
        asked.set(0);
        let never = || {
            asked.set(asked.get() + 1);
            false
        };
        let (full, _) = adaptive_until(&img, &never).expect("not stopped");
        assert!(asked.get() > 10, "asked {} times", asked.get());
        assert_eq!(full.bits, adaptive(&img).bits);
    }

    #[test]
    fn two_thirds_averages_the_area_each_pixel_covers() {
        let img = gray(6, 3, |x, y| [0, 90, 180, 30, 60, 90][x] + (y as u8) * 9);
        let small = two_thirds(&img);
        assert_eq!((small.width, small.height), (4, 2));
        // Row 0 covers source row 0 and half of row 1 (+3 on average),
        // row 1 the other half of row 1 and row 2 (+15).
        assert_eq!(&small.data[..4], &[33, 153, 43, 83]);
        assert_eq!(&small.data[4..], &[45, 165, 55, 95]);
    }

    #[test]
    fn upscale_interpolates_between_pixels() {
        let img = gray(3, 2, |x, y| (x * 100 + y * 10) as u8);
        let big = upscale(&img, 2);
        assert_eq!((big.width, big.height), (6, 4));
        // Output pixel centres fall a quarter of a source pixel from the
        // nearest source centre; the edges are clamped.
        assert_eq!(&big.data[..6], &[0, 25, 75, 125, 175, 200]);
        assert_eq!(big.data[3 * 6], 10);
        assert_eq!(big.data[6 + 1], 28);
    }

    #[test]
    fn downscale_averages_cells() {
        let img = Gray {
            width: 4,
            height: 2,
            data: vec![0, 100, 50, 50, 100, 200, 50, 50].into(),
        };
        let small = downscale(&img, 2);
        assert_eq!((small.width, small.height), (2, 1));
        assert_eq!(small.data, vec![100, 50]);
    }

    #[test]
    fn sharpen_steepens_a_soft_edge_and_leaves_flat_areas() {
        // A ramp from 60 to 180 over 8 columns, flat either side.
        let img = gray(24, 6, |x, _| (60 + 15 * x.saturating_sub(8).min(8)) as u8);
        let out = sharpen(&img);
        assert_eq!((out.width, out.height), (24, 6));
        for y in 0..6 {
            let row = &out.data[y * 24..(y + 1) * 24];
            // Flat parts (more than 2 px from the ramp) are unchanged.
            assert!(row[..6].iter().all(|&v| v == 60), "{row:?}");
            assert!(row[19..].iter().all(|&v| v == 180), "{row:?}");
            // Each end of the ramp overshoots: darker below, lighter above.
            assert!(row[8] < 60 && row[16] > 180, "{row:?}");
        }
        // Borders repeat their pixel: a flat image stays flat.
        let flat = gray(7, 5, |_, _| 99);
        assert!(sharpen(&flat).data.iter().all(|&v| v == 99));
    }
}
