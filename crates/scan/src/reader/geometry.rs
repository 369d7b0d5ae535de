//! Plane projective transforms (homographies) between quadrilaterals.

/// A 3x3 projective transform, row-major, mapping `(u, v)` to `(x, y)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Homography([f64; 9]);

impl Homography {
    /// The transform taking the unit square's corners (0,0), (1,0), (1,1), (0,1) to `q`.
    fn square_to_quad(q: [[f64; 2]; 4]) -> Option<Self> {
        let [[x0, y0], [x1, y1], [x2, y2], [x3, y3]] = q;
        let dx3 = x0 - x1 + x2 - x3;
        let dy3 = y0 - y1 + y2 - y3;
        if dx3.abs() < 1e-9 && dy3.abs() < 1e-9 {
            return Some(Self([
                x1 - x0,
                x2 - x1,
                x0,
                y1 - y0,
                y2 - y1,
                y0,
                0.0,
                0.0,
                1.0,
            ]));
        }
        let (dx1, dx2, dy1, dy2) = (x1 - x2, x3 - x2, y1 - y2, y3 - y2);
        let den = dx1 * dy2 - dx2 * dy1;
        if den.abs() < 1e-12 {
            return None;
        }
        let g = (dx3 * dy2 - dx2 * dy3) / den;
        let h = (dx1 * dy3 - dx3 * dy1) / den;
        Some(Self([
            x1 - x0 + g * x1,
            x3 - x0 + h * x3,
            x0,
            y1 - y0 + g * y1,
            y3 - y0 + h * y3,
            y0,
            g,
            h,
            1.0,
        ]))
    }

    fn inverse(&self) -> Option<Self> {
        let m = &self.0;
        let a = m[4] * m[8] - m[5] * m[7];
        let b = m[5] * m[6] - m[3] * m[8];
        let c = m[3] * m[7] - m[4] * m[6];
        let det = m[0] * a + m[1] * b + m[2] * c;
        if det.abs() < 1e-12 {
            return None;
        }
        let inv = [
            a,
            m[2] * m[7] - m[1] * m[8],
            m[1] * m[5] - m[2] * m[4],
            b,
            m[0] * m[8] - m[2] * m[6],
            m[2] * m[3] - m[0] * m[5],
            c,
            m[1] * m[6] - m[0] * m[7],
            m[0] * m[4] - m[1] * m[3],
        ];
        Some(Self(inv.map(|v| v / det)))
    }

    fn then(&self, next: &Self) -> Self {
        let (a, b) = (&self.0, &next.0);
        let mut r = [0.0; 9];
        for i in 0..3 {
            for j in 0..3 {
                r[i * 3 + j] = (0..3).map(|k| b[i * 3 + k] * a[k * 3 + j]).sum();
            }
        }
        Self(r)
    }

    /// The transform taking each point of `from` to the matching point of `to`.
    pub fn quad_to_quad(from: [[f64; 2]; 4], to: [[f64; 2]; 4]) -> Option<Self> {
        let a = Self::square_to_quad(from)?.inverse()?;
        let b = Self::square_to_quad(to)?;
        Some(a.then(&b))
    }

    /// The least-squares transform taking each `from` point to its `to`
    /// point (at least four pairs, not all on a line).
    pub fn fit(pairs: &[([f64; 2], [f64; 2])]) -> Option<Self> {
        if pairs.len() < 4 {
            return None;
        }
        // Normalise both sides (centroid at 0, mean distance sqrt 2) for a
        // well-conditioned system.
        let norm = |pts: &mut dyn Iterator<Item = [f64; 2]>| {
            let pts: Vec<[f64; 2]> = pts.collect();
            let n = pts.len() as f64;
            let (cx, cy) = pts
                .iter()
                .fold((0.0, 0.0), |(a, b), p| (a + p[0] / n, b + p[1] / n));
            let d = pts
                .iter()
                .map(|p| (p[0] - cx).hypot(p[1] - cy))
                .sum::<f64>()
                / n;
            let k = if d > 1e-9 { 2f64.sqrt() / d } else { 1.0 };
            Self([k, 0.0, -k * cx, 0.0, k, -k * cy, 0.0, 0.0, 1.0])
        };
        let ts = norm(&mut pairs.iter().map(|p| p.0));
        let td = norm(&mut pairs.iter().map(|p| p.1));
        // Normal equations of h (8 unknowns, h33 = 1).
        let mut a = [[0.0f64; 9]; 8];
        for (f, t) in pairs {
            let (u, v) = ts.map(f[0], f[1]);
            let (x, y) = td.map(t[0], t[1]);
            let rows = [
                [u, v, 1.0, 0.0, 0.0, 0.0, -u * x, -v * x, x],
                [0.0, 0.0, 0.0, u, v, 1.0, -u * y, -v * y, y],
            ];
            for r in rows {
                for i in 0..8 {
                    for j in 0..9 {
                        a[i][j] += r[i] * r[j];
                    }
                }
            }
        }
        // Gaussian elimination with partial pivoting.
        for col in 0..8 {
            let pivot = (col..8).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
            if a[pivot][col].abs() < 1e-12 {
                return None;
            }
            a.swap(col, pivot);
            let pivot_row = a[col];
            for (row, r) in a.iter_mut().enumerate() {
                if row != col {
                    let f = r[col] / pivot_row[col];
                    for (v, p) in r.iter_mut().zip(pivot_row).skip(col) {
                        *v -= f * p;
                    }
                }
            }
        }
        let h: [f64; 8] = std::array::from_fn(|i| a[i][8] / a[i][i]);
        let hn = Self([h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], 1.0]);
        Some(ts.then(&hn).then(&td.inverse()?))
    }

    /// Apply the transform to `(u, v)`.
    #[inline]
    pub fn map(&self, u: f64, v: f64) -> (f64, f64) {
        let m = &self.0;
        let w = m[6] * u + m[7] * v + m[8];
        (
            (m[0] * u + m[1] * v + m[2]) / w,
            (m[3] * u + m[4] * v + m[5]) / w,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: (f64, f64), b: [f64; 2]) -> bool {
        (a.0 - b[0]).abs() < 1e-6 && (a.1 - b[1]).abs() < 1e-6
    }

    #[test]
    fn maps_corners_onto_corners() {
        let from = [[3.5, 3.5], [21.5, 3.5], [18.5, 18.5], [3.5, 21.5]];
        let to = [[100.0, 80.0], [300.0, 95.0], [270.0, 260.0], [90.0, 300.0]];
        let h = Homography::quad_to_quad(from, to).expect("non-degenerate");
        for (f, t) in from.iter().zip(to) {
            assert!(
                close(h.map(f[0], f[1]), t),
                "{f:?} -> {:?}",
                h.map(f[0], f[1])
            );
        }
    }

    #[test]
    fn least_squares_fit_recovers_a_perspective() {
        let from = [[3.5, 3.5], [21.5, 3.5], [18.5, 18.5], [3.5, 21.5]];
        let to = [[100.0, 80.0], [300.0, 95.0], [270.0, 260.0], [90.0, 300.0]];
        let h = Homography::quad_to_quad(from, to).expect("non-degenerate");
        let pairs: Vec<_> = [
            [3.5, 3.5],
            [21.5, 3.5],
            [18.5, 18.5],
            [3.5, 21.5],
            [12.0, 9.0],
            [6.0, 15.0],
        ]
        .into_iter()
        .map(|p| {
            let (x, y) = h.map(p[0], p[1]);
            (p, [x, y])
        })
        .collect();
        let fit = Homography::fit(&pairs).expect("enough points");
        for u in [0.0, 10.0, 25.0] {
            for v in [0.0, 10.0, 25.0] {
                let (a, b) = (h.map(u, v), fit.map(u, v));
                assert!((a.0 - b.0).abs() < 1e-6 && (a.1 - b.1).abs() < 1e-6);
            }
        }
        assert!(Homography::fit(&pairs[..3]).is_none());
    }

    #[test]
    fn degenerate_quad_is_refused() {
        let line = [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]];
        assert!(Homography::quad_to_quad(line, line).is_none());
    }
}
