//! `passgate keygen`: a new Ed25519 key pair.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use passgate_pass::Kid;
use passgate_pass::keys::{public_key_to_text, secret_key_to_text, signing_key_from_seed};

use crate::input;

/// Arguments of `passgate keygen`.
#[derive(clap::Args)]
pub struct Args {
    /// Directory to write the key files into.
    #[arg(long, default_value = ".")]
    out: PathBuf,
    /// Base name of the key files: NAME.key and NAME.pub.
    #[arg(long)]
    name: String,
}

/// Writes `NAME.key` (mode 0600, refuses to overwrite) and `NAME.pub`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.name.is_empty() || args.name.contains(['/', '\\']) || args.name.starts_with('.') {
        bail!("--name must be a plain file name such as `root` or `issuer-ln`");
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed)
        .map_err(|e| anyhow::anyhow!("cannot get random bytes from the operating system: {e}"))?;
    let key = signing_key_from_seed(seed);
    let public = key.verifying_key();
    let key_path = args.out.join(format!("{}.key", args.name));
    let pub_path = args.out.join(format!("{}.pub", args.name));
    if pub_path.exists() {
        bail!(
            "{} already exists: choose another --name or --out",
            pub_path.display()
        );
    }
    input::write_new_private(&key_path, secret_key_to_text(&key).as_bytes())?;
    input::write(
        &pub_path,
        format!("{}\n", public_key_to_text(&public)).as_bytes(),
    )
    .context("the secret key was written but its public key was not")?;
    println!("wrote {} and {}", key_path.display(), pub_path.display());
    println!("public key {}", public_key_to_text(&public));
    println!("kid {}", Kid::of(&public));
    Ok(ExitCode::SUCCESS)
}
