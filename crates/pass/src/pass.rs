//! Passes: issuing ([`issue`]), decoding an untrusted [`RawPass`] and
//! verifying it into a [`VerifiedPass`].

use ciborium::Value;
use coset::iana::{self, EnumI64};
use coset::{
    Algorithm, AsCborValue, CoseSign1, CoseSign1Builder, HeaderBuilder, RegisteredLabelWithPrivate,
    TaggedCborSerializable,
};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use crate::claims::Claims;
use crate::error::{DecodeError, IssueError};
use crate::hc1::{
    MAX_QR_TEXT_BYTES, cbor_from_slice, cbor_to_vec, decode_container, encode_container,
};
use crate::ids::Kid;

/// CBOR tag of COSE_Sign1.
pub const COSE_SIGN1_TAG: u64 = 18;

/// Signs `claims` with an issuer key and returns the `HC1:` QR text.
pub fn issue(key: &SigningKey, claims: &Claims) -> Result<String, IssueError> {
    claims
        .check()
        .map_err(|e| IssueError::Claims(e.to_string()))?;
    let kid = Kid::of(&key.verifying_key());
    let protected = HeaderBuilder::new()
        .algorithm(iana::Algorithm::EdDSA)
        .key_id(kid.as_bytes().to_vec())
        .build();
    let sign1 = CoseSign1Builder::new()
        .protected(protected)
        .payload(cbor_to_vec(&claims.to_cbor()))
        .create_signature(b"", |tbs| key.sign(tbs).to_bytes().to_vec())
        .build();
    let cose = sign1
        .to_tagged_vec()
        .map_err(|e| IssueError::Claims(e.to_string()))?;
    let text = encode_container(&cose);
    if text.len() > MAX_QR_TEXT_BYTES {
        return Err(IssueError::TooLarge(text.len()));
    }
    Ok(text)
}

/// A decoded pass whose signature has NOT been checked. Its claims are
/// untrusted: use them only to find the key and the key's validity.
#[derive(Clone, Debug)]
pub struct RawPass {
    kid: Kid,
    claims: Claims,
    to_be_signed: Vec<u8>,
    signature: Signature,
}

/// The signature does not verify with the given key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("pass signature does not verify with the issuer key")]
pub struct BadSignature;

impl RawPass {
    /// Decodes QR text (bounded; see [`crate::hc1`]). Never panics.
    pub fn decode(text: &str) -> Result<Self, DecodeError> {
        let cose = decode_container(text)?;
        Self::from_cose(&cose)
    }

    /// Decodes tagged COSE_Sign1 bytes (the inflated container).
    pub fn from_cose(cose: &[u8]) -> Result<Self, DecodeError> {
        let sign1 = parse_sign1(cbor_from_slice(cose, "container")?)?;
        let alg = sign1.protected.header.alg.as_ref();
        if alg != Some(&Algorithm::Assigned(iana::Algorithm::EdDSA)) {
            return Err(DecodeError::Algorithm {
                found: match alg {
                    None => "no alg".into(),
                    Some(RegisteredLabelWithPrivate::Assigned(a)) => a.to_i64().to_string(),
                    Some(other) => format!("{other:?}"),
                },
            });
        }
        if !sign1.protected.header.crit.is_empty() {
            return Err(DecodeError::CoseStructure(
                "critical header parameters are not supported".into(),
            ));
        }
        let kid = pick_kid(&sign1.protected.header.key_id, &sign1.unprotected.key_id)?;
        let payload = match &sign1.payload {
            Some(p) if !p.is_empty() => p,
            _ => return Err(DecodeError::MissingPayload),
        };
        let signature = <[u8; 64]>::try_from(sign1.signature.as_slice())
            .map(|b| Signature::from_bytes(&b))
            .map_err(|_| DecodeError::SignatureLength {
                got: sign1.signature.len(),
            })?;
        let claims = Claims::from_cbor(cbor_from_slice(payload, "claims")?)?;
        Ok(Self {
            kid,
            claims,
            to_be_signed: sign1.tbs_data(b""),
            signature,
        })
    }

    /// The key id named by the pass.
    pub fn kid(&self) -> Kid {
        self.kid
    }

    /// The claims as written in the pass, before any signature check.
    pub fn unverified_claims(&self) -> &Claims {
        &self.claims
    }

    /// Checks the signature with `verify_strict` (refuses non-canonical
    /// signatures and small-order points).
    pub fn verify(self, key: &VerifyingKey) -> Result<VerifiedPass, BadSignature> {
        key.verify_strict(&self.to_be_signed, &self.signature)
            .map_err(|_| BadSignature)?;
        Ok(VerifiedPass {
            kid: self.kid,
            claims: self.claims,
        })
    }
}

/// A pass whose signature verified with the key of its kid. Only
/// [`RawPass::verify`] makes one. Time, revocation and the venue rule are
/// the gate's business.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedPass {
    kid: Kid,
    claims: Claims,
}

impl VerifiedPass {
    /// Key id that signed the pass.
    pub fn kid(&self) -> Kid {
        self.kid
    }

    /// The signed claims.
    pub fn claims(&self) -> &Claims {
        &self.claims
    }
}

fn parse_sign1(value: Value) -> Result<CoseSign1, DecodeError> {
    let inner = match value {
        Value::Tag(COSE_SIGN1_TAG, inner) => *inner,
        Value::Tag(tag, _) => {
            return Err(DecodeError::NotCoseSign1 {
                found: format!("tag {tag}"),
            });
        }
        Value::Array(_) => {
            return Err(DecodeError::NotCoseSign1 {
                found: "an untagged array".into(),
            });
        }
        _ => {
            return Err(DecodeError::NotCoseSign1 {
                found: "another cbor type".into(),
            });
        }
    };
    // coset parses the protected header bytes itself; check their depth first.
    if let Value::Array(items) = &inner
        && let Some(Value::Bytes(protected)) = items.first()
        && !protected.is_empty()
    {
        cbor_from_slice(protected, "protected header")?;
    }
    CoseSign1::from_cbor_value(inner).map_err(|e| DecodeError::CoseStructure(e.to_string()))
}

fn pick_kid(protected: &[u8], unprotected: &[u8]) -> Result<Kid, DecodeError> {
    let kid = match (protected.is_empty(), unprotected.is_empty()) {
        (true, true) => return Err(DecodeError::MissingKid),
        (false, false) if protected != unprotected => return Err(DecodeError::ConflictingKid),
        (false, _) => protected,
        (true, false) => unprotected,
    };
    Kid::from_slice(kid).map_err(|_| DecodeError::KidLength { got: kid.len() })
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;

    use super::*;
    use crate::claims::{CodeColour, HealthClaim};
    use crate::ids::{IssuerId, PassId};
    use crate::keys::signing_key_from_seed;

    fn claims() -> Claims {
        Claims {
            iss: IssuerId::new("CN-LN").unwrap(),
            iat: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
            exp: DateTime::from_timestamp(1_800_003_600, 0).unwrap(),
            nbf: None,
            pass_id: PassId::from_bytes([5; 16]),
            health: HealthClaim {
                status: CodeColour::Green,
                subject: "p-1".into(),
                masked_name: "刘*爽".into(),
            },
        }
    }

    #[test]
    fn issue_decode_verify_round_trip() {
        let key = signing_key_from_seed([1; 32]);
        let text = issue(&key, &claims()).unwrap();
        let raw = RawPass::decode(&text).unwrap();
        assert_eq!(raw.kid(), Kid::of(&key.verifying_key()));
        assert_eq!(raw.unverified_claims(), &claims());
        let verified = raw.verify(&key.verifying_key()).unwrap();
        assert_eq!(verified.claims(), &claims());
    }

    #[test]
    fn wrong_key_does_not_verify() {
        let key = signing_key_from_seed([1; 32]);
        let other = signing_key_from_seed([2; 32]);
        let raw = RawPass::decode(&issue(&key, &claims()).unwrap()).unwrap();
        assert_eq!(raw.verify(&other.verifying_key()), Err(BadSignature));
    }

    #[test]
    fn kid_choice_follows_the_profile() {
        let a = [1u8; 8];
        let b = [2u8; 8];
        assert_eq!(pick_kid(&a, &[]), Ok(Kid::from_bytes(a)));
        assert_eq!(pick_kid(&[], &b), Ok(Kid::from_bytes(b)));
        assert_eq!(pick_kid(&a, &a), Ok(Kid::from_bytes(a)));
        assert_eq!(pick_kid(&a, &b), Err(DecodeError::ConflictingKid));
        assert_eq!(pick_kid(&[], &[]), Err(DecodeError::MissingKid));
        assert_eq!(
            pick_kid(&[1, 2], &[]),
            Err(DecodeError::KidLength { got: 2 })
        );
    }
}
