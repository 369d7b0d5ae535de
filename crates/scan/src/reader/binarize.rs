//! Greyscale -> binary: a block-wise adaptive threshold and box downscaling.
//!
//! Each 8x8 block gets a level (its mean when it has contrast, otherwise a
//! value that keeps flat areas on the side of their neighbours); the
//! threshold of a block is the mean level of the 5x5 blocks around it. A
//! large flat black area (a big finder centre) thus stays black as long as
//! some block near it has contrast, and slow lighting changes (glare,
//! vignetting) shift the threshold with them.

/// A greyscale image borrowed or owned by the reader.
#[derive(Debug, Clone)]
pub struct Gray {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// Row-major luma.
    pub data: Vec<u8>,
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

/// Block-adaptive threshold of `img`.
pub fn adaptive(img: &Gray) -> BitImage {
    let (w, h) = (img.width, img.height);
    // A block counts as flat unless its range clearly exceeds the noise
    // (the mean neighbour difference is about 1.1 sigma of the noise).
    let min_contrast = (MIN_CONTRAST as u32).max(noise_level(img) * 5).min(80) as u8;
    let bw = w.div_ceil(BLOCK);
    let bh = h.div_ceil(BLOCK);
    let mut level = vec![0u32; bw * bh];
    for by in 0..bh {
        let y0 = by * BLOCK;
        let y1 = (y0 + BLOCK).min(h);
        for bx in 0..bw {
            let x0 = bx * BLOCK;
            let x1 = (x0 + BLOCK).min(w);
            let (mut lo, mut hi, mut sum) = (255u8, 0u8, 0u32);
            for y in y0..y1 {
                for &v in &img.data[y * w + x0..y * w + x1] {
                    lo = lo.min(v);
                    hi = hi.max(v);
                    sum += v as u32;
                }
            }
            let n = ((y1 - y0) * (x1 - x0)) as u32;
            let mut v = sum / n;
            if hi - lo <= min_contrast {
                // Flat block: assume light unless its neighbours say it sits in a dark area.
                v = lo as u32 / 2;
                if by > 0 && bx > 0 {
                    let nb = (level[(by - 1) * bw + bx]
                        + 2 * level[by * bw + bx - 1]
                        + level[(by - 1) * bw + bx - 1])
                        / 4;
                    if (lo as u32) < nb {
                        v = nb;
                    }
                }
            }
            level[by * bw + bx] = v;
        }
    }
    // Integral of levels for the 5x5 block mean.
    let iw = bw + 1;
    let mut integral = vec![0u32; iw * (bh + 1)];
    for by in 0..bh {
        let mut row = 0;
        for bx in 0..bw {
            row += level[by * bw + bx];
            integral[(by + 1) * iw + bx + 1] = integral[by * iw + bx + 1] + row;
        }
    }
    let mut bits = vec![0u8; w * h];
    for by in 0..bh {
        let ya = by.saturating_sub(2);
        let yb = (by + 3).min(bh);
        for bx in 0..bw {
            let xa = bx.saturating_sub(2);
            let xb = (bx + 3).min(bw);
            let s = integral[yb * iw + xb] + integral[ya * iw + xa]
                - integral[ya * iw + xb]
                - integral[yb * iw + xa];
            let t = (s / ((yb - ya) * (xb - xa)) as u32) as u8;
            let y0 = by * BLOCK;
            let x0 = bx * BLOCK;
            let x1 = (x0 + BLOCK).min(w);
            for y in y0..(y0 + BLOCK).min(h) {
                let src = &img.data[y * w + x0..y * w + x1];
                let dst = &mut bits[y * w + x0..y * w + x1];
                for (d, &v) in dst.iter_mut().zip(src) {
                    *d = (v <= t) as u8;
                }
            }
        }
    }
    BitImage {
        width: w,
        height: h,
        bits,
    }
}

/// Box-filter downscale by an integer factor (the mean of each k x k cell).
pub fn downscale(img: &Gray, k: usize) -> Gray {
    if k <= 1 {
        return img.clone();
    }
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
    Gray {
        width: w,
        height: h,
        data,
    }
}

/// A copy of the rectangle `[x0, x1) x [y0, y1)` (clamped to the image).
pub fn crop(img: &Gray, x0: usize, y0: usize, x1: usize, y1: usize) -> Gray {
    let x1 = x1.min(img.width);
    let y1 = y1.min(img.height);
    let (x0, y0) = (x0.min(x1), y0.min(y1));
    let mut data = Vec::with_capacity((x1 - x0) * (y1 - y0));
    for y in y0..y1 {
        data.extend_from_slice(&img.data[y * img.width + x0..y * img.width + x1]);
    }
    Gray {
        width: x1 - x0,
        height: y1 - y0,
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dark_square_on_gradient_is_found() {
        // A light gradient (glare-like) with a dark square in the middle.
        let (w, h) = (64, 64);
        let mut data = vec![0u8; w * h];
        for y in 0..h {
            for x in 0..w {
                let bg = 120 + (x * 2) as u8;
                data[y * w + x] = if (24..40).contains(&x) && (24..40).contains(&y) {
                    bg - 130
                } else {
                    bg
                };
            }
        }
        let bits = adaptive(&Gray {
            width: w,
            height: h,
            data,
        });
        assert!(bits.dark(30, 30));
        assert!(!bits.dark(5, 5));
        assert!(!bits.dark(60, 60));
    }

    #[test]
    fn downscale_averages_cells() {
        let img = Gray {
            width: 4,
            height: 2,
            data: vec![0, 100, 50, 50, 100, 200, 50, 50],
        };
        let small = downscale(&img, 2);
        assert_eq!((small.width, small.height), (2, 1));
        assert_eq!(small.data, vec![100, 50]);
    }
}
