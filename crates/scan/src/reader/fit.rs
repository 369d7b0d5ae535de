//! Fitting the grid: the modules every QR code of a given size must show
//! (finder patterns with their separators, timing patterns, alignment
//! patterns, the dark module) score a candidate perspective transform, and
//! a coordinate descent over the image positions of four grid points
//! moves the transform to where those modules agree best. This absorbs
//! strong perspective, finder centres that blur moved, and a missing or
//! misplaced alignment pattern.

use super::Budget;
use super::binarize::BitImage;
use super::geometry::Homography;

/// One module whose colour is fixed by the QR standard.
#[derive(Debug, Clone, Copy)]
struct Cell {
    x: u16,
    y: u16,
    dark: bool,
}

/// Centres of the alignment patterns along one axis for a code of `dim` modules.
pub fn alignment_positions(dim: usize) -> Vec<usize> {
    let version = (dim - 17) / 4;
    if version < 2 {
        return Vec::new();
    }
    let count = version / 7 + 2;
    let step = if version == 32 {
        26
    } else {
        (dim - 13).div_ceil(2 * (count - 1)) * 2
    };
    let mut out = vec![6];
    for i in (0..count - 1).rev() {
        out.push(dim - 7 - step * i);
    }
    out
}

fn cells(dim: usize) -> Vec<Cell> {
    let mut out = Vec::with_capacity(3 * 81 + 2 * dim + 200);
    let mut put = |x: i32, y: i32, dark: bool| {
        if x >= 0 && y >= 0 && (x as usize) < dim && (y as usize) < dim {
            out.push(Cell {
                x: x as u16,
                y: y as u16,
                dark,
            });
        }
    };
    let d = dim as i32;
    for (ox, oy) in [(0, 0), (d - 7, 0), (0, d - 7)] {
        for dy in -1..=7 {
            for dx in -1..=7 {
                let ring = (dx == 0 || dx == 6 || dy == 0 || dy == 6)
                    && (0..=6).contains(&dx)
                    && (0..=6).contains(&dy);
                let centre = (2..=4).contains(&dx) && (2..=4).contains(&dy);
                put(ox + dx, oy + dy, ring || centre);
            }
        }
    }
    for k in 8..d - 8 {
        put(k, 6, k % 2 == 0);
        put(6, k, k % 2 == 0);
    }
    let pos = alignment_positions(dim);
    let last = *pos.last().unwrap_or(&0);
    for &cy in &pos {
        for &cx in &pos {
            let corner = |a: usize| a == 6 || a == last;
            if corner(cx) && corner(cy) && (cx == 6 || cy == 6) {
                continue;
            }
            for dy in -2..=2i32 {
                for dx in -2..=2i32 {
                    put(cx as i32 + dx, cy as i32 + dy, dx.abs().max(dy.abs()) != 1);
                }
            }
        }
    }
    put(8, d - 8, true);
    out
}

/// Scores and refines transforms for one code size.
pub struct Fitter<'a> {
    bits: &'a BitImage,
    dim: usize,
    dark: bool,
    cells: Vec<Cell>,
}

impl<'a> Fitter<'a> {
    /// A fitter for codes of `dim` modules of the given polarity.
    pub fn new(bits: &'a BitImage, dim: usize, dark: bool) -> Self {
        Self {
            bits,
            dim,
            dark,
            cells: cells(dim),
        }
    }

    /// Share of the fixed modules that `h` samples with the right colour.
    pub fn score(&self, h: &Homography) -> f32 {
        let mut hits = 0u32;
        for c in &self.cells {
            let (x, y) = h.map(c.x as f64 + 0.5, c.y as f64 + 0.5);
            hits += ((self.bits.dark_near(x, y) == self.dark) == c.dark) as u32;
        }
        hits as f32 / self.cells.len() as f32
    }

    fn grid_points(&self) -> [[f64; 2]; 4] {
        let d = self.dim as f64;
        [
            [3.5, 3.5],
            [d - 3.5, 3.5],
            [d - 3.5, d - 3.5],
            [3.5, d - 3.5],
        ]
    }

    /// Moves the image of the bottom-right grid point over a square of
    /// `radius` pixels in `step`-pixel steps and keeps the best-scoring
    /// transform (the three finder centres stay put): a global search for
    /// the one corner three finders cannot tell.
    /// Stops early (keeping the best so far) when `budget` runs out.
    pub fn search_corner(
        &self,
        h: &Homography,
        radius: f64,
        step: f64,
        budget: &Budget,
    ) -> (Homography, f32) {
        let src = self.grid_points();
        let pts = src.map(|[u, v]| {
            let (x, y) = h.map(u, v);
            [x, y]
        });
        let mut best = (*h, self.score(h));
        let n = (radius / step).ceil() as i32;
        for iy in -n..=n {
            if budget.passed() {
                break;
            }
            for ix in -n..=n {
                if ix % 8 == 0 && budget.passed() {
                    return best;
                }
                let mut trial = pts;
                trial[2][0] += ix as f64 * step;
                trial[2][1] += iy as f64 * step;
                let Some(th) = Homography::quad_to_quad(src, trial) else {
                    continue;
                };
                let s = self.score(&th);
                if s > best.1 {
                    best = (th, s);
                }
            }
        }
        best
    }

    /// Coordinate descent from `h`, moving the images of four grid points by
    /// steps starting at `step` pixels, sweeping again at each step size
    /// while a sweep improves. Returns the best transform and its score.
    /// Stops early (keeping the best so far) when `budget` runs out.
    pub fn refine(&self, h: &Homography, step: f64, budget: &Budget) -> (Homography, f32) {
        let src = self.grid_points();
        let mut pts = src.map(|[u, v]| {
            let (x, y) = h.map(u, v);
            [x, y]
        });
        let mut best_h = *h;
        let mut best = self.score(h);
        let mut step = step;
        while step > 0.2 && best < 1.0 {
            for _sweep in 0..4 {
                if budget.passed() {
                    return (best_h, best);
                }
                let before = best;
                for k in 0..8 {
                    for sign in [1.0, -1.0] {
                        let mut trial = pts;
                        trial[k / 2][k % 2] += sign * step;
                        let Some(th) = Homography::quad_to_quad(src, trial) else {
                            continue;
                        };
                        let s = self.score(&th);
                        if s > best {
                            best = s;
                            best_h = th;
                            pts = trial;
                            break;
                        }
                    }
                }
                if best <= before {
                    break;
                }
            }
            step *= 0.5;
        }
        (best_h, best)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alignment_positions_match_the_standard() {
        assert!(alignment_positions(21).is_empty());
        assert_eq!(alignment_positions(25), vec![6, 18]);
        assert_eq!(alignment_positions(45), vec![6, 22, 38]);
        assert_eq!(alignment_positions(69), vec![6, 34, 62]);
        assert_eq!(alignment_positions(73), vec![6, 26, 46, 66]);
        assert_eq!(
            alignment_positions(17 + 4 * 32),
            vec![6, 34, 60, 86, 112, 138]
        );
        assert_eq!(alignment_positions(177), vec![6, 30, 58, 86, 114, 142, 170]);
    }
}
