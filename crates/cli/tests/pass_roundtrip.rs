//! The `passgate` pass commands end to end, in a temp directory:
//! keygen -> trust sign -> issue -> verify, and what must be refused.

use std::path::Path;

use assert_cmd::Command;
use assert_cmd::cargo::cargo_bin_cmd;
use tempfile::TempDir;

const PASS_ID: &str = "0123456789abcdef0123456789abcdef";

fn passgate(dir: &Path) -> Command {
    let mut cmd = cargo_bin_cmd!("passgate");
    cmd.current_dir(dir);
    cmd
}

/// Asserts exit code 2 and an error message containing `needle`.
trait FailsWith {
    fn fails_with(&mut self, needle: &str);
}

impl FailsWith for Command {
    fn fails_with(&mut self, needle: &str) {
        let out = self.output().expect("passgate runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
        assert!(stderr.contains(needle), "expected {needle:?} in: {stderr}");
    }
}

fn stdout(cmd: &mut Command) -> String {
    let out = cmd.output().expect("passgate runs");
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// Keys, a trust list and one green pass (text and PNG).
struct Setup {
    dir: TempDir,
    pass: String,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();
    passgate(p)
        .args(["keygen", "--out", ".", "--name", "root"])
        .assert()
        .success();
    passgate(p)
        .args(["keygen", "--out", ".", "--name", "ln"])
        .assert()
        .success();
    passgate(p)
        .args([
            "trust",
            "sign",
            "--root",
            "root.key",
            "--issuer",
            "ln.pub,CN-LN,Liaoning Health, China",
        ])
        .args([
            "--seq",
            "1",
            "--valid-days",
            "30",
            "--issued-at",
            "2026-11-01T00:00:00Z",
            "--out",
            "trust.json",
        ])
        .assert()
        .success();
    let pass = stdout(
        passgate(p)
            .args([
                "issue",
                "--key",
                "ln.key",
                "--iss",
                "CN-LN",
                "--status",
                "green",
                "--sub",
                "subject-7",
            ])
            .args([
                "--name",
                "刘*爽",
                "--issued-at",
                "2026-11-28T08:00:00Z",
                "--valid-minutes",
                "600",
            ])
            .args(["--pass-id", PASS_ID, "--png", "pass.png"]),
    )
    .trim()
    .to_owned();
    assert!(pass.starts_with("HC1:"), "issue prints the pass: {pass:?}");
    Setup { dir, pass }
}

fn verify(s: &Setup) -> Command {
    let mut cmd = passgate(s.dir.path());
    cmd.args([
        "verify",
        "--root",
        "root.pub",
        "--trust",
        "trust.json",
        "--at",
        "2026-11-28T09:00:00Z",
    ]);
    cmd
}

#[test]
fn keygen_writes_a_private_key_and_a_public_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    passgate(dir.path())
        .args(["keygen", "--name", "k"])
        .assert()
        .success();
    let public = std::fs::read_to_string(dir.path().join("k.pub")).expect("k.pub");
    assert_eq!(public.trim().len(), 64);
    assert!(public.trim().bytes().all(|b| b.is_ascii_hexdigit()));
    let secret = std::fs::read_to_string(dir.path().join("k.key")).expect("k.key");
    assert!(secret.contains("ed25519-seed-hex: "));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("k.key"))
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Never overwrite a key.
    passgate(dir.path())
        .args(["keygen", "--name", "k"])
        .fails_with("already exists");
    std::fs::remove_file(dir.path().join("k.pub")).expect("remove k.pub");
    passgate(dir.path())
        .args(["keygen", "--name", "k"])
        .fails_with("must not exist yet");
    let again = std::fs::read_to_string(dir.path().join("k.key")).expect("k.key");
    assert_eq!(again, secret, "the secret key is unchanged");
}

#[test]
fn issued_pass_is_admitted() {
    let s = setup();
    let out = stdout(verify(&s).arg(&s.pass));
    assert!(out.starts_with("ADMIT"), "{out}");
    assert!(
        out.contains("刘*爽") && out.contains("Liaoning Health, China") && out.contains(PASS_ID),
        "{out}"
    );
    verify(&s).arg(&s.pass).assert().code(0);
}

#[test]
fn one_changed_character_is_never_admitted() {
    let s = setup();
    let chars: Vec<char> = s.pass.chars().collect();
    for i in [
        4,
        5,
        chars.len() / 3,
        chars.len() / 2,
        chars.len() - 2,
        chars.len() - 1,
    ] {
        let mut changed = chars.clone();
        changed[i] = if changed[i] == 'A' { 'B' } else { 'A' };
        let text: String = changed.into_iter().collect();
        let out = verify(&s).arg(&text).output().expect("runs");
        assert_eq!(out.status.code(), Some(1), "position {i} must be denied");
        let line = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            line.starts_with("DENY (bad_signature)") || line.starts_with("DENY (malformed)"),
            "position {i}: {line}"
        );
    }
}

#[test]
fn image_written_by_issue_is_read_and_admitted() {
    let s = setup();
    let out = stdout(verify(&s).args(["--image", "pass.png", "--json"]));
    let json: serde_json::Value = serde_json::from_str(&out).expect("json output");
    assert_eq!(json["verdict"], "admit");
    assert_eq!(json["pass"]["pass_id"], PASS_ID);
    assert_eq!(json["pass"]["masked_name"], "刘*爽");
    assert_eq!(json["reason"], serde_json::Value::Null);
}

#[test]
fn stdin_text_is_accepted() {
    let s = setup();
    verify(&s)
        .arg("-")
        .write_stdin(format!("{}\n", s.pass))
        .assert()
        .code(0);
}

#[test]
fn fever_expiry_and_revocation_deny_with_their_reasons() {
    let s = setup();
    let out = stdout(verify(&s).args(["--temperature", "38.2", "--json", &s.pass]));
    let json: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(
        (json["verdict"].as_str(), json["reason"].as_str()),
        (Some("deny"), Some("fever"))
    );
    assert_eq!(json["reason_text"], "fever: 38.2 °C");

    let mut late = passgate(s.dir.path());
    late.args([
        "verify",
        "--root",
        "root.pub",
        "--trust",
        "trust.json",
        "--at",
        "2026-11-28T18:00:01Z",
        &s.pass,
    ]);
    let out = late.output().expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("DENY (expired)"));

    passgate(s.dir.path())
        .args([
            "revoke",
            "sign",
            "--root",
            "root.key",
            "--pass-id",
            PASS_ID,
            "--seq",
            "1",
            "--out",
            "rev.json",
        ])
        .assert()
        .success();
    let out = verify(&s)
        .args(["--revocations", "rev.json", &s.pass])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("DENY (revoked)"));
}

#[test]
fn temperature_can_be_required() {
    let s = setup();
    let out = verify(&s)
        .args(["--require-temperature", &s.pass])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("CHECK"));
    verify(&s)
        .args(["--require-temperature", "--temperature", "36.5", &s.pass])
        .assert()
        .code(0);
}

#[test]
fn wrong_root_key_is_an_error_not_a_verdict() {
    let s = setup();
    let ln_pub = std::fs::read_to_string(s.dir.path().join("ln.pub")).expect("ln.pub");
    passgate(s.dir.path())
        .args([
            "verify",
            "--root",
            ln_pub.trim(),
            "--trust",
            "trust.json",
            &s.pass,
        ])
        .fails_with("pinned root key");
}

#[test]
fn unreadable_inputs_exit_2_with_the_file_named() {
    let s = setup();
    passgate(s.dir.path())
        .args([
            "verify",
            "--root",
            "root.pub",
            "--trust",
            "missing.json",
            &s.pass,
        ])
        .fails_with("missing.json");
    passgate(s.dir.path())
        .args([
            "issue", "--key", "root.pub", "--iss", "CN-LN", "--status", "green", "--sub", "s",
            "--name", "n",
        ])
        .fails_with("not a passgate secret key");
    passgate(s.dir.path())
        .args([
            "trust",
            "sign",
            "--root",
            "root.key",
            "--issuer",
            "ln.pub,CN-LN",
            "--seq",
            "2",
        ])
        .args(["--valid-days", "3", "--out", "t2.json"])
        .fails_with("PUB,ISSUER_ID");
}
