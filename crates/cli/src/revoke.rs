//! `passgate revoke sign`: a revocation document signed by the root key.

use std::process::ExitCode;

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
    #[command(flatten)]
    signing: input::RootSigning,
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
}

/// Runs a `passgate revoke` subcommand.
pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Sign(args) => sign(args),
    }
}

fn sign(args: SignArgs) -> anyhow::Result<ExitCode> {
    let root = args.signing.key()?;
    let draft = RevocationDraft {
        seq: args.seq,
        base_seq: args.base_seq,
        issued_at: args.signing.issued_at(),
        pass_ids: args.pass_ids,
        subjects: args.subjects,
    };
    let out = args.signing.write(&draft.sign(&root)?)?;
    println!(
        "wrote {}: revocations {}..{}, {} pass id(s), {} subject(s)",
        out.display(),
        draft.base_seq,
        draft.seq,
        draft.pass_ids.len(),
        draft.subjects.len()
    );
    Ok(ExitCode::SUCCESS)
}
