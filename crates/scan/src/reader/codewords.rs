//! A sampled module grid checked (and corrected) the way rqrr will read it,
//! before rqrr is asked to: format information (nearest of the 32 valid
//! words), the data modules in rqrr's zigzag order, unmasking, rqrr's
//! de-interleaving into Reed-Solomon blocks, and each block corrected with
//! `rs`. A grid that passes is written back corrected (data and both format
//! copies), so rqrr's decode then succeeds and costs one syndrome pass; a
//! grid that fails costs about 0.1 ms here instead of a full rqrr decode.

use std::sync::OnceLock;

use super::fit::alignment_positions;
use super::rs;

/// Reed-Solomon block layout of one version and error-correction level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Number of blocks.
    pub blocks: usize,
    /// Data codewords of a short block (long blocks carry one more).
    pub short_data: usize,
    /// How many blocks are long (they come last).
    pub long_blocks: usize,
    /// Parity codewords per block.
    pub npar: usize,
}

/// Error-correction levels in the order of their two format bits (M, L, H, Q).
const LEVELS: [qrcode::EcLevel; 4] = [
    qrcode::EcLevel::M,
    qrcode::EcLevel::L,
    qrcode::EcLevel::H,
    qrcode::EcLevel::Q,
];

/// The layout, derived from the `qrcode` encoder's own tables: it encodes a
/// probe whose only non-zero byte opens block 0, so block 0's parity bytes
/// are the only non-zero ones in the interleaved parity and their stride is
/// the number of blocks.
fn derive_layout(version: usize, level: qrcode::EcLevel) -> Option<Layout> {
    let v = qrcode::Version::Normal(version as i16);
    let data = qrcode::bits::Bits::new(v).max_len(level).ok()? / 8;
    let mut probe = vec![0u8; data];
    *probe.first_mut()? = 1;
    let (_, parity) = qrcode::ec::construct_codewords(&probe, v, level).ok()?;
    let gcd = |mut a: usize, mut b: usize| {
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a
    };
    let blocks = parity
        .iter()
        .enumerate()
        .filter(|(_, b)| **b != 0)
        .fold(0, |g, (i, _)| gcd(g, i));
    let blocks = if blocks == 0 { 1 } else { blocks };
    if !parity.len().is_multiple_of(blocks) {
        return None;
    }
    Some(Layout {
        blocks,
        short_data: data / blocks,
        long_blocks: data % blocks,
        npar: parity.len() / blocks,
    })
}

/// Layouts of versions 1..=40 by format level bits; built once.
fn layouts() -> &'static Vec<[Option<Layout>; 4]> {
    static TABLE: OnceLock<Vec<[Option<Layout>; 4]>> = OnceLock::new();
    TABLE.get_or_init(|| {
        (0..=40)
            .map(|v| {
                if v == 0 {
                    [None; 4]
                } else {
                    LEVELS.map(|l| derive_layout(v, l))
                }
            })
            .collect()
    })
}

/// Builds the layout table now (it takes a few milliseconds), so the first
/// frame does not pay for it.
pub fn warm_up() {
    layouts();
}

/// The layout of `version` at format level bits `level` (0 M, 1 L, 2 H, 3 Q).
pub fn layout(version: usize, level: usize) -> Option<Layout> {
    *layouts().get(version)?.get(level)?
}

/// BCH(15,5) format word of 5 data bits, masked with 0x5412.
fn format_word(data: u16) -> u16 {
    let mut r = data << 10;
    for bit in (10..15).rev() {
        if r & (1 << bit) != 0 {
            r ^= 0x537 << (bit - 10);
        }
    }
    ((data << 10) | r) ^ 0x5412
}

/// Module positions (x, y) of format bit i, first copy and second copy, as rqrr reads them.
fn format_positions(dim: usize) -> [[(usize, usize); 15]; 2] {
    const XS: [usize; 15] = [8, 8, 8, 8, 8, 8, 8, 8, 7, 5, 4, 3, 2, 1, 0];
    const YS: [usize; 15] = [0, 1, 2, 3, 4, 5, 7, 8, 8, 8, 8, 8, 8, 8, 8];
    let mut a = [(0, 0); 15];
    let mut b = [(0, 0); 15];
    for i in 0..15 {
        a[i] = (XS[i], YS[i]);
        b[i] = if i >= 8 {
            (8, dim - 1 - (14 - i))
        } else {
            (dim - 8 + (7 - i), 8)
        };
    }
    [a, b]
}

fn mask_bit(mask: u16, y: usize, x: usize) -> bool {
    match mask {
        0 => (y + x).is_multiple_of(2),
        1 => y.is_multiple_of(2),
        2 => x.is_multiple_of(3),
        3 => (y + x).is_multiple_of(3),
        4 => ((y / 2) + (x / 3)).is_multiple_of(2),
        5 => (y * x) % 2 + (y * x) % 3 == 0,
        6 => ((y * x) % 2 + (y * x) % 3).is_multiple_of(2),
        _ => ((y * x) % 3 + (y + x) % 2).is_multiple_of(2),
    }
}

/// Whether module (row i, column j) is a function module (not data), as rqrr decides.
fn reserved(version: usize, dim: usize, apat: &[usize], i: usize, j: usize) -> bool {
    // Finders with their separators and format areas.
    if (i < 9 && (j < 9 || j + 8 >= dim)) || (i + 8 >= dim && j < 9) {
        return true;
    }
    if i == 6 || j == 6 {
        return true;
    }
    if version >= 7 && ((i < 6 && j + 11 >= dim) || (i + 11 >= dim && j < 6)) {
        return true;
    }
    let near = |p: usize| apat.iter().rposition(|&a| a.abs_diff(p) < 3);
    match (near(i), near(j)) {
        (Some(a), Some(b)) => {
            let last = apat.len() - 1;
            // No pattern where one would overlap a finder.
            let corner = |k: usize| k == 0 || k == last;
            !(corner(a) && corner(b) && (a == 0 || b == 0))
        }
        _ => false,
    }
}

/// Data module positions (row, column) in rqrr's reading order.
fn data_positions(version: usize, dim: usize) -> Vec<(usize, usize)> {
    let apat = alignment_positions(dim);
    let mut out = Vec::with_capacity(dim * dim);
    let (mut y, mut x, mut up) = (dim - 1, dim - 1, true);
    while x > 0 {
        if x == 6 {
            x -= 1;
        }
        for xx in [x, x - 1] {
            if !reserved(version, dim, &apat, y, xx) {
                out.push((y, xx));
            }
        }
        match (y, up) {
            (0, true) => {
                x = x.saturating_sub(2);
                up = false;
            }
            (yy, false) if yy == dim - 1 => {
                x = x.saturating_sub(2);
                up = true;
            }
            (_, true) => y -= 1,
            (_, false) => y += 1,
        }
    }
    out
}

/// What the check found in a grid that passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checked {
    /// Codewords corrected (over all blocks).
    pub errors: usize,
    /// Format bits that were wrong (best copy).
    pub format_errors: u32,
    /// The error-correction level's format bits (0 M, 1 L, 2 H, 3 Q).
    pub level: usize,
}

/// Checks a `dim` x `dim` grid (row-major, `true` = dark) and corrects it in
/// place when every block is within reach; returns `None` (grid untouched
/// except possibly its format copies) otherwise.
pub fn check(dim: usize, dark: &mut [bool]) -> Option<Checked> {
    if dim < 21 || !(dim - 17).is_multiple_of(4) || dark.len() != dim * dim {
        return None;
    }
    let version = (dim - 17) / 4;
    if version > 40 {
        return None;
    }
    let at = |g: &[bool], (x, y): (usize, usize)| g[y * dim + x];
    let pos = format_positions(dim);
    let mut reads = [0u16; 2];
    for (c, copy) in pos.iter().enumerate() {
        for (i, &p) in copy.iter().enumerate() {
            reads[c] |= (at(dark, p) as u16) << i;
        }
    }
    // Nearest valid format word to either copy; ambiguous ties are refused.
    let mut best: Option<(u32, u16)> = None;
    let mut tie = false;
    for data in 0..32u16 {
        let word = format_word(data);
        let d = reads.iter().map(|r| (r ^ word).count_ones()).min()?;
        match best {
            Some((bd, _)) if d > bd => {}
            Some((bd, _)) if d == bd => tie = true,
            _ => {
                best = Some((d, data));
                tie = false;
            }
        }
    }
    let (format_errors, fdata) = best?;
    if format_errors > 3 || (tie && format_errors > 0) {
        return None;
    }
    let level = (fdata >> 3) as usize;
    let mask = fdata & 7;
    let layout = layout(version, level)?;
    let positions = data_positions(version, dim);
    let total = positions.len() / 8;
    let mut raw = vec![0u8; total];
    for (k, &(y, x)) in positions.iter().take(total * 8).enumerate() {
        if dark[y * dim + x] ^ mask_bit(mask, y, x) {
            raw[k >> 3] |= 0x80 >> (k & 7);
        }
    }
    // rqrr's de-interleaving: data columns over all blocks, the long blocks'
    // extra codeword, then parity columns.
    let bc = layout.blocks;
    let short_blocks = bc - layout.long_blocks;
    let parity_offset = layout.short_data * bc + layout.long_blocks;
    if parity_offset + layout.npar * bc > total {
        return None;
    }
    let mut fixed = raw.clone();
    let mut errors = 0;
    let mut index = Vec::with_capacity(layout.short_data + 1 + layout.npar);
    let mut block = Vec::with_capacity(index.capacity());
    for i in 0..bc {
        index.clear();
        index.extend((0..layout.short_data).map(|j| j * bc + i));
        if i >= short_blocks {
            index.push(layout.short_data * bc + (i - short_blocks));
        }
        index.extend((0..layout.npar).map(|j| parity_offset + j * bc + i));
        block.clear();
        block.extend(index.iter().map(|&k| raw[k]));
        errors += rs::correct(&mut block, layout.npar, &[])?;
        for (&k, &v) in index.iter().zip(&block) {
            fixed[k] = v;
        }
    }
    // Write the corrections and a clean format back into the grid.
    if errors > 0 {
        for (k, &(y, x)) in positions.iter().take(total * 8).enumerate() {
            let bit = fixed[k >> 3] & (0x80 >> (k & 7)) != 0;
            dark[y * dim + x] = bit ^ mask_bit(mask, y, x);
        }
    }
    let word = format_word(fdata);
    for copy in &pos {
        for (i, &(x, y)) in copy.iter().enumerate() {
            dark[y * dim + x] = word >> i & 1 != 0;
        }
    }
    Some(Checked {
        errors,
        format_errors,
        level,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(text: &str, level: qrcode::EcLevel) -> (usize, Vec<bool>) {
        let code = qrcode::QrCode::with_error_correction_level(text, level).expect("encodable");
        let dim = code.width();
        let dark = code
            .to_colors()
            .into_iter()
            .map(|c| c == qrcode::Color::Dark)
            .collect();
        (dim, dark)
    }

    fn rqrr_text(dim: usize, dark: &[bool]) -> Option<String> {
        let g = rqrr::SimpleGrid::from_func(dim, |x, y| dark[y * dim + x]);
        rqrr::Grid::new(g).decode().ok().map(|(_, t)| t)
    }

    #[test]
    fn layouts_match_the_standard_table() {
        let check = |v, l, blocks, short_data, long_blocks, npar| {
            assert_eq!(
                layout(v, l),
                Some(Layout {
                    blocks,
                    short_data,
                    long_blocks,
                    npar
                }),
                "version {v} level {l}"
            );
        };
        check(1, 1, 1, 19, 0, 7); // 1-L
        check(5, 3, 4, 15, 2, 18); // 5-Q: 2 x 15 + 2 x 16
        check(13, 3, 12, 20, 4, 24); // 13-Q: 8 x 20 + 4 x 21
        check(40, 2, 81, 15, 61, 30); // 40-H: 20 x 15 + 61 x 16
    }

    #[test]
    fn clean_grids_pass_for_every_level_and_many_versions() {
        for (i, level) in [
            qrcode::EcLevel::L,
            qrcode::EcLevel::M,
            qrcode::EcLevel::Q,
            qrcode::EcLevel::H,
        ]
        .into_iter()
        .enumerate()
        {
            for len in [5usize, 40, 120, 300, 700] {
                let text: String = (0..len)
                    .map(|k| (b'A' + (k * 7 + i) as u8 % 26) as char)
                    .collect();
                let Ok(_) = qrcode::QrCode::with_error_correction_level(&text, level) else {
                    continue;
                };
                let (dim, mut dark) = grid(&text, level);
                let before = dark.clone();
                assert_eq!(
                    check(dim, &mut dark).map(|c| c.errors),
                    Some(0),
                    "{level:?} {len}"
                );
                assert_eq!(dark, before);
            }
        }
    }

    #[test]
    fn damaged_grid_is_corrected_so_rqrr_reads_it() {
        let text = "HC1:NCFOXN%TS3DH3ZSUZK+.V0ETD%65NL-AH-R6IOOK.IR9";
        let (dim, clean) = grid(text, qrcode::EcLevel::Q);
        let mut dark = clean.clone();
        // A blot over data modules and a wrong format bit.
        for y in 12..15 {
            for x in 12..15 {
                dark[y * dim + x] = !dark[y * dim + x];
            }
        }
        dark[8 * dim + 2] = !dark[8 * dim + 2];
        let checked = check(dim, &mut dark).expect("correctable");
        // The second format copy is intact, so the first is rewritten from it.
        assert!(
            checked.errors > 0 && checked.format_errors == 0,
            "{checked:?}"
        );
        assert_eq!(dark, clean);
        assert_eq!(rqrr_text(dim, &dark).as_deref(), Some(text));
    }

    #[test]
    fn noise_is_refused() {
        let dim = 25;
        let mut dark: Vec<bool> = (0..dim * dim).map(|i| (i * 7919) % 13 < 6).collect();
        assert_eq!(check(dim, &mut dark), None);
    }
}
