//! `passgate revoke sign`: a revocation document signed by the root key.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, SubsecRound, Utc};
use passgate_pass::{PassId, RevocationDraft};

use crate::input;

/// `passgate revoke ...`
#[derive(clap::Subcommand)]
pub enum Command {
    /// Sign a revocation document (a full list with --base-seq 0, else the changes since --base-seq).
    Sign(SignArgs),
}

/// Arguments of `passgate revoke sign`.
#[derive(clap::Args)]
pub struct SignArgs {
    /// Root secret key file (ROOT.key).
    #[arg(long)]
    root: PathBuf,
    /// Revoked pass ids (32 hex digits each).
    #[arg(long = "pass-id", value_name = "HEX", num_args = 1..)]
    pass_ids: Vec<PassId>,
    /// Revoked subject pseudonyms.
    #[arg(long = "subject", value_name = "PSEUDONYM", num_args = 1..)]
    subjects: Vec<String>,
    /// Sequence number after this document.
    #[arg(long)]
    seq: u64,
    /// Sequence number the document continues from (0: a full list).
    #[arg(long, default_value_t = 0)]
    base_seq: u64,
    /// Signing time (RFC 3339; default: now).
    #[arg(long, value_parser = input::rfc3339)]
    issued_at: Option<DateTime<Utc>>,
    /// Output file (the signed JSON envelope).
    #[arg(long)]
    out: PathBuf,
}

/// Runs a `passgate revoke` subcommand.
pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Sign(args) => sign(args),
    }
}

fn sign(args: SignArgs) -> anyhow::Result<ExitCode> {
    let root = input::secret_key(&args.root)?;
    let draft = RevocationDraft {
        seq: args.seq,
        base_seq: args.base_seq,
        issued_at: input::now_or(args.issued_at).trunc_subsecs(0),
        pass_ids: args.pass_ids,
        subjects: args.subjects,
    };
    let doc = draft.sign(&root)?;
    input::write(&args.out, &doc)?;
    println!(
        "wrote {}: revocations {}..{}, {} pass id(s), {} subject(s)",
        args.out.display(),
        draft.base_seq,
        draft.seq,
        draft.pass_ids.len(),
        draft.subjects.len()
    );
    Ok(ExitCode::SUCCESS)
}
