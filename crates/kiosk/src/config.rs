//! `kiosk.toml`: the kiosk's one configuration file.
//!
//! Loading is two steps: serde reads the file (an unknown key or a value of
//! the wrong type is reported by the TOML parser with its line), then
//! [`KioskConfig::validate`] checks the values and names the key and line of
//! the first one that is wrong.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{ConfigError, ConfigResult};

/// The whole kiosk configuration, as read from `kiosk.toml`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct KioskConfig {
    /// Who this kiosk is.
    pub venue: VenueConfig,
    /// The pinned root key and the initial trust documents.
    pub trust: TrustConfig,
    /// The admission rule.
    #[serde(default)]
    pub policy: PolicyConfig,
    /// Where frames come from.
    #[serde(default)]
    pub camera: CameraConfig,
    /// The optional serial thermometer.
    #[serde(default)]
    pub thermometer: ThermometerConfig,
    /// The SQLite database and retention.
    #[serde(default)]
    pub storage: StorageConfig,
    /// The upstream hub.
    #[serde(default)]
    pub sync: SyncConfig,
    /// The screen.
    #[serde(default)]
    pub ui: UiConfig,
    /// The manager screen.
    #[serde(default)]
    pub manager: ManagerConfig,
    /// The folder relative paths are resolved against (the file's folder).
    #[serde(skip)]
    pub base_dir: PathBuf,
    /// The file this was read from (for messages).
    #[serde(skip)]
    pub file: PathBuf,
    /// The file's text, to name the line of a key in later messages.
    #[serde(skip)]
    text: String,
}

/// `[venue]`
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct VenueConfig {
    /// The venue id entries are recorded for.
    pub id: String,
    /// The venue's display name.
    #[serde(default)]
    pub name: String,
    /// This kiosk's device id.
    pub device: String,
    /// IANA time zone name.
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
}

/// `[trust]`
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TrustConfig {
    /// The root public key (base64) or the path of a `.pub` file.
    pub root_public_key: String,
    /// A trust list to import when the database holds none.
    #[serde(default)]
    pub initial_trust_list: String,
    /// A revocation list to import when the database holds none.
    #[serde(default)]
    pub initial_revocations: String,
    /// Create demo keys and documents when they are missing.
    #[serde(default)]
    pub demo: bool,
}

/// `[policy]`
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PolicyConfig {
    /// Fever threshold in °C.
    pub fever_threshold_c: f32,
    /// Ask for a temperature before admitting.
    pub require_temperature: bool,
    /// Allowed issuer clock lead, seconds.
    pub clock_skew_seconds: u32,
    /// Hours a trust list stays usable past its expiry.
    pub trust_list_grace_hours: u32,
    /// Largest accepted pass age in minutes (0: no cap).
    pub max_code_age_minutes: u32,
    /// Repeat-scan cooldown, seconds.
    pub cooldown_seconds: u32,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        Self {
            fever_threshold_c: 37.3,
            require_temperature: true,
            clock_skew_seconds: 300,
            trust_list_grace_hours: 72,
            max_code_age_minutes: 0,
            cooldown_seconds: 10,
        }
    }
}

/// `[camera]`
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CameraConfig {
    /// `auto`, `camera:N`, `camera:NAME`, `images:DIR`, `video:FILE` or `synthetic`.
    pub source: String,
    /// Requested frame width.
    pub width: u32,
    /// Requested frame height.
    pub height: u32,
    /// Requested frame rate.
    pub fps: u32,
}

impl Default for CameraConfig {
    fn default() -> Self {
        Self {
            source: "auto".into(),
            width: 1280,
            height: 720,
            fps: 30,
        }
    }
}

/// `[thermometer]`
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ThermometerConfig {
    /// Serial port path; empty for keypad only.
    pub serial_port: String,
    /// Serial speed.
    pub baud_rate: u32,
    /// Regular expression whose first group is the reading.
    pub pattern: String,
}

impl Default for ThermometerConfig {
    fn default() -> Self {
        Self {
            serial_port: String::new(),
            baud_rate: 9600,
            pattern: r"(\d{2}\.\d)".into(),
        }
    }
}

/// `[storage]`
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct StorageConfig {
    /// Database file.
    pub database: PathBuf,
    /// Days to keep synced entries.
    pub retention_days: u32,
    /// Folder that manager exports are written to.
    pub export_dir: PathBuf,
}

impl Default for StorageConfig {
    fn default() -> Self {
        Self {
            database: PathBuf::from("passgate.sqlite"),
            retention_days: 28,
            export_dir: PathBuf::from("exports"),
        }
    }
}

/// `[sync]`
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SyncConfig {
    /// Hub base URL; empty for offline.
    pub hub_url: String,
    /// Seconds between rounds.
    pub interval_seconds: u32,
    /// Entries per upload.
    pub batch_size: u32,
}

impl Default for SyncConfig {
    fn default() -> Self {
        Self {
            hub_url: String::new(),
            interval_seconds: 30,
            batch_size: 500,
        }
    }
}

/// `[ui]`
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct UiConfig {
    /// `zh-CN` or `en`.
    pub language: String,
    /// Open full screen.
    pub fullscreen: bool,
    /// Seconds a verdict stays on screen.
    pub verdict_seconds: u32,
    /// Seconds a valid green pass waits for a temperature before it is dropped.
    pub temperature_timeout_seconds: u32,
}

impl Default for UiConfig {
    fn default() -> Self {
        Self {
            language: "zh-CN".into(),
            fullscreen: true,
            verdict_seconds: 3,
            temperature_timeout_seconds: 30,
        }
    }
}

/// `[manager]`
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ManagerConfig {
    /// The PIN set when the database has none (4 to 12 digits).
    pub initial_pin: String,
}

impl Default for ManagerConfig {
    fn default() -> Self {
        Self {
            initial_pin: "1234".into(),
        }
    }
}

fn default_time_zone() -> String {
    "UTC".into()
}

/// The languages the screen speaks.
pub const LANGUAGES: [&str; 2] = ["zh-CN", "en"];

impl KioskConfig {
    /// Reads, parses and validates a config file.
    pub fn load(path: &Path) -> ConfigResult<Self> {
        let text = std::fs::read_to_string(path).map_err(|error| ConfigError::Read {
            path: path.to_path_buf(),
            error,
        })?;
        let base_dir = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        Self::parse(&text, path, base_dir)
    }

    /// Parses and validates config text; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path, base_dir: PathBuf) -> ConfigResult<Self> {
        let mut config: KioskConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string().trim_end().to_string(),
        })?;
        config.base_dir = base_dir;
        config.file = path.to_path_buf();
        config.text = text.to_string();
        if let Err((key, message)) = config.validate() {
            return Err(config.invalid(key, message));
        }
        Ok(config)
    }

    /// The error for a bad value of `key` (dotted), naming the file and the key's line.
    pub fn invalid(&self, key: &str, message: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            path: self.file.clone(),
            line: line_of_key(&self.text, key),
            key: key.to_string(),
            message: message.into(),
        }
    }

    /// Checks every value; on the first bad one returns its dotted key and why.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        fn check(ok: bool, key: &'static str, msg: &str) -> Result<(), (&'static str, String)> {
            if ok {
                Ok(())
            } else {
                Err((key, msg.to_string()))
            }
        }
        check(
            !self.venue.id.trim().is_empty(),
            "venue.id",
            "must not be empty",
        )?;
        check(
            !self.venue.device.trim().is_empty(),
            "venue.device",
            "must not be empty",
        )?;
        if self.venue.time_zone.parse::<chrono_tz::Tz>().is_err() {
            return Err((
                "venue.time_zone",
                format!(
                    "`{}` is not an IANA time zone name (e.g. \"Asia/Shanghai\", \"Europe/Berlin\", \"UTC\")",
                    self.venue.time_zone
                ),
            ));
        }
        check(
            !self.trust.root_public_key.trim().is_empty(),
            "trust.root_public_key",
            "must be the root public key (base64) or the path of a .pub file",
        )?;
        let p = &self.policy;
        check(
            (35.0..=40.0).contains(&p.fever_threshold_c),
            "policy.fever_threshold_c",
            "must be between 35.0 and 40.0 °C",
        )?;
        check(
            p.clock_skew_seconds <= 3600,
            "policy.clock_skew_seconds",
            "must be at most 3600",
        )?;
        check(
            p.cooldown_seconds <= 3600,
            "policy.cooldown_seconds",
            "must be at most 3600",
        )?;
        check(
            valid_source(&self.camera.source),
            "camera.source",
            "must be \"auto\", \"camera:N\", \"camera:NAME\", \"images:DIR\", \"video:FILE\" or \"synthetic\"",
        )?;
        check(
            (160..=3840).contains(&self.camera.width),
            "camera.width",
            "must be between 160 and 3840",
        )?;
        check(
            (120..=2160).contains(&self.camera.height),
            "camera.height",
            "must be between 120 and 2160",
        )?;
        check(
            (1..=120).contains(&self.camera.fps),
            "camera.fps",
            "must be between 1 and 120",
        )?;
        match regex::Regex::new(&self.thermometer.pattern) {
            Err(e) => {
                return Err((
                    "thermometer.pattern",
                    format!("is not a valid regular expression: {e}"),
                ));
            }
            Ok(re) => check(
                re.captures_len() > 1,
                "thermometer.pattern",
                "must contain a capture group holding the reading, e.g. '(\\d{2}\\.\\d)'",
            )?,
        }
        check(
            self.storage.retention_days >= 1,
            "storage.retention_days",
            "must be at least 1",
        )?;
        check(
            self.sync.hub_url.is_empty()
                || self.sync.hub_url.starts_with("http://")
                || self.sync.hub_url.starts_with("https://"),
            "sync.hub_url",
            "must start with http:// or https:// (or be empty to stay offline)",
        )?;
        check(
            self.sync.interval_seconds >= 1,
            "sync.interval_seconds",
            "must be at least 1",
        )?;
        check(
            (1..=5000).contains(&self.sync.batch_size),
            "sync.batch_size",
            "must be between 1 and 5000",
        )?;
        check(
            LANGUAGES.contains(&self.ui.language.as_str()),
            "ui.language",
            "must be \"zh-CN\" or \"en\"",
        )?;
        check(
            (1..=60).contains(&self.ui.verdict_seconds),
            "ui.verdict_seconds",
            "must be between 1 and 60",
        )?;
        check(
            (5..=600).contains(&self.ui.temperature_timeout_seconds),
            "ui.temperature_timeout_seconds",
            "must be between 5 and 600",
        )?;
        check(
            (4..=12).contains(&self.manager.initial_pin.len())
                && self.manager.initial_pin.bytes().all(|b| b.is_ascii_digit()),
            "manager.initial_pin",
            "must be 4 to 12 digits",
        )?;
        Ok(())
    }

    /// The venue's time zone (validated at load).
    pub fn time_zone(&self) -> chrono_tz::Tz {
        self.venue.time_zone.parse().unwrap_or(chrono_tz::UTC)
    }

    /// Resolves a path from the file against the file's folder.
    pub fn resolve(&self, path: impl AsRef<Path>) -> PathBuf {
        let path = path.as_ref();
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.base_dir.join(path)
        }
    }

    /// The database path, resolved.
    pub fn database_path(&self) -> PathBuf {
        self.resolve(&self.storage.database)
    }
}

/// Whether `source` is a valid `camera.source` value.
pub fn valid_source(source: &str) -> bool {
    match source.split_once(':') {
        None => matches!(source, "auto" | "synthetic"),
        Some((kind, rest)) => {
            matches!(kind, "camera" | "images" | "video" | "synthetic") && !rest.is_empty()
        }
    }
}

/// The 1-based line where a dotted key (`table.key`) is set, if it is.
pub fn line_of_key(text: &str, dotted: &str) -> Option<usize> {
    let doc: toml_edit::Document<String> = text.parse().ok()?;
    let mut item = doc.as_item();
    let mut span = None;
    for part in dotted.split('.') {
        item = item.get(part)?;
        span = item.span().or(span);
    }
    let start = span?.start;
    Some(text[..start.min(text.len())].matches('\n').count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = include_str!("../../../kiosk.toml");

    fn parse(text: &str) -> ConfigResult<KioskConfig> {
        KioskConfig::parse(
            text,
            Path::new("kiosk.toml"),
            PathBuf::from("/etc/passgate"),
        )
    }

    #[test]
    fn the_shipped_file_is_valid_and_matches_the_defaults() {
        let c = parse(SAMPLE).expect("shipped kiosk.toml must load");
        assert_eq!(c.policy, PolicyConfig::default());
        assert_eq!(c.camera, CameraConfig::default());
        assert_eq!(c.thermometer, ThermometerConfig::default());
        assert_eq!(c.storage, StorageConfig::default());
        assert_eq!(c.sync, SyncConfig::default());
        assert_eq!(c.ui, UiConfig::default());
        assert_eq!(c.manager, ManagerConfig::default());
        assert_eq!(c.time_zone(), chrono_tz::Asia::Shanghai);
        assert_eq!(
            c.database_path(),
            PathBuf::from("/etc/passgate/passgate.sqlite")
        );
    }

    #[test]
    fn an_unknown_key_is_named_with_its_line() {
        let text = SAMPLE.replace("cooldown_seconds = 10", "cooldown_secs = 10");
        let err = parse(&text).unwrap_err().to_string();
        let line = text
            .lines()
            .position(|l| l.starts_with("cooldown_secs"))
            .unwrap()
            + 1;
        assert!(err.contains("cooldown_secs"), "{err}");
        assert!(err.contains(&format!("line {line}")), "{err}");
    }

    #[test]
    fn a_bad_value_is_named_with_key_and_line() {
        let text = SAMPLE.replace("fever_threshold_c = 37.3", "fever_threshold_c = 73.7");
        let err = parse(&text).unwrap_err();
        let line = text
            .lines()
            .position(|l| l.starts_with("fever_threshold_c"))
            .unwrap()
            + 1;
        match &err {
            ConfigError::Invalid { key, line: l, .. } => {
                assert_eq!(key, "policy.fever_threshold_c");
                assert_eq!(*l, Some(line));
            }
            other => panic!("expected Invalid, got {other:?}"),
        }
        let msg = err.to_string();
        assert!(msg.contains("policy.fever_threshold_c") && msg.contains(&format!("line {line}")));
    }

    #[test]
    fn a_value_of_the_wrong_type_is_named_with_its_line() {
        let text = SAMPLE.replace("fps = 30", "fps = \"thirty\"");
        let err = parse(&text).unwrap_err().to_string();
        let line = text.lines().position(|l| l.starts_with("fps")).unwrap() + 1;
        assert!(err.contains(&format!("line {line}")), "{err}");
        assert!(err.contains("fps"), "{err}");
    }

    #[test]
    fn a_bad_time_zone_is_refused() {
        let text = SAMPLE.replace("Asia/Shanghai", "Mars/Olympus");
        let err = parse(&text).unwrap_err().to_string();
        assert!(
            err.contains("venue.time_zone") && err.contains("Mars/Olympus"),
            "{err}"
        );
    }

    #[test]
    fn a_missing_required_key_is_named() {
        let text = SAMPLE.replace("device = \"kiosk-1\"", "");
        let err = parse(&text).unwrap_err().to_string();
        assert!(err.contains("device"), "{err}");
    }

    #[test]
    fn a_missing_file_says_which() {
        let err = KioskConfig::load(Path::new("/nonexistent/kiosk.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("/nonexistent/kiosk.toml"), "{err}");
    }

    #[test]
    fn sources_are_checked() {
        for ok in [
            "auto",
            "synthetic",
            "camera:0",
            "camera:HD Webcam",
            "images:/tmp/x",
            "video:a.y4m",
        ] {
            assert!(valid_source(ok), "{ok}");
        }
        for bad in ["", "camera:", "webcam", "file:x", "auto:1"] {
            assert!(!valid_source(bad), "{bad}");
        }
    }

    #[test]
    fn the_line_of_a_nested_key_is_found() {
        let text = "[a]\nx = 1\n\n[b]\n# c\ny = 2\n";
        assert_eq!(line_of_key(text, "b.y"), Some(6));
        assert_eq!(line_of_key(text, "a.x"), Some(2));
        assert_eq!(line_of_key(text, "b.z"), None);
    }
}
