//! Finder-pattern (and alignment-pattern) detection on a binary image.
//!
//! A finder pattern crossed by any line through its centre gives five runs
//! in the ratio 1:1:3:1:1. Rows are scanned for that ratio (both
//! polarities, so inverted codes are found in the same pass); each hit is
//! confirmed by a vertical, a second horizontal and a diagonal cross-check
//! through the refined centre, and nearby hits are merged. A pattern cut by
//! the image border (a code held partly out of view) is found while its
//! centre square shows: the runs beyond the border are completed from the
//! other side.

use super::binarize::BitImage;

/// A confirmed finder-pattern centre.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Finder {
    /// Centre x in working-image pixels.
    pub x: f32,
    /// Centre y in working-image pixels.
    pub y: f32,
    /// Estimated module size in pixels.
    pub module: f32,
    /// How many scan lines confirmed it.
    pub count: u32,
    /// `true` for dark-on-light, `false` for an inverted (light-on-dark) pattern.
    pub dark: bool,
}

/// Checks five run lengths against 1:1:3:1:1; returns the module size.
fn ratio_ok(r: &[u32; 5]) -> Option<f32> {
    let total: u32 = r.iter().sum();
    // Below 12 pixels (modules under ~1.7 px) sensor noise matches the ratio everywhere.
    if total < 12 {
        return None;
    }
    let m = total as f32 / 7.0;
    // Thresholding moves each edge by up to about half a pixel, so a
    // one-module run can come out almost a pixel short: at 2-3 px modules
    // that, not the ratio, is the error to allow for.
    let one = |v: u32| (v as f32) >= m * 0.45 - 0.4 && (v as f32) <= m * 1.6 + 0.5;
    let three = (r[2] as f32) >= m * 1.6 && (r[2] as f32) <= m * 4.6;
    (one(r[0]) && one(r[1]) && one(r[3]) && one(r[4]) && three).then_some(m)
}

/// Walks from (cx, cy) along (dx, dy) both ways and collects the five runs of a
/// pattern centred there. Returns the runs and the centre offset (in steps).
///
/// A pattern cut by the image border on one side (a code held partly out of
/// view) still counts when the border falls inside its outer ring: that
/// ring's run is then taken from the opposite side.
fn cross(
    b: &BitImage,
    cx: i32,
    cy: i32,
    dx: i32,
    dy: i32,
    dark: bool,
    max_run: u32,
) -> Option<([u32; 5], f32)> {
    let at = |i: i32| b.dark(cx + dx * i, cy + dy * i) == dark;
    let inside = |i: i32| {
        let (x, y) = (cx + dx * i, cy + dy * i);
        x >= 0 && y >= 0 && (x as usize) < b.width && (y as usize) < b.height
    };
    if !at(0) {
        return None;
    }
    let mut runs = [0u32; 5];
    // Backwards: centre part, ring gap, outer ring.
    let mut i = 0;
    while inside(i) && at(i) {
        runs[2] += 1;
        i -= 1;
        if runs[2] > max_run * 3 {
            return None;
        }
    }
    let back_center = runs[2];
    let mut cut = [false; 2];
    for (slot, want) in [(1usize, false), (0usize, true)] {
        while inside(i) && at(i) == want {
            runs[slot] += 1;
            i -= 1;
            if runs[slot] > max_run {
                return None;
            }
        }
        if slot == 0 && !inside(i) {
            cut[0] = true;
        } else if runs[slot] == 0 {
            return None;
        }
    }
    let mut i = 1;
    while inside(i) && at(i) {
        runs[2] += 1;
        i += 1;
        if runs[2] > max_run * 3 {
            return None;
        }
    }
    let fwd_center = runs[2] - back_center;
    for (slot, want) in [(3usize, false), (4usize, true)] {
        while inside(i) && at(i) == want {
            runs[slot] += 1;
            i += 1;
            if runs[slot] > max_run {
                return None;
            }
        }
        if slot == 4 && !inside(i) {
            cut[1] = true;
        } else if runs[slot] == 0 {
            return None;
        }
    }
    // The ring's width on the cut side is at least what shows, and about
    // the gap's beside it.
    match cut {
        // Both ends at the border (a diagonal through a corner): as they show.
        [true, true] if runs[0] == 0 || runs[4] == 0 => return None,
        [true, true] => {}
        [true, false] => {
            runs[1] = runs[1].max(runs[3]);
            runs[0] = runs[0].max(runs[1]);
        }
        [false, true] => {
            runs[3] = runs[3].max(runs[1]);
            runs[4] = runs[4].max(runs[3]);
        }
        [false, false] => {}
    }
    // The centre run spans [1 - back, fwd]; its middle:
    let mid = (fwd_center as f32 - back_center as f32 + 1.0) / 2.0;
    Some((runs, mid))
}

/// Finds finder-pattern centres, scanning every `step`-th row; stops collecting
/// new centres at `limit`.
pub fn find_finders(b: &BitImage, step: usize, limit: usize) -> Vec<Finder> {
    find_finders_until(b, step, limit, &|| false)
}

/// [`find_finders`], asking `stop` every 32 rows scanned and returning what
/// it found so far when it says stop.
pub fn find_finders_until(
    b: &BitImage,
    step: usize,
    limit: usize,
    stop: &dyn Fn() -> bool,
) -> Vec<Finder> {
    let mut found: Vec<Finder> = Vec::new();
    let mut runs: Vec<u32> = Vec::with_capacity(b.width / 2);
    let mut y = step / 2;
    let mut rows = 0usize;
    while y < b.height {
        rows += 1;
        if rows.is_multiple_of(32) && stop() {
            break;
        }
        let row = &b.bits[y * b.width..(y + 1) * b.width];
        runs.clear();
        let first_dark = row[0] != 0;
        let mut cur = row[0];
        let mut len = 0u32;
        for &v in row {
            if v == cur {
                len += 1;
            } else {
                runs.push(len);
                cur = v;
                len = 1;
            }
        }
        runs.push(len);
        let mut start = 0u32;
        for i in 0..runs.len().saturating_sub(4) {
            let window = [runs[i], runs[i + 1], runs[i + 2], runs[i + 3], runs[i + 4]];
            let dark = first_dark == (i % 2 == 0);
            if let Some(m) = ratio_ok(&window) {
                let cx = start + window[0] + window[1] + window[2] / 2;
                if let Some(f) = confirm(b, cx as i32, y as i32, dark, m) {
                    add(&mut found, f, limit);
                }
            }
            start += runs[i];
        }
        for (window, cx, dark) in cut_windows(&runs, first_dark, b.width as u32)
            .into_iter()
            .flatten()
        {
            if let Some(m) = ratio_ok(&window)
                && let Some(f) = confirm(b, cx as i32, y as i32, dark, m)
            {
                add(&mut found, f, limit);
            }
        }
        y += step;
    }
    found.sort_by_key(|f| std::cmp::Reverse(f.count));
    found
}

/// The row windows of a pattern cut by the left or right border, with the
/// cut runs completed from the other side: the outer ring partly outside,
/// or the ring and part of the light gap. Returns each window with its
/// centre x and polarity (none for a row of fewer than five runs). Called
/// for every scanned row, so it allocates nothing.
fn cut_windows(runs: &[u32], first_dark: bool, width: u32) -> Option<[([u32; 5], u32, bool); 4]> {
    let n = runs.len();
    if n < 5 {
        return None;
    }
    let r = runs;
    // Run k has the first run's colour when k is even.
    let last_dark = first_dark == (n - 1).is_multiple_of(2);
    let end = |k: usize| width - r[n - k..].iter().sum::<u32>();
    Some([
        // Left border: part of the ring shows, or only part of the gap.
        (
            [r[0].max(r[1]), r[1], r[2], r[3], r[4]],
            r[0] + r[1] + r[2] / 2,
            first_dark,
        ),
        (
            [r[3], r[0].max(r[2]), r[1], r[2], r[3]],
            r[0] + r[1] / 2,
            !first_dark,
        ),
        // Right border, the same mirrored.
        (
            [
                r[n - 5],
                r[n - 4],
                r[n - 3],
                r[n - 2],
                r[n - 1].max(r[n - 2]),
            ],
            end(3) + r[n - 3] / 2,
            last_dark,
        ),
        (
            [
                r[n - 4],
                r[n - 3],
                r[n - 2],
                r[n - 1].max(r[n - 3]),
                r[n - 4],
            ],
            end(2) + r[n - 2] / 2,
            !last_dark,
        ),
    ])
}

fn confirm(b: &BitImage, cx: i32, cy: i32, dark: bool, m: f32) -> Option<Finder> {
    let max_run = (m * 2.5).ceil() as u32 + 2;
    let (vr, vmid) = cross(b, cx, cy, 0, 1, dark, max_run)?;
    let vm = ratio_ok(&vr)?;
    let cy2 = cy + vmid.round() as i32;
    let (hr, hmid) = cross(b, cx, cy2, 1, 0, dark, max_run)?;
    let hm = ratio_ok(&hr)?;
    let cx2 = cx + hmid.round() as i32;
    if hm > vm * 2.0 || vm > hm * 2.0 {
        return None;
    }
    // A diagonal through the centre must show the pattern too (rejects text and stripes).
    let (dr, _) = cross(b, cx2, cy2, 1, 1, dark, max_run * 2)?;
    ratio_ok(&dr)?;
    Some(Finder {
        x: cx as f32 + hmid,
        y: cy as f32 + vmid,
        module: (hm + vm) / 2.0,
        count: 1,
        dark,
    })
}

fn add(found: &mut Vec<Finder>, f: Finder, limit: usize) {
    // Rows are scanned top to bottom, so only recent entries can be the same pattern.
    let horizon = f.y - 4.0 * f.module - 2.0;
    for g in found.iter_mut().rev() {
        if g.y < horizon {
            break;
        }
        let near = (g.x - f.x).abs() <= g.module * 2.0 && (g.y - f.y).abs() <= g.module * 2.0;
        let similar = f.module <= g.module * 1.5 && g.module <= f.module * 1.5;
        if near && similar && g.dark == f.dark {
            let n = g.count as f32;
            g.x = (g.x * n + f.x) / (n + 1.0);
            g.y = (g.y * n + f.y) / (n + 1.0);
            g.module = (g.module * n + f.module) / (n + 1.0);
            g.count += 1;
            return;
        }
    }
    if found.len() < limit {
        found.push(f);
    }
}

/// Width of a finder pattern along direction (dx, dy) through its centre, in
/// pixels, from outer edge to outer edge (7 modules); `None` when it is not
/// all inside the image.
pub fn width_along(b: &BitImage, f: &Finder, dx: f32, dy: f32) -> Option<f32> {
    let len = (dx * dx + dy * dy).sqrt();
    let (ux, uy) = (dx / len, dy / len);
    let limit = (f.module * 8.0) as i32 + 4;
    let mut total = 0.0;
    for sign in [-1.0f32, 1.0] {
        let mut state = 0; // 0 centre, 1 gap, 2 ring
        let mut i = 0;
        loop {
            if i > limit {
                return None;
            }
            let x = (f.x + sign * ux * i as f32).round() as i32;
            let y = (f.y + sign * uy * i as f32).round() as i32;
            // A pattern cut by the border has no width on that side.
            if x < 0 || y < 0 || x as usize >= b.width || y as usize >= b.height {
                return None;
            }
            let same = b.dark(x, y) == f.dark;
            match (state, same) {
                (0, false) => state = 1,
                (1, true) => state = 2,
                (2, false) => break,
                _ => {}
            }
            i += 1;
        }
        total += i as f32;
    }
    Some(total)
}

/// Finds alignment-pattern candidates within `radius` pixels of (ex, ey),
/// nearest first (at most `max`): a 1-module square of the code's dark
/// colour inside a 1-module light ring.
pub fn find_alignment(
    b: &BitImage,
    ex: f32,
    ey: f32,
    radius: f32,
    module: f32,
    dark: bool,
    max: usize,
) -> Vec<(f32, f32)> {
    let x0 = (ex - radius).max(0.0) as i32;
    let x1 = ((ex + radius) as i32).min(b.width as i32 - 1);
    let y0 = (ey - radius).max(0.0) as i32;
    let y1 = ((ey + radius) as i32).min(b.height as i32 - 1);
    if x1 <= x0 || y1 <= y0 {
        return Vec::new();
    }
    let ok = |v: u32| (v as f32) >= module * 0.4 && (v as f32) <= module * 1.8 + 1.0;
    let mut found: Vec<(f32, f32, f32)> = Vec::new();
    for y in y0..=y1 {
        let mut x = x0;
        while x <= x1 {
            // Find a run of the code colour starting at x.
            if b.dark(x, y) != dark {
                x += 1;
                continue;
            }
            let s = x;
            while x <= x1 && b.dark(x, y) == dark {
                x += 1;
            }
            let run = (x - s) as u32;
            if !ok(run) {
                continue;
            }
            // Light runs on both sides about one module.
            let mut l = 0u32;
            while b.dark(s - 1 - l as i32, y) != dark && l as f32 <= module * 2.0 + 1.0 {
                l += 1;
            }
            let mut r = 0u32;
            while b.dark(x + r as i32, y) != dark && r as f32 <= module * 2.0 + 1.0 {
                r += 1;
            }
            if !ok(l) || !ok(r) {
                continue;
            }
            let cx = s as f32 + run as f32 / 2.0 - 0.5;
            // Vertical check through the centre.
            let ci = cx.round() as i32;
            let (mut up, mut down) = (0i32, 0i32);
            while b.dark(ci, y - up - 1) == dark && (up as f32) < module * 2.0 {
                up += 1;
            }
            while b.dark(ci, y + down + 1) == dark && (down as f32) < module * 2.0 {
                down += 1;
            }
            let vrun = (up + down + 1) as u32;
            if !ok(vrun) {
                continue;
            }
            let mut lu = 0u32;
            while b.dark(ci, y - up - 1 - lu as i32) != dark && lu as f32 <= module * 2.0 + 1.0 {
                lu += 1;
            }
            let mut ld = 0u32;
            while b.dark(ci, y + down + 1 + ld as i32) != dark && ld as f32 <= module * 2.0 + 1.0 {
                ld += 1;
            }
            if !ok(lu) || !ok(ld) {
                continue;
            }
            let cy = y as f32 + (down - up) as f32 / 2.0;
            // Rows through the same square give the same centre: keep one.
            if found
                .iter()
                .any(|&(fx, fy, _)| (fx - cx).abs() < module && (fy - cy).abs() < module)
            {
                continue;
            }
            found.push((cx, cy, (cx - ex).powi(2) + (cy - ey).powi(2)));
        }
    }
    found.sort_by(|a, b| a.2.total_cmp(&b.2));
    found
        .into_iter()
        .take(max)
        .map(|(x, y, _)| (x, y))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A binary image with one finder pattern (module `m`) whose top-left is at (ox, oy).
    fn finder_image(m: usize, ox: usize, oy: usize, dark: bool) -> BitImage {
        let (w, h) = (ox + 7 * m + 20, oy + 7 * m + 20);
        let mut bits = vec![(!dark) as u8; w * h];
        for y in 0..7 * m {
            for x in 0..7 * m {
                let (i, j) = (x / m, y / m);
                let ring = i == 0 || i == 6 || j == 0 || j == 6;
                let centre = (2..=4).contains(&i) && (2..=4).contains(&j);
                if ring || centre {
                    bits[(oy + y) * w + ox + x] = dark as u8;
                }
            }
        }
        BitImage {
            width: w,
            height: h,
            bits,
        }
    }

    #[test]
    fn finds_one_finder_in_both_polarities() {
        for dark in [true, false] {
            let b = finder_image(4, 10, 12, dark);
            let f = find_finders(&b, 1, 10);
            assert_eq!(f.len(), 1, "dark={dark}: {f:?}");
            assert!((f[0].x - (10.0 + 14.0 - 0.5)).abs() < 1.0, "{f:?}");
            assert!((f[0].y - (12.0 + 14.0 - 0.5)).abs() < 1.0, "{f:?}");
            assert!((f[0].module - 4.0).abs() < 0.6);
            assert_eq!(f[0].dark, dark);
            let w = width_along(&b, &f[0], 1.0, 0.0).expect("edges found");
            assert!((w - 28.0).abs() <= 2.0, "{w}");
        }
    }

    /// `b` without its first `top` rows and `left` columns and its last
    /// `bottom` rows and `right` columns.
    fn crop(b: &BitImage, left: usize, top: usize, right: usize, bottom: usize) -> BitImage {
        let (w, h) = (b.width - left - right, b.height - top - bottom);
        let bits = (0..w * h)
            .map(|i| b.bits[(top + i / w) * b.width + left + i % w])
            .collect();
        BitImage {
            width: w,
            height: h,
            bits,
        }
    }

    #[test]
    fn a_finder_cut_by_any_border_is_found_while_its_centre_shows() {
        // Module 4: the pattern's top-left at (10, 12), its centre at (23.5, 25.5).
        for dark in [true, false] {
            let b = finder_image(4, 10, 12, dark);
            // Cut through the outer ring (2 of its 4 px outside) and through
            // the gap (the ring and 2 px of the gap outside).
            for cut in [2usize, 6] {
                let (cut_x, cut_y) = (10 + cut, 12 + cut);
                let (rw, rh) = (b.width - 38 + cut, b.height - 40 + cut);
                let sides = [
                    ("top", crop(&b, 0, cut_y, 0, 0), 23.5, 25.5 - cut_y as f32),
                    ("left", crop(&b, cut_x, 0, 0, 0), 23.5 - cut_x as f32, 25.5),
                    ("bottom", crop(&b, 0, 0, 0, rh), 23.5, 25.5),
                    ("right", crop(&b, 0, 0, rw, 0), 23.5, 25.5),
                ];
                for (side, img, x, y) in sides {
                    let f = find_finders(&img, 1, 10);
                    let what = format!("dark={dark} {side} cut={cut}: {f:?}");
                    assert_eq!(f.len(), 1, "{what}");
                    assert!(
                        (f[0].x - x).abs() < 1.0 && (f[0].y - y).abs() < 1.0,
                        "{what}"
                    );
                    assert!((f[0].module - 4.0).abs() < 0.8, "{what}");
                    assert_eq!(f[0].dark, dark, "{what}");
                }
            }
            // Cut into the centre square: too little shows.
            let b = finder_image(4, 10, 12, dark);
            assert!(find_finders(&crop(&b, 0, 12 + 9, 0, 0), 1, 10).is_empty());
            assert!(find_finders(&crop(&b, 10 + 9, 0, 0, 0), 1, 10).is_empty());
        }
    }

    #[test]
    fn a_ring_thresholded_a_pixel_thin_still_counts_at_small_modules() {
        // 2.3 px modules: the outer ring came out 1 px wide on one side.
        assert!(ratio_ok(&[1, 3, 7, 3, 2]).is_some());
        // Far off 1:1:3:1:1 is still refused.
        assert!(ratio_ok(&[1, 6, 3, 1, 5]).is_none());
        assert!(ratio_ok(&[4, 4, 4, 4, 4]).is_none());
    }

    #[test]
    fn stripes_are_not_finders() {
        let (w, h) = (80, 80);
        let bits = (0..w * h).map(|i| ((i % w) / 3 % 2) as u8).collect();
        assert!(
            find_finders(
                &BitImage {
                    width: w,
                    height: h,
                    bits
                },
                1,
                10
            )
            .is_empty()
        );
    }
}
