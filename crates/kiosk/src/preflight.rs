//! The files `kiosk.toml` names, checked the same way by the kiosk when it
//! starts and by `passgate config check`: the pinned root key must load,
//! the initial trust documents must verify against it, and the camera
//! source must exist. A problem names the key and its line, like a bad
//! value does; things the kiosk copes with (no camera, demo files still to
//! be created, an expired initial list) are notes, not errors.

use std::path::Path;

use chrono::{DateTime, Utc};
use passgate_pass::keys::parse_public_key;
use passgate_pass::{RevocationDoc, TrustList, VerifyingKey};

use crate::config::KioskConfig;
use crate::error::ConfigResult;

/// Loads `trust.root_public_key`: the key itself, or the `.pub` file it names.
pub fn root_key(config: &KioskConfig) -> ConfigResult<VerifyingKey> {
    const KEY: &str = "trust.root_public_key";
    let value = config.trust.root_public_key.trim();
    let path = config.resolve(value);
    let text = if path.is_file() {
        std::fs::read_to_string(&path).map_err(|e| {
            config.invalid(
                KEY,
                format!("names {} which cannot be read: {e}", path.display()),
            )
        })?
    } else if parse_public_key(value).is_ok() {
        value.to_string()
    } else {
        return Err(config.invalid(
            KEY,
            format!(
                "is neither a key (64 hex digits) nor a readable .pub file: {} does not exist",
                path.display()
            ),
        ));
    };
    parse_public_key(text.trim()).map_err(|e| {
        config.invalid(
            KEY,
            format!("{} does not hold a public key: {e}", path.display()),
        )
    })
}

/// What the checks found besides errors, one line each.
pub type Notes = Vec<String>;

/// Checks everything the kiosk needs from the files `kiosk.toml` names.
/// `now` dates the notes about expiry.
pub fn check(config: &KioskConfig, now: DateTime<Utc>) -> ConfigResult<Notes> {
    let mut notes = Notes::new();
    let demo_pending =
        config.trust.demo && !config.resolve(config.trust.root_public_key.trim()).exists();
    if demo_pending {
        notes.push(format!(
            "demo mode: the demo root key, trust list and passes will be created in {} at the first start",
            crate::demo::demo_dir(config).display()
        ));
    } else {
        let root = root_key(config)?;
        check_trust_list(config, &root, now, &mut notes)?;
        check_revocations(config, &root, &mut notes)?;
    }
    check_camera(config, &mut notes)?;
    Ok(notes)
}

fn read(config: &KioskConfig, key: &str, file: &str) -> ConfigResult<Vec<u8>> {
    let path = config.resolve(file);
    std::fs::read(&path).map_err(|e| {
        config.invalid(
            key,
            format!("names {} which cannot be read: {e}", path.display()),
        )
    })
}

fn check_trust_list(
    config: &KioskConfig,
    root: &VerifyingKey,
    now: DateTime<Utc>,
    notes: &mut Notes,
) -> ConfigResult<()> {
    const KEY: &str = "trust.initial_trust_list";
    let file = config.trust.initial_trust_list.trim();
    if file.is_empty() {
        notes.push(
            "no initial trust list: until the hub sends one, every pass is denied (no trust list)"
                .into(),
        );
        return Ok(());
    }
    let list = TrustList::verify(&read(config, KEY, file)?, root).map_err(|e| {
        config.invalid(
            KEY,
            format!(
                "{file} is not a trust list signed by trust.root_public_key: {}",
                passgate_sync::chain(&e)
            ),
        )
    })?;
    notes.push(format!(
        "trust list {file}: seq {}, {} issuer(s), expires {}",
        list.seq(),
        list.issuers().len(),
        list.expires_at().format("%Y-%m-%d %H:%M UTC")
    ));
    if list.expires_at() < now {
        notes.push(format!(
            "trust list {file} has expired: past policy.trust_list_grace_hours every pass is denied until the hub sends a newer one"
        ));
    }
    Ok(())
}

fn check_revocations(
    config: &KioskConfig,
    root: &VerifyingKey,
    notes: &mut Notes,
) -> ConfigResult<()> {
    const KEY: &str = "trust.initial_revocations";
    let file = config.trust.initial_revocations.trim();
    if file.is_empty() {
        return Ok(());
    }
    let doc = RevocationDoc::verify(&read(config, KEY, file)?, root).map_err(|e| {
        config.invalid(
            KEY,
            format!(
                "{file} is not a revocation document signed by trust.root_public_key: {}",
                passgate_sync::chain(&e)
            ),
        )
    })?;
    notes.push(format!(
        "revocations {file}: seq {}, {} pass id(s), {} subject(s)",
        doc.seq(),
        doc.pass_ids().len(),
        doc.subjects().len()
    ));
    Ok(())
}

fn check_camera(config: &KioskConfig, notes: &mut Notes) -> ConfigResult<()> {
    const KEY: &str = "camera.source";
    let source = config.camera.source.as_str();
    match source.split_once(':') {
        Some(("images", dir)) => {
            let dir = config.resolve(dir);
            passgate_scan::source::ImageSource::from_dir(&dir).map_err(|e| {
                config.invalid(KEY, format!("cannot replay {}: {e}", dir.display()))
            })?;
        }
        Some(("video", file)) => {
            let file = config.resolve(file);
            if !Path::new(&file).is_file() {
                return Err(config.invalid(KEY, format!("{} does not exist", file.display())));
            }
        }
        None if source == "auto" => {
            let found = passgate_scan::source::camera::list_cameras().len();
            notes.push(if found == 0 && config.trust.demo {
                "no camera found: the kiosk will show the synthetic demo feed".into()
            } else if found == 0 {
                "no camera found: the kiosk will say so on screen and take passes from a hand scanner only".into()
            } else {
                format!("{found} camera(s) found; the first one is used")
            });
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn config(dir: &Path, trust: &str) -> ConfigResult<KioskConfig> {
        let text = format!(
            "[venue]\nid = \"v\"\ndevice = \"d\"\n\n[trust]\n{trust}\n\n[camera]\nsource = \"synthetic\"\n"
        );
        KioskConfig::parse(&text, Path::new("kiosk.toml"), dir.to_path_buf())
    }

    fn error(c: &KioskConfig) -> String {
        check(c, Utc::now()).unwrap_err().to_string()
    }

    #[test]
    fn a_demo_kiosk_before_its_first_start_only_gets_a_note() {
        let dir = tempfile::tempdir().unwrap();
        let c = config(
            dir.path(),
            "root_public_key = \".demo/root.pub\"\ninitial_trust_list = \".demo/trust.json\"\ndemo = true",
        )
        .unwrap();
        let notes = check(&c, Utc::now()).unwrap();
        assert!(notes[0].contains("demo mode"), "{notes:?}");
    }

    #[test]
    fn the_demo_files_pass_and_are_described() {
        let dir = tempfile::tempdir().unwrap();
        crate::demo::create(&dir.path().join("demo"), Utc::now()).unwrap();
        let c = config(
            dir.path(),
            "root_public_key = \"demo/root.pub\"\ninitial_trust_list = \"demo/trust.json\"",
        )
        .unwrap();
        let notes = check(&c, Utc::now()).unwrap();
        assert!(
            notes.iter().any(|n| n.contains("seq 1, 1 issuer(s)")),
            "{notes:?}"
        );
        assert_eq!(
            root_key(&c).unwrap(),
            parse_public_key(
                std::fs::read_to_string(dir.path().join("demo/root.pub"))
                    .unwrap()
                    .trim()
            )
            .unwrap()
        );
    }

    #[test]
    fn a_missing_root_key_names_the_key_and_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let c = config(dir.path(), "root_public_key = \"keys/root.pub\"").unwrap();
        let err = error(&c);
        assert!(
            err.contains("line 6")
                && err.contains("trust.root_public_key")
                && err.contains("does not exist"),
            "{err}"
        );
    }

    #[test]
    fn a_trust_list_signed_by_another_root_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        crate::demo::create(&dir.path().join("a"), Utc::now()).unwrap();
        crate::demo::create(&dir.path().join("b"), Utc::now()).unwrap();
        let c = config(
            dir.path(),
            "root_public_key = \"a/root.pub\"\ninitial_trust_list = \"b/trust.json\"",
        )
        .unwrap();
        let err = error(&c);
        assert!(
            err.contains("trust.initial_trust_list")
                && err.contains("line 7")
                && err.contains("not a trust list signed by trust.root_public_key"),
            "{err}"
        );
    }

    #[test]
    fn a_replay_folder_that_does_not_exist_is_named() {
        let dir = tempfile::tempdir().unwrap();
        crate::demo::create(&dir.path().join("demo"), Utc::now()).unwrap();
        let mut c = config(dir.path(), "root_public_key = \"demo/root.pub\"").unwrap();
        c.camera.source = "images:nowhere".into();
        let err = error(&c);
        assert!(
            err.contains("camera.source")
                && err.contains(&PathBuf::from("nowhere").display().to_string()),
            "{err}"
        );
    }
}
