//! Test fixtures built in code: keys from fixed seeds, a signed trust list
//! with three issuers, a revocation document, honest passes, and raw
//! COSE/CBOR crafted by hand for malformed cases.
#![allow(dead_code)]

use chrono::{DateTime, TimeDelta, Utc};
use ciborium::Value;
use ed25519_dalek::Signer;
use passgate_gate::{TrustState, VenuePolicy, Verdict, decide};
use passgate_pass::hc1::encode_container;
use passgate_pass::keys::signing_key_from_seed;
use passgate_pass::{
    Claims, CodeColour, HealthClaim, IssuerDraft, IssuerId, PassId, RevocationDoc, RevocationDraft,
    RevocationSet, SigningKey, TrustList, TrustListDraft, issue,
};

/// A revoked pass id in the fixture revocation document.
pub const REVOKED_ID: [u8; 16] = [0xee; 16];
/// A revoked subject in the fixture revocation document.
pub const REVOKED_SUBJECT: &str = "revoked-subject";

/// Keys, documents and the kiosk's clock for one test.
pub struct World {
    pub root: SigningKey,
    /// CN-LN, valid now.
    pub ln: SigningKey,
    /// CN-BJ, valid now.
    pub bj: SigningKey,
    /// CN-SH, a retired key: valid from now-400d to now-30d.
    pub sh: SigningKey,
    /// A key in no trust list.
    pub stranger: SigningKey,
    pub trust_bytes: Vec<u8>,
    pub revocation_bytes: Vec<u8>,
    pub state: TrustState,
    pub now: DateTime<Utc>,
}

pub fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("fixture times are valid")
        .with_timezone(&Utc)
}

fn issuer(
    iss: &str,
    name: &str,
    key: &SigningKey,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> IssuerDraft {
    IssuerDraft {
        iss: IssuerId::new(iss).expect("fixture issuer ids are valid"),
        name: name.into(),
        public_key: key.verifying_key(),
        not_before: from,
        not_after: to,
    }
}

impl World {
    pub fn new() -> Self {
        let now = t("2026-11-28T12:00:00Z");
        let root = signing_key_from_seed([100; 32]);
        let ln = signing_key_from_seed([1; 32]);
        let bj = signing_key_from_seed([2; 32]);
        let sh = signing_key_from_seed([3; 32]);
        let stranger = signing_key_from_seed([4; 32]);
        let year = TimeDelta::days(365);
        let trust_bytes = TrustListDraft {
            seq: 5,
            issued_at: now - TimeDelta::days(1),
            expires_at: now + TimeDelta::days(6),
            issuers: vec![
                issuer(
                    "CN-LN",
                    "Liaoning Health Commission",
                    &ln,
                    now - year,
                    now + year,
                ),
                issuer(
                    "CN-BJ",
                    "Beijing Health Commission",
                    &bj,
                    now - year,
                    now + year,
                ),
                issuer(
                    "CN-SH",
                    "Shanghai Health Commission",
                    &sh,
                    now - TimeDelta::days(400),
                    now - TimeDelta::days(30),
                ),
            ],
        }
        .sign(&root)
        .expect("fixture trust list signs");
        let revocation_bytes = RevocationDraft {
            seq: 3,
            base_seq: 0,
            issued_at: now - TimeDelta::hours(2),
            pass_ids: vec![PassId::from_bytes(REVOKED_ID)],
            subjects: vec![REVOKED_SUBJECT.into()],
        }
        .sign(&root)
        .expect("fixture revocations sign");
        let list = TrustList::verify(&trust_bytes, &root.verifying_key())
            .expect("fixture trust list verifies");
        let mut revocations = RevocationSet::new();
        revocations
            .apply(
                &RevocationDoc::verify(&revocation_bytes, &root.verifying_key())
                    .expect("fixture revocations verify"),
            )
            .expect("fixture revocations apply");
        Self {
            root,
            ln,
            bj,
            sh,
            stranger,
            trust_bytes,
            revocation_bytes,
            state: TrustState::new(list, revocations),
            now,
        }
    }

    /// Claims of a valid green CN-LN pass issued an hour ago, valid a day.
    pub fn claims(&self) -> Claims {
        Claims {
            iss: IssuerId::new("CN-LN").expect("valid"),
            iat: self.now - TimeDelta::hours(1),
            exp: self.now + TimeDelta::hours(23),
            nbf: None,
            pass_id: PassId::from_bytes([0x42; 16]),
            health: HealthClaim {
                status: CodeColour::Green,
                subject: "subject-1".into(),
                masked_name: "刘*爽".into(),
            },
        }
    }

    /// An honest pass by CN-LN with edited claims.
    pub fn pass(&self, edit: impl FnOnce(&mut Claims)) -> String {
        self.pass_by(&self.ln, edit)
    }

    /// An honest pass signed by `key` with edited claims.
    pub fn pass_by(&self, key: &SigningKey, edit: impl FnOnce(&mut Claims)) -> String {
        let mut c = self.claims();
        edit(&mut c);
        issue(key, &c).expect("fixture pass issues")
    }

    /// The claims map as CBOR, for hand-crafted passes.
    pub fn claims_value(&self) -> Value {
        self.claims().to_cbor()
    }

    /// Decides with the default policy, now, and a normal temperature.
    pub fn decide(&self, text: &str) -> Verdict {
        decide(
            text,
            &self.state,
            &VenuePolicy::default(),
            self.now,
            Some(36.6),
        )
    }
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}

/// Serialises a CBOR value.
pub fn cbor(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::ser::into_writer(value, &mut out).expect("writing cbor to a vec succeeds");
    out
}

/// The protected header `{1: -8, 4: kid}` of `key`.
pub fn eddsa_protected(key: &SigningKey) -> Vec<(Value, Value)> {
    vec![
        (Value::from(1), Value::from(-8)),
        (Value::from(4), Value::Bytes(kid_bytes(key))),
    ]
}

pub fn kid_bytes(key: &SigningKey) -> Vec<u8> {
    passgate_pass::Kid::of(&key.verifying_key())
        .as_bytes()
        .to_vec()
}

/// A hand-built COSE_Sign1 (tag 18). The Sig_structure is built here,
/// independently of the pass crate, and signed with `key`; `edit_sig` may
/// then change the signature bytes.
pub fn sign1(
    key: &SigningKey,
    protected: Vec<(Value, Value)>,
    unprotected: Vec<(Value, Value)>,
    payload: Option<Vec<u8>>,
    edit_sig: impl FnOnce(&mut Vec<u8>),
) -> Value {
    let protected = if protected.is_empty() {
        Vec::new()
    } else {
        cbor(&Value::Map(protected))
    };
    let tbs = Value::Array(vec![
        Value::from("Signature1"),
        Value::Bytes(protected.clone()),
        Value::Bytes(Vec::new()),
        Value::Bytes(payload.clone().unwrap_or_default()),
    ]);
    let mut signature = key.sign(&cbor(&tbs)).to_bytes().to_vec();
    edit_sig(&mut signature);
    Value::Tag(
        18,
        Box::new(Value::Array(vec![
            Value::Bytes(protected),
            Value::Map(unprotected),
            payload.map_or(Value::Null, Value::Bytes),
            Value::Bytes(signature),
        ])),
    )
}

/// QR text of a CBOR value.
pub fn qr(value: &Value) -> String {
    encode_container(&cbor(value))
}

/// QR text of raw bytes compressed with zlib.
pub fn qr_bytes(bytes: &[u8]) -> String {
    encode_container(bytes)
}

/// QR text of raw (e.g. truncated) zlib bytes.
pub fn qr_zlib(zlib: &[u8]) -> String {
    format!("HC1:{}", base45::encode(zlib))
}

/// zlib-compressed bytes.
pub fn zlib(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(data).expect("writing to a vec succeeds");
    z.finish().expect("writing to a vec succeeds")
}

/// Replaces (or adds) a key in a CBOR map value.
pub fn with_entry(map: Value, key: Value, value: Option<Value>) -> Value {
    let Value::Map(mut entries) = map else {
        panic!("with_entry needs a map")
    };
    entries.retain(|(k, _)| k != &key);
    if let Some(v) = value {
        entries.push((key, v));
    }
    Value::Map(entries)
}

/// `depth` nested one-element arrays around 0.
pub fn nested(depth: usize) -> Value {
    (0..depth).fold(Value::from(0), |v, _| Value::Array(vec![v]))
}

/// Adds the group order L to the S half of a signature (a non-canonical S).
pub fn add_group_order(sig: &mut [u8]) {
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut carry = 0u16;
    for (s, l) in sig[32..64].iter_mut().zip(L) {
        let sum = u16::from(*s) + u16::from(l) + carry;
        *s = (sum & 0xff) as u8;
        carry = sum >> 8;
    }
}
