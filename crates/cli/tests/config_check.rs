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
