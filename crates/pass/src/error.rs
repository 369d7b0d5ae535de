//! Error types. Each area has its own enum so callers can match on what they
//! need (the gate maps [`DecodeError`] to a deny reason, sync matches
//! [`TrustError::Rollback`]); [`Error`] wraps them all.

use serde::{Deserialize, Serialize};

use crate::ids::{IssuerId, Kid};

/// Any error of this crate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// An identifier could not be parsed.
    #[error(transparent)]
    Id(#[from] IdError),
    /// A key file or key text could not be parsed.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// A pass could not be decoded.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// A pass could not be built.
    #[error(transparent)]
    Issue(#[from] IssueError),
    /// A signed document could not be opened.
    #[error(transparent)]
    Document(#[from] DocumentError),
    /// A trust list was refused.
    #[error(transparent)]
    Trust(#[from] TrustError),
    /// A revocation document was refused.
    #[error(transparent)]
    Revocation(#[from] RevocationError),
}

/// Result with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// An identifier had the wrong length or characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Wrong number of bytes.
    #[error("{what} must be {expected} bytes ({} hex digits), got {got}", expected * 2)]
    Length {
        /// Which identifier.
        what: &'static str,
        /// Expected length in bytes.
        expected: usize,
        /// Length found.
        got: usize,
    },
    /// Not hexadecimal.
    #[error("{what} must be written in hex digits 0-9a-f")]
    NotHex {
        /// Which identifier.
        what: &'static str,
    },
    /// Issuer id empty or too long.
    #[error("issuer id must be 1 to 64 characters, got {got}")]
    IssuerIdLength {
        /// Characters found.
        got: usize,
    },
    /// Issuer id has spaces or control characters.
    #[error("issuer id must not contain spaces or control characters")]
    IssuerIdCharacters,
}

/// A key text could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The secret key text lacks its labelled seed line.
    #[error(
        "not a passgate secret key: expected a line `ed25519-seed-hex: <64 hex digits>` (make one with `passgate keygen`)"
    )]
    SecretFormat,
    /// The key is not 32 bytes of hex.
    #[error("{what} must be 64 hex digits (32 bytes)")]
    Encoding {
        /// Which key.
        what: &'static str,
    },
    /// The bytes are not a point on the curve.
    #[error("public key is not a valid Ed25519 point")]
    NotOnCurve,
    /// A small-order (weak) public key, for which signatures prove nothing.
    #[error("public key {kid} has small order and is refused (weak key)")]
    Weak {
        /// The kid of the refused key.
        kid: Kid,
    },
}

/// Why a QR text is not a well-formed pass. A pass failing here is denied as malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum DecodeError {
    /// The QR text is longer than [`crate::MAX_QR_TEXT_BYTES`].
    #[error("qr text is {len} bytes, more than the 4096 allowed")]
    TooLong {
        /// Length found.
        len: usize,
    },
    /// The text does not start with `HC1:`.
    #[error("qr text does not start with HC1:")]
    WrongPrefix,
    /// Not valid Base45.
    #[error("qr text is not valid base45")]
    Base45,
    /// Base45 that decodes but is not in its one canonical form.
    #[error("qr text is not canonical base45")]
    NonCanonicalBase45,
    /// The zlib stream is corrupt (bad header, data or checksum).
    #[error("compressed data is corrupt (zlib)")]
    Inflate,
    /// The zlib stream ends before its end marker.
    #[error("compressed data is truncated (zlib)")]
    Truncated,
    /// The inflated data exceeds [`crate::MAX_INFLATED_BYTES`] (e.g. a zip bomb).
    #[error("inflated data exceeds 16384 bytes")]
    InflatedTooLarge,
    /// Bytes follow the end of the zlib stream or of the CBOR item.
    #[error("trailing bytes after the {after}")]
    TrailingData {
        /// What ended before the extra bytes.
        after: String,
    },
    /// Not valid CBOR.
    #[error("invalid cbor in {part}: {detail}")]
    Cbor {
        /// Which part (container, protected header, claims).
        part: String,
        /// Parser message.
        detail: String,
    },
    /// CBOR nested deeper than [`crate::MAX_CBOR_DEPTH`].
    #[error("cbor in {part} is nested deeper than 16 levels")]
    TooDeep {
        /// Which part.
        part: String,
    },
    /// Not tagged as COSE_Sign1 (tag 18).
    #[error("not a COSE_Sign1 (expected cbor tag 18, found {found})")]
    NotCoseSign1 {
        /// What was found instead, e.g. `tag 98` or `untagged array`.
        found: String,
    },
    /// The COSE_Sign1 structure is wrong.
    #[error("bad COSE_Sign1 structure: {0}")]
    CoseStructure(String),
    /// The protected header has no `alg` or a different one than EdDSA.
    #[error("algorithm must be EdDSA (-8) in the protected header, found {found}")]
    Algorithm {
        /// The algorithm found.
        found: String,
    },
    /// No `kid` in either header.
    #[error("no kid in the COSE headers")]
    MissingKid,
    /// The kid is not 8 bytes.
    #[error("kid must be 8 bytes, got {got}")]
    KidLength {
        /// Length found.
        got: usize,
    },
    /// Protected and unprotected headers name different kids.
    #[error("the unprotected kid differs from the protected kid")]
    ConflictingKid,
    /// The payload is nil (detached) or empty.
    #[error("COSE_Sign1 has no payload")]
    MissingPayload,
    /// The signature is not 64 bytes.
    #[error("signature must be 64 bytes, got {got}")]
    SignatureLength {
        /// Length found.
        got: usize,
    },
    /// A required claim is missing.
    #[error("missing claim {0}")]
    MissingClaim(String),
    /// A claim has the wrong type or value.
    #[error("bad claim {claim}: {detail}")]
    BadClaim {
        /// The claim key.
        claim: String,
        /// What is wrong.
        detail: String,
    },
}

/// A pass could not be built from the given claims.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IssueError {
    /// The claims break the profile (lengths, times).
    #[error("cannot issue this pass: {0}")]
    Claims(String),
    /// The encoded pass would exceed the decoder's limits.
    #[error("cannot issue this pass: encoded size {0} exceeds the limits")]
    TooLarge(usize),
}

/// A signed document envelope could not be opened or verified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    /// Larger than [`crate::MAX_DOCUMENT_BYTES`].
    #[error("document is {0} bytes, more than the 16 MiB allowed")]
    TooLarge(usize),
    /// The envelope is not the expected JSON.
    #[error("not a passgate signed document: {0}")]
    Envelope(String),
    /// Unknown `format` field.
    #[error("unsupported document format {0:?}, expected \"passgate-signed/1\"")]
    Format(String),
    /// The `kind` is not the one asked for.
    #[error("document kind is {found:?}, expected {expected:?}")]
    Kind {
        /// Kind expected by the caller.
        expected: String,
        /// Kind found (envelope or payload).
        found: String,
    },
    /// Signed by another key than the pinned root.
    #[error("document is signed by key {found}, but the pinned root key is {expected}")]
    Signer {
        /// Kid of the pinned root key.
        expected: Kid,
        /// Kid named by the document.
        found: String,
    },
    /// The signature does not verify over the payload bytes.
    #[error("document signature does not verify with the pinned root key")]
    BadSignature,
    /// The signed payload cannot be parsed or is inconsistent.
    #[error("document payload is invalid: {0}")]
    Payload(String),
}

/// A trust list was refused; the caller keeps the list it had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrustError {
    /// The envelope or signature is bad.
    #[error("trust list refused")]
    Document(#[from] DocumentError),
    /// An issuer key cannot be used.
    #[error("trust list refused: issuer {iss} has an unusable public key")]
    IssuerKey {
        /// The issuer.
        iss: IssuerId,
        /// What is wrong with its key.
        source: KeyError,
    },
    /// The listed kid is not the kid of the listed key.
    #[error("trust list refused: issuer {iss} lists kid {listed} but its key has kid {actual}")]
    KidMismatch {
        /// The issuer.
        iss: IssuerId,
        /// Kid in the list.
        listed: Kid,
        /// Kid computed from the key.
        actual: Kid,
    },
    /// Two entries with the same kid.
    #[error("trust list refused: kid {0} appears twice")]
    DuplicateKid(Kid),
    /// A time window that ends before it starts.
    #[error("trust list refused: {0}")]
    Window(String),
    /// Not newer than the list the caller already has.
    #[error(
        "trust list refused: seq {candidate} is not newer than the cached seq {current} (rollback); keeping the cached list"
    )]
    Rollback {
        /// Seq of the cached list.
        current: u64,
        /// Seq of the refused list.
        candidate: u64,
    },
}

/// A revocation document was refused or cannot be applied; the set is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RevocationError {
    /// The envelope or signature is bad.
    #[error("revocation document refused")]
    Document(#[from] DocumentError),
    /// `seq` must be greater than `base_seq`.
    #[error("revocation document refused: seq {seq} must be greater than base_seq {base_seq}")]
    SeqOrder {
        /// The document's seq.
        seq: u64,
        /// The document's base seq.
        base_seq: u64,
    },
    /// The delta starts after the set's seq: documents in between are missing.
    #[error(
        "revocation delta {base_seq}..{seq} does not connect to the local seq {have}: fetch the changes since {have} or a full list"
    )]
    Gap {
        /// The set's seq.
        have: u64,
        /// The document's base seq.
        base_seq: u64,
        /// The document's seq.
        seq: u64,
    },
    /// The document is not newer than the set.
    #[error("revocation document seq {seq} is not newer than the local seq {have}")]
    Stale {
        /// The set's seq.
        have: u64,
        /// The document's seq.
        seq: u64,
    },
}
