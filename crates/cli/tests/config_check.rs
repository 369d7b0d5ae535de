//! `passgate config check` on the shipped kiosk.toml and on broken copies.

use assert_cmd::Command;

const SHIPPED: &str = include_str!("../../../kiosk.toml");

fn check(text: &str) -> assert_cmd::assert::Assert {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("kiosk.toml");
    std::fs::write(&path, text).expect("write config");
    Command::cargo_bin("passgate")
        .expect("passgate binary")
        .args(["config", "check", "--config"])
        .arg(&path)
        .assert()
}

#[test]
fn the_shipped_config_passes() {
    let out = check(SHIPPED).success().get_output().stdout.clone();
    let out = String::from_utf8_lossy(&out);
    assert!(out.contains(": ok") && out.contains("demo-venue"), "{out}");
    assert!(
        out.contains("note: demo mode"),
        "the demo files are still to be made in a fresh folder: {out}"
    );
}

#[test]
fn a_bad_value_is_named_with_key_and_line() {
    let text = SHIPPED.replace("verdict_seconds = 3", "verdict_seconds = 0");
    let line = text
        .lines()
        .position(|l| l.starts_with("verdict_seconds"))
        .expect("key")
        + 1;
    let out = check(&text).code(2).get_output().stderr.clone();
    let err = String::from_utf8_lossy(&out);
    assert!(
        err.contains("ui.verdict_seconds") && err.contains(&format!("line {line}")),
        "{err}"
    );
}

#[test]
fn an_unknown_key_is_named() {
    let text = SHIPPED.replace("batch_size = 500", "batch_sise = 500");
    let out = check(&text).code(2).get_output().stderr.clone();
    let err = String::from_utf8_lossy(&out);
    assert!(err.contains("batch_sise"), "{err}");
}

#[test]
fn a_root_key_file_that_does_not_exist_is_named_with_its_line() {
    let text = SHIPPED
        .replace("demo = true", "demo = false")
        .replace(".demo/root.pub", "keys/missing-root.pub");
    let line = text
        .lines()
        .position(|l| l.starts_with("root_public_key"))
        .expect("key")
        + 1;
    let out = check(&text).code(2).get_output().stderr.clone();
    let err = String::from_utf8_lossy(&out);
    assert!(
        err.contains("trust.root_public_key")
            && err.contains(&format!("line {line}"))
            && err.contains("missing-root.pub"),
        "{err}"
    );
}

#[test]
fn a_thermometer_pattern_that_does_not_compile_is_refused() {
    let text = SHIPPED.replace(r"pattern = '(\d{2}\.\d)'", "pattern = '(\\d{2}'");
    let out = check(&text).code(2).get_output().stderr.clone();
    let err = String::from_utf8_lossy(&out);
    assert!(
        err.contains("thermometer.pattern") && err.contains("not a valid regular expression"),
        "{err}"
    );
}

#[test]
fn a_missing_file_is_named_once() {
    let out = Command::cargo_bin("passgate")
        .expect("passgate binary")
        .args(["config", "check", "--config", "/nonexistent/kiosk.toml"])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8_lossy(&out);
    assert!(err.contains("/nonexistent/kiosk.toml"), "{err}");
    assert_eq!(err.matches("No such file").count(), 1, "{err}");
}
