//! A seeded synthetic kiosk camera: given pass texts, renders each as a QR
//! code on a phone screen held in front of a 1280x720 camera, with the
//! conditions of real screen photos: perspective, rotation, scale, lens
//! blur, sensor noise, glare, moiré from the screen's pixel grid, dark mode
//! (inverted codes), brightness and exposure. The same seed gives the same
//! frames, byte for byte.

use std::time::{Duration, Instant};

use crate::reader::geometry::Homography;
use crate::{Error, Frame, FrameSource, Result};

/// A small deterministic generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `[lo, hi)`.
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// `true` with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.range(0.0, 1.0) < p
    }
    /// Roughly normal (sum of four uniforms), mean 0, standard deviation 1.
    pub fn normal(&mut self) -> f64 {
        (0..4).map(|_| self.range(-1.0, 1.0)).sum::<f64>() * (3.0f64 / 4.0).sqrt()
    }
}

/// The conditions of one rendered scene (one pass held in front of the camera).
#[derive(Debug, Clone, PartialEq)]
pub struct Scene {
    /// Size of one QR module in camera pixels (before perspective).
    pub module_px: f64,
    /// Rotation of the phone in degrees.
    pub angle_deg: f64,
    /// Perspective strength: how much shorter the far edge is (0 = none).
    pub tilt: f64,
    /// Direction of the tilt in radians.
    pub tilt_dir: f64,
    /// Centre of the code in the frame, as fractions of width and height.
    pub centre: (f64, f64),
    /// Gaussian blur sigma in pixels.
    pub blur: f64,
    /// Motion blur length in pixels (0 = none).
    pub motion: f64,
    /// Sensor noise standard deviation in grey levels.
    pub noise: f64,
    /// Glare spot: strength in grey levels (0 = none), radius in code sizes, position in code units.
    pub glare: (f64, f64, (f64, f64)),
    /// Moiré: depth of the screen's pixel grid (0 = none) and screen pixels per module.
    pub moire: (f64, f64),
    /// Screen black and white levels.
    pub levels: (f64, f64),
    /// Exposure gain applied to the whole frame.
    pub gain: f64,
    /// Dark mode: light modules on a dark screen.
    pub inverted: bool,
}

impl Scene {
    /// Draws a scene's conditions from `rng`.
    pub fn random(rng: &mut Rng) -> Self {
        let angle_deg = if rng.chance(0.15) {
            rng.range(-180.0, 180.0)
        } else {
            rng.range(-30.0, 30.0)
        };
        Self {
            module_px: rng.range(2.0, 7.0),
            angle_deg,
            tilt: if rng.chance(0.7) {
                rng.range(0.0, 0.3)
            } else {
                0.0
            },
            tilt_dir: rng.range(0.0, std::f64::consts::TAU),
            centre: (rng.range(0.3, 0.7), rng.range(0.35, 0.65)),
            blur: if rng.chance(0.1) {
                rng.range(1.2, 2.0)
            } else {
                rng.range(0.4, 1.2)
            },
            motion: if rng.chance(0.15) {
                rng.range(1.0, 4.0)
            } else {
                0.0
            },
            noise: rng.range(1.0, 9.0),
            glare: if rng.chance(0.35) {
                (
                    rng.range(40.0, 200.0),
                    rng.range(0.08, 0.3),
                    (rng.range(0.1, 0.9), rng.range(0.1, 0.9)),
                )
            } else {
                (0.0, 0.0, (0.0, 0.0))
            },
            moire: if rng.chance(0.6) {
                (rng.range(0.1, 0.45), rng.range(5.0, 14.0))
            } else {
                (0.0, 10.0)
            },
            levels: (rng.range(5.0, 60.0), rng.range(150.0, 255.0)),
            gain: rng.range(0.6, 1.25),
            inverted: rng.chance(0.1),
        }
    }
}

/// Settings of a [`SyntheticSource`].
#[derive(Debug, Clone)]
pub struct SyntheticConfig {
    /// Seed: the same seed and texts give the same frames.
    pub seed: u64,
    /// The texts (pass QR texts) shown, in turn.
    pub texts: Vec<String>,
    /// Frame size (default 1280x720).
    pub width: u32,
    /// Frame height.
    pub height: u32,
    /// Frames per second when paced; `None` delivers frames as fast as asked.
    pub fps: Option<f64>,
    /// Consecutive frames showing the same scene (with small hand shake).
    pub hold: u32,
    /// Every n-th scene shows no phone at all (0 = never).
    pub empty_every: u32,
    /// Stop after this many frames (`None` = endless).
    pub frames: Option<u64>,
}

impl Default for SyntheticConfig {
    fn default() -> Self {
        Self {
            seed: 1,
            texts: Vec::new(),
            width: 1280,
            height: 720,
            fps: None,
            hold: 1,
            empty_every: 0,
            frames: None,
        }
    }
}

/// What a synthetic frame shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Truth {
    /// The text in view (`None` for an empty scene).
    pub text: Option<String>,
    /// The scene's conditions.
    pub scene: Scene,
    /// The code's outer corners in the frame (top-left, top-right, bottom-right, bottom-left).
    pub corners: Option<[[f64; 2]; 4]>,
    /// The smallest module size in the frame after perspective, in pixels
    /// (shortest code edge / modules per side).
    pub min_module_px: f64,
}

/// The synthetic kiosk camera.
#[derive(Debug)]
pub struct SyntheticSource {
    config: SyntheticConfig,
    codes: Vec<(usize, Vec<bool>)>,
    seq: u64,
    started: Option<Instant>,
}

impl SyntheticSource {
    /// A source showing `config.texts`; fails when there is no text or one does not fit a QR code.
    pub fn new(config: SyntheticConfig) -> Result<Self> {
        if config.texts.is_empty() {
            return Err(Error::Config(
                "the synthetic source needs at least one text to show".into(),
            ));
        }
        if config.width < 64 || config.height < 64 {
            return Err(Error::Config(
                "synthetic frames must be at least 64x64".into(),
            ));
        }
        let codes = config
            .texts
            .iter()
            .map(|t| modules_of(t))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            config: SyntheticConfig {
                hold: config.hold.max(1),
                ..config
            },
            codes,
            seq: 0,
            started: None,
        })
    }

    /// Renders frame `index` and says what it shows.
    pub fn render(&self, index: u64) -> (Frame, Truth) {
        let c = &self.config;
        let scene_no = index / c.hold as u64;
        let mut rng = Rng::new(c.seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ scene_no);
        let mut scene = Scene::random(&mut rng);
        let empty =
            c.empty_every > 0 && scene_no % c.empty_every as u64 == c.empty_every as u64 - 1;
        // Hand shake within a held scene.
        let mut shake = Rng::new(c.seed ^ index.wrapping_mul(0x9E37_79B9));
        if !index.is_multiple_of(c.hold as u64) {
            scene.angle_deg += shake.range(-1.5, 1.5);
            scene.centre.0 += shake.range(-0.01, 0.01);
            scene.centre.1 += shake.range(-0.01, 0.01);
        }
        self.render_with(&scene, index, empty, &mut rng)
    }

    /// Renders `scene` showing the text for frame `index` (for controlled tests).
    pub fn render_scene(&self, scene: &Scene, index: u64) -> (Frame, Truth) {
        let mut rng = Rng::new(self.config.seed ^ index);
        self.render_with(scene, index, false, &mut rng)
    }

    fn render_with(&self, scene: &Scene, index: u64, empty: bool, rng: &mut Rng) -> (Frame, Truth) {
        let c = &self.config;
        let scene = scene.clone();
        let which = ((index / c.hold as u64) % self.codes.len() as u64) as usize;
        let (w, h) = (c.width as usize, c.height as usize);
        let (dim, code) = &self.codes[which];
        let mut noise_rng = Rng::new(c.seed.rotate_left(17) ^ index);
        let (luma, corners) = render(
            w,
            h,
            (!empty).then_some((*dim, code.as_slice())),
            &scene,
            rng,
            &mut noise_rng,
        );
        let min_module_px = corners.map_or(0.0, |q| {
            (0..4)
                .map(|i| {
                    ((q[i][0] - q[(i + 1) % 4][0]).powi(2) + (q[i][1] - q[(i + 1) % 4][1]).powi(2))
                        .sqrt()
                })
                .fold(f64::MAX, f64::min)
                / *dim as f64
        });
        let fps = c.fps.unwrap_or(30.0);
        let frame = Frame {
            width: c.width,
            height: c.height,
            luma,
            timestamp: Duration::from_secs_f64(index as f64 / fps),
            seq: index,
        };
        let text = (!empty).then(|| c.texts[which].clone());
        (
            frame,
            Truth {
                text,
                scene,
                corners,
                min_module_px,
            },
        )
    }
}

impl FrameSource for SyntheticSource {
    fn next_frame(&mut self) -> Result<Option<Frame>> {
        if self.config.frames.is_some_and(|n| self.seq >= n) {
            return Ok(None);
        }
        if let Some(fps) = self.config.fps {
            let start = *self.started.get_or_insert_with(Instant::now);
            let due = start + Duration::from_secs_f64(self.seq as f64 / fps);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
        }
        let (frame, _) = self.render(self.seq);
        self.seq += 1;
        Ok(Some(frame))
    }

    fn describe(&self) -> String {
        format!(
            "synthetic (seed {}, {} texts)",
            self.config.seed,
            self.config.texts.len()
        )
    }
}

/// The module matrix of `text` at error-correction level Q (as HC1 issuers use).
fn modules_of(text: &str) -> Result<(usize, Vec<bool>)> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::Q)
        .map_err(|e| Error::Render(format!("{e} (text of {} bytes)", text.len())))?;
    let dim = code.width();
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    Ok((dim, dark))
}

/// Renders one scene; `code` is `None` for a scene without a phone.
fn render(
    w: usize,
    h: usize,
    code: Option<(usize, &[bool])>,
    s: &Scene,
    rng: &mut Rng,
    noise: &mut Rng,
) -> (Vec<u8>, Option<[[f64; 2]; 4]>) {
    let mut img = background(w, h, rng);
    let corners = code.and_then(|(dim, modules)| draw_phone(&mut img, w, h, dim, modules, s));
    if s.glare.0 > 0.0 && code.is_some() {
        // Placed relative to the frame centre of the code.
        let size = code.map(|(d, _)| d as f64 * s.module_px).unwrap_or(100.0);
        let gx = s.centre.0 * w as f64 + (s.glare.2.0 - 0.5) * size;
        let gy = s.centre.1 * h as f64 + (s.glare.2.1 - 0.5) * size;
        let r2 = (s.glare.1 * size).powi(2);
        for y in 0..h {
            for x in 0..w {
                let d2 = (x as f64 - gx).powi(2) + (y as f64 - gy).powi(2);
                img[y * w + x] += (s.glare.0 * (-d2 / r2).exp()) as f32;
            }
        }
    }
    if s.motion > 0.0 {
        let dir = s.angle_deg.to_radians() + 1.0;
        motion_blur(&mut img, w, h, s.motion, dir);
    }
    gaussian_blur(&mut img, w, h, s.blur);
    let luma = img
        .iter()
        .map(|&v| {
            (v * s.gain as f32 + (noise.normal() * s.noise) as f32)
                .round()
                .clamp(0.0, 255.0) as u8
        })
        .collect();
    (luma, corners)
}

fn background(w: usize, h: usize, rng: &mut Rng) -> Vec<f32> {
    let base = rng.range(60.0, 170.0);
    let (gx, gy) = (rng.range(-60.0, 60.0), rng.range(-60.0, 60.0));
    let mut img: Vec<f32> = (0..w * h)
        .map(|i| (base + gx * (i % w) as f64 / w as f64 + gy * (i / w) as f64 / h as f64) as f32)
        .collect();
    // Clutter: rectangles and stripes (a counter, a sleeve, a poster).
    for _ in 0..8 {
        let (x0, y0) = (
            rng.range(0.0, w as f64) as usize,
            rng.range(0.0, h as f64) as usize,
        );
        let (rw, rh) = (
            rng.range(20.0, 400.0) as usize,
            rng.range(20.0, 300.0) as usize,
        );
        let level = rng.range(20.0, 230.0) as f32;
        let stripes = rng.chance(0.3).then(|| rng.range(3.0, 12.0) as usize);
        for y in y0..(y0 + rh).min(h) {
            for x in x0..(x0 + rw).min(w) {
                if stripes.is_none_or(|p| (x / p) % 2 == 0) {
                    img[y * w + x] = level;
                }
            }
        }
    }
    img
}

/// Draws the phone; returns the code's corners in the frame.
fn draw_phone(
    img: &mut [f32],
    w: usize,
    h: usize,
    dim: usize,
    modules: &[bool],
    s: &Scene,
) -> Option<[[f64; 2]; 4]> {
    // Phone plane units: one unit is one module.
    let quiet = 4.0;
    let code_side = dim as f64 + 2.0 * quiet;
    let screen_w = code_side * 1.25;
    let screen_h = code_side * 2.1;
    let (sx0, sy0) = (-(screen_w - code_side) / 2.0, -code_side * 0.55);
    let bezel = code_side * 0.06;
    // Corners of the phone (bezel included) in phone units, and where they land.
    let phone = [
        [sx0 - bezel, sy0 - bezel],
        [sx0 + screen_w + bezel, sy0 - bezel],
        [sx0 + screen_w + bezel, sy0 + screen_h + bezel],
        [sx0 - bezel, sy0 + screen_h + bezel],
    ];
    let (cx, cy) = (s.centre.0 * w as f64, s.centre.1 * h as f64);
    let (sin, cos) = s.angle_deg.to_radians().sin_cos();
    let (dx, dy) = s.tilt_dir.sin_cos();
    let mid = code_side / 2.0;
    let dst = phone.map(|[u, v]| {
        let (pu, pv) = (u - mid, v - mid);
        // Foreshortening: points further along the tilt direction shrink.
        let along = (pu * dx + pv * dy) / code_side;
        let f = 1.0 / (1.0 + s.tilt * along);
        let (pu, pv) = (pu * f * s.module_px, pv * f * s.module_px);
        [cx + pu * cos - pv * sin, cy + pu * sin + pv * cos]
    });
    let to_phone = Homography::quad_to_quad(dst, phone)?;
    let to_frame = Homography::quad_to_quad(phone, dst)?;
    let d = dim as f64;
    let corners = [
        (quiet, quiet),
        (quiet + d, quiet),
        (quiet + d, quiet + d),
        (quiet, quiet + d),
    ]
    .map(|(u, v)| {
        let (x, y) = to_frame.map(u, v);
        [x, y]
    });
    let (black, white) = if s.inverted {
        (s.levels.1 * 0.9, s.levels.0 + 10.0)
    } else {
        s.levels
    };
    let (depth, pitch) = (s.moire.0, 1.0 / s.moire.1);
    let bez_level = 25.0f32;
    let (mut x0, mut y0, mut x1, mut y1) = (w as f64, h as f64, 0f64, 0f64);
    for [x, y] in dst {
        x0 = x0.min(x);
        y0 = y0.min(y);
        x1 = x1.max(x);
        y1 = y1.max(y);
    }
    // The light one screen point sends to the camera (`None`: off the phone).
    let radiance = |u: f64, v: f64| -> Option<f32> {
        if u < phone[0][0] || u > phone[1][0] || v < phone[0][1] || v > phone[2][1] {
            return None;
        }
        let on_screen = u >= sx0 && u < sx0 + screen_w && v >= sy0 && v < sy0 + screen_h;
        if !on_screen {
            return Some(bez_level);
        }
        let (mx, my) = (u - quiet, v - quiet);
        let dark = if mx >= 0.0 && my >= 0.0 && (mx as usize) < dim && (my as usize) < dim {
            modules[my as usize * dim + mx as usize]
        } else {
            // The app's header bar and a few text lines below the code.
            let header = v < sy0 + code_side * 0.18 && v < -code_side * 0.3;
            let line = v > code_side + 2.0
                && ((v - code_side) as usize) % 5 < 2
                && u > 4.0
                && u < code_side * 0.8;
            header || line
        };
        let mut val = if dark { black } else { white };
        if depth > 0.0 {
            // The gaps between the screen's pixels.
            let fu = (u / pitch).fract();
            let fv = (v / pitch).fract();
            if fu > 0.75 || fv > 0.75 {
                val *= 1.0 - depth;
            }
        }
        Some(val as f32)
    };
    // Each camera pixel integrates the light over its area (SUB x SUB
    // samples): the screen's pixel grid, far finer than a camera pixel,
    // averages out except for the moiré its aliasing leaves, as on a real
    // sensor; module and phone edges come out anti-aliased.
    const SUB: usize = 4;
    for y in (y0.max(0.0) as usize)..(y1.ceil().max(0.0) as usize).min(h) {
        for x in (x0.max(0.0) as usize)..(x1.ceil().max(0.0) as usize).min(w) {
            let (mut sum, mut on) = (0f32, 0usize);
            for sy in 0..SUB {
                for sx in 0..SUB {
                    let (u, v) = to_phone.map(
                        x as f64 + (sx as f64 + 0.5) / SUB as f64,
                        y as f64 + (sy as f64 + 0.5) / SUB as f64,
                    );
                    if let Some(r) = radiance(u, v) {
                        sum += r;
                        on += 1;
                    }
                }
            }
            if on > 0 {
                let off = (SUB * SUB - on) as f32;
                img[y * w + x] = (sum + off * img[y * w + x]) / (SUB * SUB) as f32;
            }
        }
    }
    Some(corners)
}

fn gaussian_blur(img: &mut [f32], w: usize, h: usize, sigma: f64) {
    if sigma < 0.2 {
        return;
    }
    let r = (sigma * 2.5).ceil() as usize;
    let kernel: Vec<f32> = (0..=2 * r)
        .map(|i| (-((i as f64 - r as f64).powi(2)) / (2.0 * sigma * sigma)).exp() as f32)
        .collect();
    let sum: f32 = kernel.iter().sum();
    let kernel: Vec<f32> = kernel.iter().map(|k| k / sum).collect();
    let mut tmp = vec![0f32; w * h];
    for y in 0..h {
        for x in 0..w {
            let mut acc = 0.0;
            for (i, k) in kernel.iter().enumerate() {
                let xx = (x + i).saturating_sub(r).min(w - 1);
                acc += img[y * w + xx] * k;
            }
            tmp[y * w + x] = acc;
        }
    }
    for y in 0..h {
        for x in 0..w {
            let mut acc = 0.0;
            for (i, k) in kernel.iter().enumerate() {
                let yy = (y + i).saturating_sub(r).min(h - 1);
                acc += tmp[yy * w + x] * k;
            }
            img[y * w + x] = acc;
        }
    }
}

fn motion_blur(img: &mut [f32], w: usize, h: usize, len: f64, dir: f64) {
    let steps = len.ceil() as i32;
    let (dx, dy) = (dir.cos(), dir.sin());
    let src = img.to_vec();
    for y in 0..h {
        for x in 0..w {
            let mut acc = 0.0;
            for i in -steps..=steps {
                let xx = (x as f64 + dx * i as f64 * len / steps as f64 / 2.0)
                    .round()
                    .clamp(0.0, (w - 1) as f64) as usize;
                let yy = (y as f64 + dy * i as f64 * len / steps as f64 / 2.0)
                    .round()
                    .clamp(0.0, (h - 1) as f64) as usize;
                acc += src[yy * w + xx];
            }
            img[y * w + x] = acc / (2 * steps + 1) as f32;
        }
    }
}

/// A realistic HC1-length pass text (about 350 Base45 characters) for tests
/// and demos when no issuer key is at hand; not a valid signed pass.
pub fn sample_hc1_text(seed: u64) -> String {
    const B45: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    let mut rng = Rng::new(seed);
    let body: String = (0..348)
        .map(|_| B45[(rng.next_u64() % 45) as usize] as char)
        .collect();
    format!("HC1:{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_frames_and_other_seed_differs() {
        let cfg = SyntheticConfig {
            seed: 7,
            texts: vec![sample_hc1_text(1)],
            width: 320,
            height: 240,
            ..SyntheticConfig::default()
        };
        let a = SyntheticSource::new(cfg.clone()).expect("valid config");
        let b = SyntheticSource::new(cfg.clone()).expect("valid config");
        assert_eq!(a.render(3), b.render(3));
        let c = SyntheticSource::new(SyntheticConfig { seed: 8, ..cfg }).expect("valid config");
        assert_ne!(a.render(3).0.luma, c.render(3).0.luma);
    }

    #[test]
    fn no_texts_is_a_clear_error() {
        let err = SyntheticSource::new(SyntheticConfig::default()).expect_err("no texts");
        assert!(err.to_string().contains("at least one text"), "{err}");
    }
}
