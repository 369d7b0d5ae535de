//! From three finder patterns to decoded bytes: order the finders, estimate
//! the version, locate the bottom-right alignment pattern, fit a perspective
//! transform, sample the modules two ways (binary image, and greyscale
//! against a threshold local to the code) and hand each grid to rqrr's
//! decoder (format and Reed-Solomon correction, mirrored codes included).

use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::Budget;
use super::binarize::{BitImage, Gray};
use super::codewords;
use super::finder::{self, Finder};
use super::fit::{self, Fitter};
use super::geometry::Homography;

/// One code read from a working image.
#[derive(Debug, Clone)]
pub struct Hit {
    /// The payload bytes.
    pub bytes: Vec<u8>,
    /// The code's outer corners in working-image pixels: top-left, top-right, bottom-right, bottom-left.
    pub quad: [[f64; 2]; 4],
}

/// The modules of a sampled code, row-major, `true` = dark.
struct Modules {
    dim: usize,
    dark: Vec<bool>,
}

impl rqrr::BitGrid for Modules {
    fn size(&self) -> usize {
        self.dim
    }
    fn bit(&self, y: usize, x: usize) -> bool {
        self.dark[y * self.dim + x]
    }
}

/// Decodes a sampled grid: our own check first (format, Reed-Solomon; the
/// grid, or its mirror image, is corrected in place), then rqrr's decode of
/// the corrected grid, started only when the budget covers its cost.
fn decode(m: &mut Modules, budget: &Budget) -> Option<Vec<u8>> {
    let checked = codewords::check(m.dim, &mut m.dark).or_else(|| {
        if budget.passed() {
            return None;
        }
        let mut mirrored = transpose(m);
        let c = codewords::check(m.dim, &mut mirrored)?;
        m.dark = mirrored;
        Some(c)
    })?;
    let terms = rqrr_terms(m.dim, Some(checked.level));
    if !budget.allows(rqrr_cost(terms)) {
        return None;
    }
    let before = budget.spent();
    let mut out = Vec::new();
    let decoded = rqrr::Grid::new(&*m).decode_to(&mut out);
    learn_rqrr_speed(terms, budget.spent().saturating_sub(before));
    decoded.ok()?;
    Some(out)
}

fn transpose(m: &Modules) -> Vec<bool> {
    let d = m.dim;
    (0..d * d).map(|i| m.dark[(i % d) * d + i / d]).collect()
}

/// The work in rqrr's decode of a clean grid of `dim` modules: one syndrome
/// pass over every block, each term a `GF256::pow`. Without the level, the
/// costliest one is assumed.
fn rqrr_terms(dim: usize, level: Option<usize>) -> usize {
    let version = (dim.saturating_sub(17) / 4).clamp(1, 40);
    let levels = level.map_or(0..4, |l| l..l + 1);
    levels
        .filter_map(|level| codewords::layout(version, level))
        .map(|l| {
            let total = l.blocks * (l.short_data + l.npar) + l.long_blocks;
            total * l.npar
        })
        .max()
        .unwrap_or(0)
}

/// What one syndrome term of rqrr's decode is assumed to cost, in
/// picoseconds: 1.25 times the speed measured in this process (see
/// [`learn_rqrr_speed`]), so a fast machine reads large codes (version 40:
/// ~111,000 terms, 20.2 ms measured on the reference machine, 0.18 us a
/// term; a version-3 code 0.37 ms) and a slow or busy one does not start a
/// decode it cannot finish in time. 0.6 us (the reference machine under
/// heavy load) until [`calibrate_rqrr`] measures it when a reader is made.
static RQRR_PS_PER_TERM: AtomicU64 = AtomicU64::new(600_000);

/// Measures rqrr's speed once per process, on a real version-10 grid (~1.5
/// ms), so that the first large code is not refused on the placeholder
/// guess: a process that had decoded only small codes (or none, as
/// `passgate decode` of one version-40 photo) never started a version-40
/// decode, whose guessed 67 ms did not fit the budget.
pub fn calibrate_rqrr() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if let Some(ps) = measure_rqrr() {
            RQRR_PS_PER_TERM.store(ps, Ordering::Relaxed);
        }
    });
}

/// The cost estimate per term from one timed decode of a version-10,
/// level-M grid; `None` if it could not be made or read.
fn measure_rqrr() -> Option<u64> {
    let payload = [b'P'; 200];
    let code =
        qrcode::QrCode::with_version(payload, qrcode::Version::Normal(10), qrcode::EcLevel::M)
            .ok()?;
    let grid = Modules {
        dim: code.width(),
        dark: code
            .to_colors()
            .into_iter()
            .map(|c| c == qrcode::Color::Dark)
            .collect(),
    };
    // Level bits 0 are M.
    let terms = rqrr_terms(grid.dim, Some(0));
    let start = Instant::now();
    let mut out = Vec::new();
    rqrr::Grid::new(&grid).decode_to(&mut out).ok()?;
    let took = start.elapsed();
    (out == payload).then(|| next_ps_per_term(0, terms, took))
}

/// Notes how long rqrr took for `terms` (on the budget's clock).
fn learn_rqrr_speed(terms: usize, took: Duration) {
    let _ = RQRR_PS_PER_TERM.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |est| {
        Some(next_ps_per_term(est, terms, took))
    });
}

/// The cost estimate per term after a decode of `terms` took `took`: a
/// slower speed is taken at once, a faster one an eighth of the way.
/// Decodes too small to measure leave it as it is.
fn next_ps_per_term(est: u64, terms: usize, took: Duration) -> u64 {
    if terms < 1_000 {
        return est;
    }
    // rqrr's fixed part (~45 us measured) is left out of the speed.
    let work = took.saturating_sub(Duration::from_micros(50));
    let measured = (work.as_nanos() as u64 * 1_000 / terms as u64) * 5 / 4;
    let measured = measured.clamp(100_000, 2_000_000);
    if measured >= est {
        measured
    } else {
        est - (est - measured) / 8
    }
}

/// What rqrr's decode of `terms` syndrome terms is assumed to cost, plus a
/// fixed 0.3 ms.
fn rqrr_cost(terms: usize) -> Duration {
    let ps = RQRR_PS_PER_TERM.load(Ordering::Relaxed);
    Duration::from_micros(300) + Duration::from_nanos(terms as u64 * ps / 1_000)
}

impl rqrr::BitGrid for &Modules {
    fn size(&self) -> usize {
        self.dim
    }
    fn bit(&self, y: usize, x: usize) -> bool {
        self.dark[y * self.dim + x]
    }
}

/// Distance between two finders' centres.
pub fn dist(a: &Finder, b: &Finder) -> f32 {
    ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt()
}

/// A quick test on the three distances between three finders, passed by
/// every triple [`order`] accepts: the two sides at the corner (the longest
/// side is the diagonal) within 1.8 of each other and the corner angle
/// within 53-127 degrees.
pub fn could_be_corners(ab: f32, ac: f32, bc: f32) -> bool {
    let (diag, l1, l2) = if ab >= ac && ab >= bc {
        (ab, ac, bc)
    } else if ac >= bc {
        (ac, ab, bc)
    } else {
        (bc, ab, ac)
    };
    let (lo, hi) = (l1.min(l2), l1.max(l2));
    // |cos| <= 0.6 by the law of cosines (with some slack for rounding).
    hi <= lo * 1.8 + 0.01 && (l1 * l1 + l2 * l2 - diag * diag).abs() <= 1.2 * l1 * l2 + 0.01
}

/// Orders three finders as (top-left, top-right, bottom-left) when they can
/// be the corners of one code; `None` when the shape is implausible.
pub fn order(f: [Finder; 3]) -> Option<(Finder, Finder, Finder, f32)> {
    order_indices(&f).map(|([t, r, l], score)| (f[t], f[r], f[l], score))
}

/// [`order`] as the positions in `f` of the top-left, top-right and
/// bottom-left finders, with the shape's score (0 for a right isosceles
/// triangle of equal finders; lower is better).
pub fn order_indices(f: &[Finder; 3]) -> Option<([usize; 3], f32)> {
    let d = [dist(&f[1], &f[2]), dist(&f[0], &f[2]), dist(&f[0], &f[1])];
    let corner = (0..3).max_by(|&a, &b| d[a].total_cmp(&d[b]))?;
    let b = f[corner];
    let (i, j) = ((corner + 1) % 3, (corner + 2) % 3);
    let (p, q) = (f[i], f[j]);
    let cross = (p.x - b.x) * (q.y - b.y) - (p.y - b.y) * (q.x - b.x);
    let (r, l) = if cross > 0.0 { (i, j) } else { (j, i) };
    let (tr, bl) = (f[r], f[l]);
    let (l1, l2) = (dist(&b, &tr), dist(&b, &bl));
    if l1 < 1.0 || l2 < 1.0 {
        return None;
    }
    let ratio = l1.max(l2) / l1.min(l2);
    let cos = ((tr.x - b.x) * (bl.x - b.x) + (tr.y - b.y) * (bl.y - b.y)) / (l1 * l2);
    let modules = [b.module, tr.module, bl.module];
    let (mlo, mhi) = modules
        .iter()
        .fold((f32::MAX, 0f32), |(lo, hi), &m| (lo.min(m), hi.max(m)));
    if ratio > 1.8 || cos.abs() > 0.6 || mhi > mlo * 2.0 {
        return None;
    }
    // Distance between finder centres must be 14..170 modules.
    let m = (mlo + mhi) / 2.0;
    let span = (l1 + l2) / 2.0 / m;
    if !(10.0..=180.0).contains(&span) {
        return None;
    }
    let score = (ratio - 1.0) + cos.abs() + (mhi / mlo - 1.0);
    Some(([corner, r, l], score))
}

/// How much the modules beside the line from finder `corner` to finder
/// `arm` look like a code's timing pattern (dark and light in turn, one
/// module each): the share of the line, read in steps of a third of a
/// module (at least a pixel) 3, 2.5 or 3.5 modules off it towards `toward`
/// (the code's inside, where row or column 6 runs; the best of the three,
/// or the first that reaches 0.75, or none more when the line at 3 modules
/// shows under 0.15), covered by runs of 0.5-1.6 modules, at most 16
/// modules from the corner out. Runs rather than module centres,
/// so a module size estimated 30 % off (blur, moire) still sees
/// the pattern. A code scores near 1, random data about a quarter, finder
/// look-alikes with plain background or long strokes between them (keys,
/// icons, text) near 0.
pub fn timing_agreement(bits: &BitImage, corner: &Finder, arm: &Finder, toward: &Finder) -> f32 {
    let m = (corner.module + arm.module) / 2.0;
    let len = dist(corner, arm);
    // Module column 8 starts 4.5 modules past the corner finder's centre.
    let (s0, s1) = (4.5 * m, (len - 4.5 * m).min(4.5 * m + 16.0 * m));
    if s1 - s0 < 4.0 * m {
        return 0.0;
    }
    let (ex, ey) = ((arm.x - corner.x) / len, (arm.y - corner.y) / len);
    let side = ex * (toward.y - corner.y) - ey * (toward.x - corner.x);
    let (nx, ny) = if side >= 0.0 { (-ey, ex) } else { (ey, -ex) };
    let (lo, hi) = (0.5 * m, 1.6 * m);
    // A third of a module per step is fine enough to tell the run lengths.
    let step = (m / 3.0).max(1.0);
    let mut best = 0.0f32;
    for (i, off) in [3.0, 2.5, 3.5].into_iter().enumerate() {
        // Settled: clearly a timing pattern, or (at 3 modules) nothing
        // alternating at all (plain background, long strokes).
        if best >= 0.75 || (i == 1 && best < 0.15) {
            break;
        }
        let (ox, oy) = (corner.x + nx * off * m, corner.y + ny * off * m);
        let at = |t: f32| bits.dark_near((ox + ex * t) as f64, (oy + ey * t) as f64);
        // Runs between the first and the last colour change.
        let (mut good, mut total) = (0.0f32, 0.0f32);
        let mut prev = at(s0);
        let mut run_start: Option<f32> = None;
        let mut t = s0 + step;
        while t <= s1 {
            let now = at(t);
            if now != prev {
                if let Some(start) = run_start {
                    let run = t - start;
                    total += run;
                    if (lo..=hi).contains(&run) {
                        good += run;
                    }
                }
                run_start = Some(t);
                prev = now;
            }
            t += step;
        }
        if total >= 4.0 * m {
            best = best.max(good / total);
        }
    }
    best
}

/// Module size between two finders, measured across both along their joining line.
fn module_between(bits: &BitImage, a: &Finder, b: &Finder) -> f32 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    match (
        finder::width_along(bits, a, dx, dy),
        finder::width_along(bits, b, dx, dy),
    ) {
        (Some(wa), Some(wb)) => (wa + wb) / 14.0,
        (Some(w), None) | (None, Some(w)) => w / 7.0,
        (None, None) => (a.module + b.module) / 2.0,
    }
}

/// Triples with one finder beyond the image border: for each pair of seen
/// finders of one polarity and size, the third finder where a square code
/// would put it (beside either one, on either side, or across the diagonal),
/// kept when that spot is outside the image or within 3.5 modules of its
/// border (anywhere else it would have been seen); both seen finders must
/// be confirmed on at least three scan rows. The made-up finder has
/// `count` 0; triples are ordered as [`order`] does, plausible shapes only.
pub fn cut_off_triples(
    seen: &[Finder],
    width: usize,
    height: usize,
) -> Vec<(Finder, Finder, Finder)> {
    let mut out = Vec::new();
    let (w, h) = (width as f32, height as f32);
    for (i, a) in seen.iter().enumerate() {
        for b in &seen[i + 1..] {
            // Real finders are confirmed on several scan rows.
            if a.dark != b.dark
                || a.count.min(b.count) < 3
                || a.module > b.module * 1.5
                || b.module > a.module * 1.5
            {
                continue;
            }
            let m = (a.module + b.module) / 2.0;
            let (dx, dy) = (b.x - a.x, b.y - a.y);
            // The pair as a side (the third beside either end, either way)
            // or as the diagonal (the third off its middle).
            let spots = [
                (a.x - dy, a.y + dx),
                (a.x + dy, a.y - dx),
                (b.x - dy, b.y + dx),
                (b.x + dy, b.y - dx),
                ((a.x + b.x - dy) / 2.0, (a.y + b.y + dx) / 2.0),
                ((a.x + b.x + dy) / 2.0, (a.y + b.y - dx) / 2.0),
            ];
            for (x, y) in spots {
                let margin = 3.5 * m;
                let near_border = x < margin || y < margin || x > w - margin || y > h - margin;
                if !near_border {
                    continue;
                }
                let third = Finder {
                    x,
                    y,
                    module: m,
                    count: 0,
                    dark: a.dark,
                };
                if let Some((tl, tr, bl, score)) = order([*a, *b, third]) {
                    out.push((score, tl, tr, bl));
                }
            }
        }
    }
    out.sort_by(|x, y| x.0.total_cmp(&y.0));
    out.into_iter()
        .map(|(_, tl, tr, bl)| (tl, tr, bl))
        .collect()
}

/// Tries to read the code cornered by `tl`, `tr`, `bl`, within `budget`.
pub fn read(
    gray: &Gray,
    bits: &BitImage,
    tl: &Finder,
    tr: &Finder,
    bl: &Finder,
    budget: &Budget,
) -> Option<Hit> {
    let m1 = module_between(bits, tl, tr);
    let m2 = module_between(bits, tl, bl);
    let est = (dist(tl, tr) / m1 + dist(tl, bl) / m2) / 2.0 + 7.0;
    let v0 = ((est - 17.0) / 4.0).round().clamp(1.0, 40.0) as i32;
    let m = (m1 + m2) / 2.0;
    // Rank the versions near the estimate by how well the modules fixed by
    // the standard agree with the best initial transform, then refine the
    // best two and decode.
    // (rank, score, dim, transform): a matching version-information block
    // raises the rank only; the stages below judge the fit by its score.
    let mut ranked: Vec<(f32, f32, usize, Homography)> = Vec::new();
    for ver in (v0 - 2).max(1)..=(v0 + 2).min(40) {
        if budget.passed() {
            return None;
        }
        let dim = (17 + 4 * ver) as usize;
        let fitter = Fitter::new(bits, dim, tl.dark);
        let best = fits(bits, tl, tr, bl, dim, m)
            .into_iter()
            .map(|h| (fitter.score(&h), h))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        let Some((score, h)) = best else { continue };
        let mut rank = score;
        if dim >= 45 {
            match version_info(bits, &h, dim, tl.dark) {
                Some(v) if v == ver as usize => rank += 0.2,
                Some(_) => rank -= 0.1,
                None => {}
            }
        }
        ranked.push((rank, score, dim, h));
    }
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (_, initial, dim, h0) in ranked.into_iter().take(3) {
        if budget.passed() {
            return None;
        }
        let fitter = Fitter::new(bits, dim, tl.dark);
        // Follow the alignment patterns out from the finders when the start
        // is not already good (strong perspective, large versions).
        let (initial, h0) = if initial < 0.9 {
            let d = dim as f64;
            let finders = [
                [[3.5, 3.5], [d - 3.5, 3.5], [3.5, d - 3.5]],
                [tl, tr, bl].map(|f| [f.x as f64, f.y as f64]),
            ];
            progressive(bits, &h0, finders, dim, m, tl.dark, budget)
                .map(|h| (fitter.score(&h), h))
                .filter(|(s, _)| *s > initial)
                .unwrap_or((initial, h0))
        } else {
            (initial, h0)
        };
        // Strong perspective can put the bottom-right corner far from the
        // guess: search for it when the start is fair but not good (a
        // poorer start is no code: random triples score about 0.5).
        let (h0, start) = if (0.7..0.9).contains(&initial) {
            let radius = m as f64 * (2.0 + dim as f64 * 0.15);
            fitter.search_corner(&h0, radius, m as f64 * 1.5, budget)
        } else {
            (h0, initial)
        };
        // A real code agrees on well over half its fixed modules; random
        // triples sit near one half.
        if start < 0.62 {
            continue;
        }
        let (h, _) = fitter.refine(&h0, m as f64, budget);
        let d = dim as f64;
        let quad = [(0.0, 0.0), (d, 0.0), (d, d), (0.0, d)].map(|(u, v)| {
            let (x, y) = h.map(u, v);
            [x, y]
        });
        // Sampling costs ~0.2 us a module.
        if !budget.allows(Duration::from_nanos(dim as u64 * dim as u64 * 200)) {
            return None;
        }
        for mut grid in sample(gray, bits, &h, dim, tl.dark, budget)? {
            if budget.passed() {
                return None;
            }
            if let Some(bytes) = decode(&mut grid, budget) {
                return Some(Hit { bytes, quad });
            }
        }
    }
    None
}

/// Perspective fits for a code of `dim` modules: through the bottom-right
/// alignment pattern when one is found, then the affine guess.
fn fits(
    bits: &BitImage,
    tl: &Finder,
    tr: &Finder,
    bl: &Finder,
    dim: usize,
    m: f32,
) -> Vec<Homography> {
    let n = dim as f64 - 7.0;
    let (bx, by) = (tl.x as f64, tl.y as f64);
    let (ux, uy) = ((tr.x as f64 - bx) / n, (tr.y as f64 - by) / n);
    let (vx, vy) = ((bl.x as f64 - bx) / n, (bl.y as f64 - by) / n);
    let affine = |u: f64, v: f64| {
        [
            bx + ux * (u - 3.5) + vx * (v - 3.5),
            by + uy * (u - 3.5) + vy * (v - 3.5),
        ]
    };
    let d = dim as f64;
    let src3 = [[3.5, 3.5], [d - 3.5, 3.5], [3.5, d - 3.5]];
    let dst3 = [
        [bx, by],
        [tr.x as f64, tr.y as f64],
        [bl.x as f64, bl.y as f64],
    ];
    let mut out = Vec::with_capacity(2);
    if dim > 21 {
        let [ex, ey] = affine(d - 6.5, d - 6.5);
        let radius = m * (3.0 + dim as f32 * 0.12);
        for (ax, ay) in finder::find_alignment(bits, ex as f32, ey as f32, radius, m, tl.dark, 6) {
            out.extend(Homography::quad_to_quad(
                [src3[0], src3[1], [d - 6.5, d - 6.5], src3[2]],
                [dst3[0], dst3[1], [ax as f64, ay as f64], dst3[2]],
            ));
        }
    }
    let affine_h = Homography::quad_to_quad(
        [src3[0], src3[1], [d - 3.5, d - 3.5], src3[2]],
        [dst3[0], dst3[1], affine(d - 3.5, d - 3.5), dst3[2]],
    );
    out.extend(affine_h);
    out
}

/// Walks out from the three finders over the alignment patterns, nearest
/// first: each is looked for where the current transform puts it (within a
/// radius growing with the distance from what is already known), and every
/// one found refits the transform (least squares over all the points). A
/// short step at a time, strong perspective is followed where one
/// extrapolation from the three finders would miss.
fn progressive(
    bits: &BitImage,
    start: &Homography,
    finders: [[[f64; 2]; 3]; 2],
    dim: usize,
    module: f32,
    dark: bool,
    budget: &Budget,
) -> Option<Homography> {
    let pos = fit::alignment_positions(dim);
    let last = *pos.last()?;
    let mut todo: Vec<[f64; 2]> = Vec::new();
    for &y in &pos {
        for &x in &pos {
            let edge = |a: usize| a == 6 || a == last;
            if edge(x) && edge(y) && (x == 6 || y == 6) {
                continue;
            }
            todo.push([x as f64 + 0.5, y as f64 + 0.5]);
        }
    }
    let mut known: Vec<([f64; 2], [f64; 2])> =
        (0..3).map(|i| (finders[0][i], finders[1][i])).collect();
    let mut h = *start;
    let mut found = 0;
    let mut tried = 0;
    while !todo.is_empty() {
        // A triple that is no code shows no alignment pattern where the
        // first ones should be: give up on it early.
        if budget.passed() || (tried >= 3 && found == 0) {
            break;
        }
        tried += 1;
        let gap = |p: &[f64; 2]| {
            known
                .iter()
                .map(|(g, _)| (g[0] - p[0]).hypot(g[1] - p[1]))
                .fold(f64::MAX, f64::min)
        };
        let k = (0..todo.len()).min_by(|&a, &b| gap(&todo[a]).total_cmp(&gap(&todo[b])))?;
        let g = todo.swap_remove(k);
        let reach = gap(&g);
        let (ex, ey) = h.map(g[0], g[1]);
        let (nx, ny) = h.map(g[0] + 1.0, g[1]);
        let (mx, my) = h.map(g[0], g[1] + 1.0);
        // Local module size, within what perspective can make of the finders'.
        let m = (((nx - ex).hypot(ny - ey) + (mx - ex).hypot(my - ey)) / 2.0) as f32;
        let m = m.clamp(module * 0.5, module * 2.0);
        let radius = m * (1.5 + 0.12 * reach.min(60.0) as f32);
        if let Some(&(ax, ay)) =
            finder::find_alignment(bits, ex as f32, ey as f32, radius, m, dark, 1).first()
        {
            known.push((g, [ax as f64, ay as f64]));
            found += 1;
            if let Some(next) = Homography::fit(&known) {
                h = next;
            }
        }
    }
    (found > 0).then_some(h)
}

fn module_dark(bits: &BitImage, h: &Homography, i: usize, j: usize, dark: bool) -> bool {
    let (x, y) = h.map(i as f64 + 0.5, j as f64 + 0.5);
    bits.dark_near(x, y) == dark
}

/// BCH(18,6) remainder for version information.
fn version_code(v: u32) -> u32 {
    let mut r = v << 12;
    for bit in (12..18).rev() {
        if r & (1 << bit) != 0 {
            r ^= 0x1F25 << (bit - 12);
        }
    }
    (v << 12) | r
}

/// The version written in the version-information blocks (either copy, or
/// their mirror images), when it is within 3 bit errors of a valid one.
fn version_info(bits: &BitImage, h: &Homography, dim: usize, dark: bool) -> Option<usize> {
    let mut reads = [0u32; 2];
    for i in 0..18 {
        let (a, b) = (i / 3, dim - 11 + i % 3);
        reads[0] |= (module_dark(bits, h, b, a, dark) as u32) << i;
        reads[1] |= (module_dark(bits, h, a, b, dark) as u32) << i;
    }
    let mut best: Option<(u32, usize)> = None;
    for v in 7..=40u32 {
        let code = version_code(v);
        for r in reads {
            let d = (code ^ r).count_ones();
            if d <= 3 && best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, v as usize));
            }
        }
    }
    best.map(|(_, v)| v)
}

/// Bilinear luma at (x, y), clamped to the image.
fn bilinear(g: &Gray, x: f64, y: f64) -> f32 {
    let x = x.clamp(0.0, (g.width - 1) as f64);
    let y = y.clamp(0.0, (g.height - 1) as f64);
    let (x0, y0) = (x.floor() as usize, y.floor() as usize);
    let (x1, y1) = ((x0 + 1).min(g.width - 1), (y0 + 1).min(g.height - 1));
    let (fx, fy) = ((x - x0 as f64) as f32, (y - y0 as f64) as f32);
    let p = |xx: usize, yy: usize| g.data[yy * g.width + xx] as f32;
    let top = p(x0, y0) * (1.0 - fx) + p(x1, y0) * fx;
    let bot = p(x0, y1) * (1.0 - fx) + p(x1, y1) * fx;
    top * (1.0 - fy) + bot * fy
}

/// Two samplings of the code: the binary image at module centres, and the
/// greyscale module means against the mean of the 9x9 modules around each.
/// Asks `budget` every 16 module rows; `None` when the time is up.
fn sample(
    gray: &Gray,
    bits: &BitImage,
    h: &Homography,
    dim: usize,
    dark: bool,
    budget: &Budget,
) -> Option<[Modules; 2]> {
    let mut bin = Vec::with_capacity(dim * dim);
    let mut val = Vec::with_capacity(dim * dim);
    for j in 0..dim {
        if j % 16 == 15 && budget.passed() {
            return None;
        }
        for i in 0..dim {
            let (x, y) = h.map(i as f64 + 0.5, j as f64 + 0.5);
            bin.push(bits.dark_near(x, y) == dark);
            let mut s = 0.0;
            for (du, dv) in [(0.5, 0.5), (0.3, 0.3), (0.7, 0.3), (0.3, 0.7), (0.7, 0.7)] {
                let (x, y) = h.map(i as f64 + du, j as f64 + dv);
                s += bilinear(gray, x, y);
            }
            val.push(s / 5.0);
        }
    }
    // Integral image of module values for the local mean.
    let w = dim + 1;
    let mut integral = vec![0f32; w * w];
    for j in 0..dim {
        let mut row = 0.0;
        for i in 0..dim {
            row += val[j * dim + i];
            integral[(j + 1) * w + i + 1] = integral[j * w + i + 1] + row;
        }
    }
    const R: usize = 4;
    let mut grey = Vec::with_capacity(dim * dim);
    for j in 0..dim {
        let (j0, j1) = (j.saturating_sub(R), (j + R + 1).min(dim));
        for i in 0..dim {
            let (i0, i1) = (i.saturating_sub(R), (i + R + 1).min(dim));
            let s = integral[j1 * w + i1] + integral[j0 * w + i0]
                - integral[j0 * w + i1]
                - integral[j1 * w + i0];
            let mean = s / ((j1 - j0) * (i1 - i0)) as f32;
            grey.push((val[j * dim + i] < mean) == dark);
        }
    }
    Some([Modules { dim, dark: bin }, Modules { dim, dark: grey }])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rqrr_speed_estimate_rises_at_once_and_falls_slowly() {
        let ms = Duration::from_millis;
        // Version 40 took 20 ms: 20 ms / 111,000 terms x 1.25 = ~225 ns.
        let slow = next_ps_per_term(100_000, 111_000, ms(20));
        assert!((220_000..230_000).contains(&slow), "{slow}");
        // A faster decode moves it an eighth of the way down.
        let fast = next_ps_per_term(slow, 111_000, ms(10));
        assert!(fast < slow && fast > slow - (slow - 112_000) / 7, "{fast}");
        // Too small to tell: unchanged.
        assert_eq!(next_ps_per_term(slow, 900, ms(5)), slow);
        // A stall (a busy machine) is believed at once, within bounds.
        assert_eq!(next_ps_per_term(slow, 111_000, ms(10_000)), 2_000_000);
    }

    fn finder(x: f32, y: f32, count: u32) -> Finder {
        Finder {
            x,
            y,
            module: 4.0,
            count,
            dark: true,
        }
    }

    #[test]
    fn a_third_finder_is_placed_beyond_the_border_only() {
        // Top-left and bottom-left of a 100 px code whose right side is cut
        // off by a 90 px wide image.
        let seen = [finder(20.0, 20.0, 8), finder(20.0, 120.0, 8)];
        let triples = cut_off_triples(&seen, 90, 200);
        // The code as it is (the third to the right) is among the guesses,
        // with the one mirrored to the left (also outside).
        let pos = |f: &Finder| (f.x, f.y);
        assert!(
            triples.iter().any(|(tl, tr, bl)| pos(tl) == (20.0, 20.0)
                && pos(tr) == (120.0, 20.0)
                && tr.count == 0
                && pos(bl) == (20.0, 120.0)),
            "{triples:?}"
        );
        // Every made-up finder is outside or within 3.5 modules of the border.
        for (a, b, c) in &triples {
            for f in [a, b, c].into_iter().filter(|f| f.count == 0) {
                assert!(
                    f.x < 14.0 || f.y < 14.0 || f.x > 76.0 || f.y > 186.0,
                    "{f:?}"
                );
            }
        }
        // A pair in the middle of the image has no third beyond the border.
        let middle = [finder(200.0, 100.0, 8), finder(200.0, 200.0, 8)];
        assert!(cut_off_triples(&middle, 400, 400).is_empty());
        // Finders seen on fewer than three rows are not trusted.
        let weak = [finder(20.0, 20.0, 2), finder(20.0, 120.0, 8)];
        assert!(cut_off_triples(&weak, 90, 200).is_empty());
    }

    #[test]
    fn the_quick_corner_test_passes_every_triple_order_accepts() {
        let mut s = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 40) as f32 / (1u64 << 24) as f32
        };
        let mut accepted = 0;
        for _ in 0..20_000 {
            let f = [(); 3].map(|_| Finder {
                x: next() * 400.0,
                y: next() * 400.0,
                module: 2.0 + next() * 0.5,
                count: 3,
                dark: true,
            });
            if order(f).is_some() {
                accepted += 1;
                let d = |a: usize, b: usize| dist(&f[a], &f[b]);
                assert!(could_be_corners(d(0, 1), d(0, 2), d(1, 2)), "{f:?}");
            }
        }
        assert!(accepted > 100, "{accepted}");
    }

    #[test]
    fn timing_agreement_sees_the_timing_pattern_inside_the_corner() {
        // 4 px modules, a code of 29 modules: row and column 6 alternate
        // from module 8 to 20.
        let (w, m) = (140usize, 4usize);
        let mut bits = BitImage {
            width: w,
            height: w,
            bits: vec![0; w * w],
        };
        let blank = bits.clone();
        for k in (8..=20).step_by(2) {
            for y in 0..m {
                for x in 0..m {
                    bits.bits[(6 * m + y) * w + k * m + x] = 1;
                    bits.bits[(k * m + y) * w + 6 * m + x] = 1;
                }
            }
        }
        let at = |i: f32, j: f32| Finder {
            x: i * m as f32,
            y: j * m as f32,
            module: m as f32,
            count: 4,
            dark: true,
        };
        let (tl, tr, bl) = (at(3.5, 3.5), at(25.5, 3.5), at(3.5, 25.5));
        assert_eq!(timing_agreement(&bits, &tl, &tr, &bl), 1.0);
        assert_eq!(timing_agreement(&bits, &tl, &bl, &tr), 1.0);
        // Nothing between the finders, or the inside on the other side.
        assert_eq!(timing_agreement(&blank, &tl, &tr, &bl), 0.0);
        assert_eq!(timing_agreement(&bits, &tl, &tr, &at(3.5, -18.5)), 0.0);
    }

    #[test]
    fn rqrr_speed_is_measured_on_a_real_grid() {
        // The calibration grid is encoded and read back, and gives a speed
        // within the estimate's bounds (whatever this machine's speed).
        let ps = measure_rqrr().expect("the calibration grid decodes");
        assert!((100_000..=2_000_000).contains(&ps), "{ps}");
    }

    #[test]
    fn rqrr_cost_for_a_known_level_is_at_most_the_worst_case() {
        for dim in [21, 57, 97, 177] {
            let worst = rqrr_terms(dim, None);
            assert!(worst > 0);
            for level in 0..4 {
                assert!(rqrr_terms(dim, Some(level)) <= worst);
            }
        }
        // Version 40: 3,706 codewords, 30 parity each for L, Q and H.
        assert_eq!(rqrr_terms(177, None), 3_706 * 30);
    }
}
