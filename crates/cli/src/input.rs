//! Reading keys, documents and times given on the command line.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{DateTime, SubsecRound, Utc};
use passgate_pass::keys::{parse_public_key, parse_secret_key};
use passgate_pass::{SigningKey, VerifyingKey};

/// Reads a secret key file (`NAME.key`).
pub fn secret_key(path: &Path) -> anyhow::Result<SigningKey> {
    let text = fs::read_to_string(path)
        .with_context(|| format!("cannot read secret key file {}", path.display()))?;
    parse_secret_key(&text).with_context(|| format!("bad secret key file {}", path.display()))
}

/// Reads a public key given inline (64 hex digits) or as a file (`NAME.pub`).
pub fn public_key(arg: &str) -> anyhow::Result<VerifyingKey> {
    let trimmed = arg.trim();
    if trimmed.len() == 64 && trimmed.bytes().all(|b| b.is_ascii_hexdigit()) {
        return parse_public_key(trimmed).context("bad public key given on the command line");
    }
    let text = fs::read_to_string(arg).with_context(|| {
        format!("cannot read public key file {arg} (give a file or 64 hex digits)")
    })?;
    parse_public_key(&text).with_context(|| format!("bad public key file {arg}"))
}

/// Reads a whole file, naming it in the error.
pub fn file(path: &Path, what: &str) -> anyhow::Result<Vec<u8>> {
    fs::read(path).with_context(|| format!("cannot read {what} {}", path.display()))
}

/// Parses an RFC 3339 time (clap value parser).
pub fn rfc3339(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("{e}: expected RFC 3339, e.g. 2026-11-28T09:30:00Z"))
}

/// The given time, or the system clock.
pub fn now_or(at: Option<DateTime<Utc>>) -> DateTime<Utc> {
    // The CLI is the imperative shell: the clock is read here and passed inward.
    at.unwrap_or_else(Utc::now)
}

/// Writes a file that must not exist yet, with mode 0600 on Unix.
pub fn write_new_private(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path).with_context(|| {
        format!(
            "cannot create {} (it must not exist yet: keys are never overwritten)",
            path.display()
        )
    })?;
    f.write_all(contents)
        .and_then(|()| f.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Writes a file, replacing it.
pub fn write(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    fs::write(path, contents).with_context(|| format!("cannot write {}", path.display()))
}

/// Options of the commands that sign a document with the root key.
#[derive(clap::Args)]
pub struct RootSigning {
    /// Root secret key file (ROOT.key).
    #[arg(long)]
    root: PathBuf,
    /// Signing time (RFC 3339; default: now).
    #[arg(long, value_parser = rfc3339)]
    issued_at: Option<DateTime<Utc>>,
    /// Output file (the signed JSON envelope).
    #[arg(long)]
    out: PathBuf,
}

impl RootSigning {
    /// The root key.
    pub fn key(&self) -> anyhow::Result<SigningKey> {
        secret_key(&self.root)
    }

    /// The signing time, in whole seconds.
    pub fn issued_at(&self) -> DateTime<Utc> {
        now_or(self.issued_at).trunc_subsecs(0)
    }

    /// Writes the signed document and returns the path written.
    pub fn write(&self, doc: &[u8]) -> anyhow::Result<&Path> {
        write(&self.out, doc)?;
        Ok(&self.out)
    }
}
