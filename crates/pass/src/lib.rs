//! The HC1/EdDSA health pass and the signed trust and revocation documents.
//! Pure: no IO, no clock (times are arguments), no randomness (pass ids and
//! key seeds come from the caller).
//!
//! - A pass is `HC1:` + Base45 + zlib + COSE_Sign1 (tag 18) over a CWT with
//!   the `"hc"` claim ([`hc1`], [`claims`]). [`issue`] signs one;
//!   [`RawPass::decode`] parses untrusted text with bounded sizes and depth,
//!   and only [`RawPass::verify`] yields a [`VerifiedPass`].
//! - Trust lists ([`TrustList`]) and revocation documents ([`RevocationDoc`])
//!   are JSON envelopes holding the exact signed payload bytes
//!   ([`document`]), verified with the pinned root key.
//! - Keys have one text form everywhere ([`keys`]).

pub mod claims;
pub mod document;
pub mod error;
pub mod hc1;
pub mod ids;
pub mod keys;
mod pass;
pub mod revocation;
pub mod trust;

pub use claims::{Claims, CodeColour, HealthClaim};
pub use document::MAX_DOCUMENT_BYTES;
pub use error::{
    DecodeError, DocumentError, Error, IdError, IssueError, KeyError, Result, RevocationError,
    TrustError,
};
pub use hc1::{MAX_CBOR_DEPTH, MAX_INFLATED_BYTES, MAX_QR_TEXT_BYTES};
pub use ids::{IssuerId, Kid, PassId};
pub use pass::{BadSignature, COSE_SIGN1_TAG, RawPass, VerifiedPass, issue};
pub use revocation::{RevocationDoc, RevocationDraft, RevocationSet};
pub use trust::{IssuerDraft, TrustList, TrustListDraft, TrustedIssuer, accept_newer};

/// Re-exported key types, so callers need not depend on `ed25519-dalek`.
pub use ed25519_dalek::{SigningKey, VerifyingKey};
