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
    fn degenerate_quad_is_refused() {
        let line = [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]];
        assert!(Homography::quad_to_quad(line, line).is_none());
    }
}
