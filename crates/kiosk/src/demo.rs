//! Demo mode (`[trust] demo = true`): on first start, create a demo root
//! key, an issuer key, a signed trust list and a few passes (green, yellow,
//! red, expired, forged) next to the configured root key, so the kiosk
//! shows a real verdict a minute after cloning. Never for a real kiosk.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, SubsecRound, TimeDelta, Utc};
use image::{GrayImage, Luma};
use passgate_pass::keys::{public_key_to_text, secret_key_to_text, signing_key_from_seed};
use passgate_pass::{
    Claims, CodeColour, HealthClaim, IssuerDraft, IssuerId, PassId, SigningKey, TrustListDraft,
    issue,
};
use qrcode::{Color, EcLevel, QrCode};

use crate::config::KioskConfig;
use crate::error::{Error, Result};

/// The demo issuer's id.
pub const DEMO_ISSUER: &str = "CN-DEMO";

/// The demo passes, by what the kiosk should say about them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoPasses {
    /// Valid green pass: amber, then ADMIT once a normal temperature is keyed.
    pub green: String,
    /// Valid yellow pass: DENY (yellow code).
    pub yellow: String,
    /// Valid red pass: DENY (red code).
    pub red: String,
    /// Green pass past its expiry: DENY (expired).
    pub expired: String,
    /// Green pass with a broken signature: DENY (bad signature).
    pub forged: String,
}

impl DemoPasses {
    /// The passes with their file names, in the order the demo feed shows them.
    pub fn named(&self) -> [(&'static str, &str); 5] {
        [
            ("green", &self.green),
            ("yellow", &self.yellow),
            ("forged", &self.forged),
            ("expired", &self.expired),
            ("red", &self.red),
        ]
    }
}

fn io(what: &str, path: &Path, e: impl std::fmt::Display) -> Error {
    Error::internal(format!("cannot {what} {}", path.display()), e)
}

fn random_key() -> Result<SigningKey> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed)
        .map_err(|e| Error::internal("cannot get random bytes from the operating system", e))?;
    Ok(signing_key_from_seed(seed))
}

fn write_file(path: &Path, bytes: &[u8], private: bool) -> Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    opts.open(path)
        .and_then(|mut f| f.write_all(bytes))
        .map_err(|e| io("write", path, e))
}

/// The folder demo files go to: the folder of the configured root key file.
pub fn demo_dir(config: &KioskConfig) -> PathBuf {
    let root = config.resolve(&config.trust.root_public_key);
    root.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Creates the demo files when demo mode is on and the root key file is
/// missing; returns the demo passes whenever demo mode is on.
pub fn ensure(config: &KioskConfig, now: DateTime<Utc>) -> Result<Option<DemoPasses>> {
    if !config.trust.demo {
        return Ok(None);
    }
    let dir = demo_dir(config);
    if !config.resolve(&config.trust.root_public_key).exists() {
        log::warn!(
            "demo mode: creating demo keys, trust list and passes in {}",
            dir.display()
        );
        return create(&dir, now).map(Some);
    }
    read_passes(&dir).map(Some)
}

/// Reads the demo passes written by [`create`].
pub fn read_passes(dir: &Path) -> Result<DemoPasses> {
    let read = |name: &str| {
        let path = dir.join("passes").join(format!("{name}.txt"));
        std::fs::read_to_string(&path)
            .map(|s| s.trim().to_string())
            .map_err(|e| io("read demo pass", &path, e))
    };
    Ok(DemoPasses {
        green: read("green")?,
        yellow: read("yellow")?,
        red: read("red")?,
        expired: read("expired")?,
        forged: read("forged")?,
    })
}

/// Writes `root.key/.pub`, `issuer.key/.pub`, `trust.json` and
/// `passes/{green,yellow,red,expired,forged}.{txt,png}` into `dir`.
pub fn create(dir: &Path, now: DateTime<Utc>) -> Result<DemoPasses> {
    let now = now.trunc_subsecs(0);
    std::fs::create_dir_all(dir.join("passes")).map_err(|e| io("create", dir, e))?;
    let root = random_key()?;
    let issuer = random_key()?;
    for (name, key) in [("root", &root), ("issuer", &issuer)] {
        write_file(
            &dir.join(format!("{name}.key")),
            secret_key_to_text(key).as_bytes(),
            true,
        )?;
        write_file(
            &dir.join(format!("{name}.pub")),
            format!("{}\n", public_key_to_text(&key.verifying_key())).as_bytes(),
            false,
        )?;
    }
    let iss = IssuerId::new(DEMO_ISSUER).map_err(|e| Error::internal("bad demo issuer id", e))?;
    let trust = TrustListDraft {
        seq: 1,
        issued_at: now - TimeDelta::days(1),
        expires_at: now + TimeDelta::days(365),
        issuers: vec![IssuerDraft {
            iss: iss.clone(),
            name: "Demo health authority".into(),
            public_key: issuer.verifying_key(),
            not_before: now - TimeDelta::days(30),
            not_after: now + TimeDelta::days(365),
        }],
    }
    .sign(&root)
    .map_err(|e| Error::internal("cannot sign the demo trust list", e))?;
    write_file(&dir.join("trust.json"), &trust, false)?;

    let pass = |colour, sub: &str, name: &str, iat: DateTime<Utc>, days: i64| -> Result<String> {
        let mut id = [0u8; 16];
        getrandom::fill(&mut id).map_err(|e| Error::internal("cannot get random bytes", e))?;
        let claims = Claims {
            iss: iss.clone(),
            iat,
            exp: iat + TimeDelta::days(days),
            nbf: None,
            pass_id: PassId::from_bytes(id),
            health: HealthClaim {
                status: colour,
                subject: sub.into(),
                masked_name: name.into(),
            },
        };
        issue(&issuer, &claims).map_err(|e| Error::internal("cannot issue a demo pass", e))
    };
    let green = pass(CodeColour::Green, "demo-green", "刘*爽", now, 365)?;
    let passes = DemoPasses {
        forged: forge(&pass(CodeColour::Green, "demo-forged", "王*明", now, 365)?)
            .ok_or_else(|| Error::internal("cannot forge the demo pass", "bad HC1 text"))?,
        green,
        yellow: pass(CodeColour::Yellow, "demo-yellow", "陈*华", now, 365)?,
        red: pass(CodeColour::Red, "demo-red", "赵*丽", now, 365)?,
        expired: pass(
            CodeColour::Green,
            "demo-expired",
            "孙*伟",
            now - TimeDelta::days(3),
            1,
        )?,
    };
    for (name, text) in passes.named() {
        write_file(
            &dir.join("passes").join(format!("{name}.txt")),
            format!("{text}\n").as_bytes(),
            false,
        )?;
        write_scene_png(
            text,
            640,
            480,
            &dir.join("passes").join(format!("{name}.png")),
        )?;
    }
    Ok(passes)
}

/// The same pass with one bit of its signature flipped: a well-formed HC1
/// container whose signature does not verify.
pub fn forge(text: &str) -> Option<String> {
    use std::io::Read;
    let b45 = text.strip_prefix("HC1:")?;
    let compressed = base45::decode(b45).ok()?;
    let mut cose = Vec::new();
    flate2::read::ZlibDecoder::new(compressed.as_slice())
        .read_to_end(&mut cose)
        .ok()?;
    *cose.last_mut()? ^= 0x01;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&cose).ok()?;
    Some(format!("HC1:{}", base45::encode(z.finish().ok()?)))
}

/// A grey frame of `width` x `height` with the pass's QR code in the middle,
/// as a camera would see a phone held up to it.
pub fn scene_luma(text: &str, width: u32, height: u32) -> Result<GrayImage> {
    let code = QrCode::with_error_correction_level(text, EcLevel::Q)
        .map_err(|e| Error::BadInput(format!("cannot render the pass as a QR code: {e}")))?;
    let modules = code.width() as u32;
    let colors = code.to_colors();
    let quiet = 4;
    let side_modules = modules + 2 * quiet;
    let module_px = ((height.min(width) * 3 / 4) / side_modules).max(1);
    let side = side_modules * module_px;
    let (x0, y0) = (
        (width.saturating_sub(side)) / 2,
        (height.saturating_sub(side)) / 2,
    );
    Ok(GrayImage::from_fn(width, height, |x, y| {
        if x < x0 || y < y0 || x >= x0 + side || y >= y0 + side {
            return Luma([90]);
        }
        let (mx, my) = ((x - x0) / module_px, (y - y0) / module_px);
        let inside =
            (quiet..quiet + modules).contains(&mx) && (quiet..quiet + modules).contains(&my);
        let dark = inside
            && colors.get(((my - quiet) * modules + (mx - quiet)) as usize) == Some(&Color::Dark);
        Luma([if dark { 20 } else { 235 }])
    }))
}

/// The same grey counter with no code in view.
pub fn blank_luma(width: u32, height: u32) -> GrayImage {
    GrayImage::from_pixel(width, height, Luma([90]))
}

/// Writes [`scene_luma`] as a PNG file.
pub fn write_scene_png(text: &str, width: u32, height: u32, path: &Path) -> Result<()> {
    scene_luma(text, width, height)?
        .save(path)
        .map_err(|e| io("write", path, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use passgate_gate::{Reason, TrustState, VenuePolicy, Verdict, decide};
    use passgate_pass::TrustList;
    use passgate_pass::keys::parse_public_key;

    #[test]
    fn the_demo_passes_get_the_verdicts_they_are_named_after() {
        let dir = tempfile::tempdir().expect("temp dir");
        let now = Utc::now();
        let passes = create(dir.path(), now).expect("demo files");
        assert_eq!(read_passes(dir.path()).expect("read back"), passes);
        let root_text = std::fs::read_to_string(dir.path().join("root.pub")).expect("root.pub");
        let root = parse_public_key(root_text.trim()).expect("root key");
        let list = TrustList::verify(
            &std::fs::read(dir.path().join("trust.json")).expect("trust"),
            &root,
        )
        .expect("demo trust list verifies");
        let trust = TrustState::new(list, Default::default());
        let policy = VenuePolicy::default();
        let reason = |text: &str| match decide(text, &trust, &policy, now, None) {
            Verdict::Deny { reason, .. } => reason.code().to_string(),
            other => other.outcome().to_string(),
        };
        assert_eq!(reason(&passes.green), "needs_temperature");
        assert!(decide(&passes.green, &trust, &policy, now, Some(36.6)).is_admit());
        assert_eq!(reason(&passes.yellow), Reason::CodeYellow.code());
        assert_eq!(reason(&passes.red), Reason::CodeRed.code());
        assert_eq!(reason(&passes.expired), "expired");
        assert_eq!(reason(&passes.forged), Reason::BadSignature.code());
        assert!(dir.path().join("passes/green.png").exists());
    }

    #[test]
    fn forging_keeps_the_container_and_breaks_only_the_signature() {
        assert_eq!(forge("not a pass"), None);
        assert_eq!(forge("HC1:%%%"), None);
    }
}
