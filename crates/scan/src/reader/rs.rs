//! Reed-Solomon over GF(256) as QR codes use it (polynomial 0x11D, first
//! consecutive root alpha^0): syndromes, Berlekamp-Massey with erasures,
//! Chien search and Forney. Table-driven, so checking a version-13 code
//! costs tens of microseconds; it lets the reader know a sampled grid is
//! correctable (and correct it) before paying for rqrr's decode.

const fn tables() -> ([u8; 512], [u8; 256]) {
    let mut exp = [0u8; 512];
    let mut log = [0u8; 256];
    let mut x: u16 = 1;
    let mut i = 0;
    while i < 255 {
        exp[i] = x as u8;
        log[x as usize] = i as u8;
        x <<= 1;
        if x & 0x100 != 0 {
            x ^= 0x11D;
        }
        i += 1;
    }
    while i < 512 {
        exp[i] = exp[i - 255];
        i += 1;
    }
    (exp, log)
}

const TABLES: ([u8; 512], [u8; 256]) = tables();
const EXP: [u8; 512] = TABLES.0;
const LOG: [u8; 256] = TABLES.1;

/// The most parity symbols a QR block carries is 30; keep room for products.
const MAX: usize = 64;

#[inline]
fn mul(a: u8, b: u8) -> u8 {
    if a == 0 || b == 0 {
        0
    } else {
        EXP[LOG[a as usize] as usize + LOG[b as usize] as usize]
    }
}

#[inline]
fn div(a: u8, b: u8) -> u8 {
    debug_assert!(b != 0);
    if a == 0 {
        0
    } else {
        EXP[LOG[a as usize] as usize + 255 - LOG[b as usize] as usize]
    }
}

/// alpha^e for any e >= 0.
#[inline]
fn alpha(e: usize) -> u8 {
    EXP[e % 255]
}

/// p(x) at `x`; `p[i]` is the coefficient of x^i.
fn eval(p: &[u8], x: u8) -> u8 {
    p.iter().rev().fold(0, |acc, &c| mul(acc, x) ^ c)
}

/// Corrects `block` (data then parity codewords, `npar` of them) in place,
/// treating the codewords at `erasures` as unknown. Returns how many
/// codewords were changed, or `None` when the block is beyond correction
/// (2 x errors + erasures > npar, or an inconsistent locator).
pub fn correct(block: &mut [u8], npar: usize, erasures: &[usize]) -> Option<usize> {
    let n = block.len();
    if npar == 0 || npar >= n || npar > 30 || n > 255 || erasures.len() > npar {
        return None;
    }
    // S_i = C(alpha^i), C's highest coefficient first in `block`.
    let mut s = [0u8; MAX];
    let mut any = false;
    for (i, si) in s.iter_mut().enumerate().take(npar) {
        let a = alpha(i);
        *si = block.iter().fold(0, |acc, &c| mul(acc, a) ^ c);
        any |= *si != 0;
    }
    if !any {
        return Some(0);
    }
    let locator = |pos: usize| alpha(n - 1 - pos);
    // Errata locator, started from the erasure locator.
    let mut lambda = [0u8; MAX];
    lambda[0] = 1;
    for &p in erasures {
        if p >= n {
            return None;
        }
        let x = locator(p);
        for j in (1..MAX).rev() {
            lambda[j] ^= mul(lambda[j - 1], x);
        }
    }
    let f = erasures.len();
    let mut b = lambda;
    let mut l = f;
    for r in f..npar {
        let mut delta = 0u8;
        for j in 0..=l.min(r) {
            delta ^= mul(lambda[j], s[r - j]);
        }
        // b <- x * b
        for j in (1..MAX).rev() {
            b[j] = b[j - 1];
        }
        b[0] = 0;
        if delta != 0 {
            let mut t = lambda;
            for j in 0..MAX {
                t[j] ^= mul(delta, b[j]);
            }
            if 2 * l <= r + f {
                for j in 0..MAX {
                    b[j] = div(lambda[j], delta);
                }
                l = r + 1 + f - l;
            }
            lambda = t;
        }
    }
    let degree = (0..MAX).rev().find(|&j| lambda[j] != 0).unwrap_or(0);
    if degree != l || 2 * (l - f) + f > npar {
        return None;
    }
    // Chien search over the block's positions.
    let mut roots = Vec::with_capacity(l);
    for pos in 0..n {
        let x = locator(pos);
        if eval(&lambda[..=degree], div(1, x)) == 0 {
            roots.push(pos);
        }
    }
    if roots.len() != degree {
        return None;
    }
    // Errata evaluator and Forney's formula (first root alpha^0).
    let mut omega = [0u8; MAX];
    for i in 0..npar {
        for j in 0..=degree.min(i) {
            omega[i] ^= mul(s[i - j], lambda[j]);
        }
    }
    let mut deriv = [0u8; MAX];
    for j in (1..=degree).step_by(2) {
        deriv[j - 1] = lambda[j];
    }
    for &pos in &roots {
        let x = locator(pos);
        let xi = div(1, x);
        let d = eval(&deriv[..degree.max(1)], xi);
        if d == 0 {
            return None;
        }
        block[pos] ^= mul(x, div(eval(&omega[..npar], xi), d));
    }
    // The corrected block must be a codeword.
    for i in 0..npar {
        let a = alpha(i);
        if block.iter().fold(0, |acc, &c| mul(acc, a) ^ c) != 0 {
            return None;
        }
    }
    Some(roots.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codeword(data: &[u8], npar: usize) -> Vec<u8> {
        let ec = qrcode::ec::create_error_correction_code(data, npar);
        [data, &ec[..]].concat()
    }

    #[test]
    fn field_tables_are_consistent() {
        for a in 1..=255u8 {
            assert_eq!(mul(a, div(1, a)), 1, "{a}");
        }
        assert_eq!(mul(0x80, 2), 0x1D);
    }

    #[test]
    fn clean_block_needs_nothing() {
        let data: Vec<u8> = (0..20).map(|i| i * 7 + 3).collect();
        let mut block = codeword(&data, 24);
        assert_eq!(correct(&mut block, 24, &[]), Some(0));
    }

    #[test]
    fn corrects_up_to_half_the_parity_and_no_more() {
        let data: Vec<u8> = (0..43u8).map(|i| i.wrapping_mul(37) ^ 0x5A).collect();
        let clean = codeword(&data, 24);
        for errors in 1..=12 {
            let mut block = clean.clone();
            for k in 0..errors {
                block[(k * 5 + 1) % clean.len()] ^= (k as u8).wrapping_mul(29) | 1;
            }
            assert_eq!(
                correct(&mut block, 24, &[]),
                Some(errors),
                "{errors} errors"
            );
            assert_eq!(block, clean);
        }
        let mut block = clean.clone();
        for k in 0..13 {
            block[k * 5 + 1] ^= 0x33;
        }
        assert_eq!(correct(&mut block, 24, &[]), None, "13 errors are too many");
    }

    #[test]
    fn erasures_double_the_reach() {
        let data: Vec<u8> = (0..20u8).map(|i| i ^ 0xA7).collect();
        let clean = codeword(&data, 16);
        // 4 errors + 8 erasures = 2*4 + 8 = 16 parity symbols.
        let mut block = clean.clone();
        let erased = [0usize, 3, 6, 9, 12, 15, 18, 21];
        for &p in &erased {
            block[p] = 0;
        }
        for p in [25usize, 27, 30, 34] {
            block[p] ^= 0x81;
        }
        assert!(correct(&mut block, 16, &erased).is_some());
        assert_eq!(block, clean);
    }
}
