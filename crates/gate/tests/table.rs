//! Table of bad and risky inputs, each with the verdict it must get.
//!
//! Expected values are the verdict outcome (`admit`, `needs_temperature`),
//! a reason code, or `malformed:<kind>` naming the exact decode failure.

mod support;

use chrono::{DateTime, TimeDelta, Utc};
use ciborium::Value;
use passgate_gate::{Reason, TrustState, VenuePolicy, Verdict, decide};
use passgate_pass::{
    CodeColour, PassId, RevocationDoc, RevocationDraft, RevocationError, RevocationSet, TrustError,
    TrustList, TrustListDraft, accept_newer,
};
use rstest::rstest;
use support::*;

/// One scan: the text plus anything that differs from the defaults.
struct Scan {
    text: String,
    temperature: Option<f32>,
    policy: VenuePolicy,
    state: Option<TrustState>,
    at: Option<DateTime<Utc>>,
}

impl Scan {
    fn new(text: String) -> Self {
        Self {
            text,
            temperature: Some(36.6),
            policy: VenuePolicy::default(),
            state: None,
            at: None,
        }
    }
    fn temperature(mut self, t: Option<f32>) -> Self {
        self.temperature = t;
        self
    }
    fn policy(mut self, edit: impl FnOnce(&mut VenuePolicy)) -> Self {
        edit(&mut self.policy);
        self
    }
    fn at(mut self, at: DateTime<Utc>) -> Self {
        self.at = Some(at);
        self
    }
    fn state(mut self, state: TrustState) -> Self {
        self.state = Some(state);
        self
    }
}

fn outcome(v: &Verdict) -> String {
    match v {
        Verdict::Deny {
            reason: Reason::Malformed(e),
            ..
        } => {
            let json = serde_json::to_value(e).expect("decode errors serialise");
            format!("malformed:{}", json["kind"].as_str().unwrap_or("?"))
        }
        Verdict::Deny { reason, .. } => reason.code().to_owned(),
        other => other.outcome().to_owned(),
    }
}

fn valid_pass(w: &World) -> String {
    w.pass(|_| {})
}

fn honest_cose(w: &World) -> (Vec<(Value, Value)>, Vec<u8>) {
    (eddsa_protected(&w.ln), cbor(&w.claims_value()))
}

#[rstest]
// --- container ---
#[case::valid_green_pass(|w: &World| Scan::new(valid_pass(w)), "admit")]
#[case::wrong_prefix(|w: &World| Scan::new(valid_pass(w).replacen("HC1:", "HC2:", 1)), "malformed:wrong_prefix")]
#[case::lower_case_prefix(|w: &World| Scan::new(valid_pass(w).replacen("HC1:", "hc1:", 1)), "malformed:wrong_prefix")]
#[case::empty_text(|_: &World| Scan::new(String::new()), "malformed:wrong_prefix")]
#[case::bad_base45_character(|w: &World| Scan::new(format!("{}a", valid_pass(w))), "malformed:base45")]
#[case::base45_dangling_digit(|_: &World| Scan::new("HC1:A".into()), "malformed:base45")]
#[case::base45_group_overflow(|_: &World| Scan::new("HC1:::::::".into()), "malformed:base45")]
#[case::non_canonical_base45(|_: &World| Scan::new(non_canonical_tail()), "malformed:non_canonical_base45")]
#[case::text_over_4_kib(|_: &World| Scan::new(format!("HC1:{}", "0".repeat(5000))), "malformed:too_long")]
#[case::truncated_zlib(|w: &World| {
    let z = zlib(&cbor(&sign1(&w.ln, eddsa_protected(&w.ln), vec![], Some(cbor(&w.claims_value())), |_| {})));
    Scan::new(qr_zlib(&z[..z.len() / 2]))
}, "malformed:truncated")]
#[case::corrupt_zlib_header(|_: &World| Scan::new(qr_zlib(&[0x12, 0x34, 0x56, 0x78])), "malformed:inflate")]
#[case::zlib_checksum_mismatch(|w: &World| {
    let mut z = zlib(&cbor(&sign1(&w.ln, eddsa_protected(&w.ln), vec![], Some(cbor(&w.claims_value())), |_| {})));
    let n = z.len();
    z[n - 1] ^= 1;
    Scan::new(qr_zlib(&z))
}, "malformed:inflate")]
#[case::zip_bomb(|_: &World| Scan::new(qr_bytes(&vec![0u8; 1024 * 1024])), "malformed:inflated_too_large")]
#[case::bytes_after_zlib_stream(|w: &World| {
    let mut z = zlib(&cbor(&sign1(&w.ln, eddsa_protected(&w.ln), vec![], Some(cbor(&w.claims_value())), |_| {})));
    z.extend_from_slice(b"xx");
    Scan::new(qr_zlib(&z))
}, "malformed:trailing_data")]
#[case::not_cbor(|_: &World| Scan::new(qr_bytes(&[0xff, 0xff, 0xff])), "malformed:cbor")]
#[case::cbor_cut_short(|_: &World| Scan::new(qr_bytes(&[0xd2, 0x84, 0x43])), "malformed:cbor")]
#[case::cbor_nested_too_deep(|_: &World| Scan::new(qr(&Value::Tag(18, Box::new(nested(40))))), "malformed:too_deep")]
#[case::bytes_after_cose(|w: &World| {
    let mut bytes = cbor(&sign1(&w.ln, eddsa_protected(&w.ln), vec![], Some(cbor(&w.claims_value())), |_| {}));
    bytes.push(0);
    Scan::new(qr_bytes(&bytes))
}, "malformed:trailing_data")]
// --- COSE ---
#[case::cose_sign_tag_98(|w: &World| {
    let Value::Tag(_, inner) = sign1(&w.ln, eddsa_protected(&w.ln), vec![], Some(cbor(&w.claims_value())), |_| {}) else { unreachable!() };
    Scan::new(qr(&Value::Tag(98, inner)))
}, "malformed:not_cose_sign1")]
#[case::untagged_cose_sign1(|w: &World| {
    let Value::Tag(_, inner) = sign1(&w.ln, eddsa_protected(&w.ln), vec![], Some(cbor(&w.claims_value())), |_| {}) else { unreachable!() };
    Scan::new(qr(&inner))
}, "malformed:not_cose_sign1")]
#[case::cose_array_of_three(|_: &World| Scan::new(qr(&Value::Tag(18, Box::new(Value::Array(vec![Value::Bytes(vec![]), Value::Map(vec![]), Value::Null]))))), "malformed:cose_structure")]
#[case::protected_header_not_bytes(|_: &World| Scan::new(qr(&Value::Tag(18, Box::new(Value::Array(vec![Value::from(1), Value::Map(vec![]), Value::Null, Value::Bytes(vec![])]))))), "malformed:cose_structure")]
#[case::protected_header_nested_too_deep(|w: &World| {
    let mut p = eddsa_protected(&w.ln);
    p.push((Value::from(99), nested(30)));
    Scan::new(qr(&sign1(&w.ln, p, vec![], Some(cbor(&w.claims_value())), |_| {})))
}, "malformed:too_deep")]
#[case::alg_es256(|w: &World| {
    let p = vec![(Value::from(1), Value::from(-7)), (Value::from(4), Value::Bytes(kid_bytes(&w.ln)))];
    Scan::new(qr(&sign1(&w.ln, p, vec![], Some(cbor(&w.claims_value())), |_| {})))
}, "malformed:algorithm")]
#[case::alg_missing(|w: &World| {
    let p = vec![(Value::from(4), Value::Bytes(kid_bytes(&w.ln)))];
    Scan::new(qr(&sign1(&w.ln, p, vec![], Some(cbor(&w.claims_value())), |_| {})))
}, "malformed:algorithm")]
#[case::alg_only_unprotected(|w: &World| {
    let p = vec![(Value::from(4), Value::Bytes(kid_bytes(&w.ln)))];
    let u = vec![(Value::from(1), Value::from(-8))];
    Scan::new(qr(&sign1(&w.ln, p, u, Some(cbor(&w.claims_value())), |_| {})))
}, "malformed:algorithm")]
#[case::critical_header(|w: &World| {
    let mut p = eddsa_protected(&w.ln);
    p.push((Value::from(2), Value::Array(vec![Value::from(99)])));
    p.push((Value::from(99), Value::from(1)));
    Scan::new(qr(&sign1(&w.ln, p, vec![], Some(cbor(&w.claims_value())), |_| {})))
}, "malformed:cose_structure")]
#[case::kid_missing(|w: &World| {
    let p = vec![(Value::from(1), Value::from(-8))];
    Scan::new(qr(&sign1(&w.ln, p, vec![], Some(cbor(&w.claims_value())), |_| {})))
}, "malformed:missing_kid")]
#[case::kid_wrong_length(|w: &World| {
    let p = vec![(Value::from(1), Value::from(-8)), (Value::from(4), Value::Bytes(vec![1, 2, 3]))];
    Scan::new(qr(&sign1(&w.ln, p, vec![], Some(cbor(&w.claims_value())), |_| {})))
}, "malformed:kid_length")]
#[case::kid_unknown(|w: &World| Scan::new(w.pass_by(&w.stranger, |_| {})), "unknown_issuer")]
#[case::kid_only_in_unprotected_header(|w: &World| {
    let p = vec![(Value::from(1), Value::from(-8))];
    let u = vec![(Value::from(4), Value::Bytes(kid_bytes(&w.ln)))];
    Scan::new(qr(&sign1(&w.ln, p, u, Some(cbor(&w.claims_value())), |_| {})))
}, "admit")]
#[case::unprotected_kid_differs_from_protected(|w: &World| {
    let u = vec![(Value::from(4), Value::Bytes(kid_bytes(&w.bj)))];
    Scan::new(qr(&sign1(&w.ln, eddsa_protected(&w.ln), u, Some(cbor(&w.claims_value())), |_| {})))
}, "malformed:conflicting_kid")]
#[case::payload_nil(|w: &World| Scan::new(qr(&sign1(&w.ln, eddsa_protected(&w.ln), vec![], None, |_| {}))), "malformed:missing_payload")]
#[case::signature_63_bytes(|w: &World| {
    let (p, payload) = honest_cose(w);
    Scan::new(qr(&sign1(&w.ln, p, vec![], Some(payload), |s| { s.pop(); })))
}, "malformed:signature_length")]
// --- claims ---
#[case::claims_not_cbor(|w: &World| Scan::new(qr(&sign1(&w.ln, eddsa_protected(&w.ln), vec![], Some(vec![0xff]), |_| {}))), "malformed:cbor")]
#[case::claims_nested_too_deep(|w: &World| {
    let claims = with_entry(w.claims_value(), Value::from(-260), Some(nested(30)));
    Scan::new(qr(&sign1(&w.ln, eddsa_protected(&w.ln), vec![], Some(cbor(&claims)), |_| {})))
}, "malformed:too_deep")]
#[case::hc_claim_missing(|w: &World| {
    let claims = with_entry(w.claims_value(), Value::from("hc"), None);
    Scan::new(qr(&sign1(&w.ln, eddsa_protected(&w.ln), vec![], Some(cbor(&claims)), |_| {})))
}, "malformed:missing_claim")]
#[case::exp_missing(|w: &World| {
    let claims = with_entry(w.claims_value(), Value::from(4), None);
    Scan::new(qr(&sign1(&w.ln, eddsa_protected(&w.ln), vec![], Some(cbor(&claims)), |_| {})))
}, "malformed:missing_claim")]
#[case::colour_unknown(|w: &World| {
    let hc = Value::Map(vec![
        (Value::from("s"), Value::from("purple")),
        (Value::from("sub"), Value::from("s")),
        (Value::from("n"), Value::from("n")),
    ]);
    let claims = with_entry(w.claims_value(), Value::from("hc"), Some(hc));
    Scan::new(qr(&sign1(&w.ln, eddsa_protected(&w.ln), vec![], Some(cbor(&claims)), |_| {})))
}, "malformed:bad_claim")]
#[case::iat_as_text(|w: &World| {
    let claims = with_entry(w.claims_value(), Value::from(6), Some(Value::from("yesterday")));
    Scan::new(qr(&sign1(&w.ln, eddsa_protected(&w.ln), vec![], Some(cbor(&claims)), |_| {})))
}, "malformed:bad_claim")]
#[case::cti_wrong_length(|w: &World| {
    let claims = with_entry(w.claims_value(), Value::from(7), Some(Value::Bytes(vec![1; 8])));
    Scan::new(qr(&sign1(&w.ln, eddsa_protected(&w.ln), vec![], Some(cbor(&claims)), |_| {})))
}, "malformed:bad_claim")]
// --- keys and signatures ---
#[case::issuer_key_retired_before_iat(|w: &World| Scan::new(w.pass_by(&w.sh, |c| c.iss = "CN-SH".parse().expect("valid"))), "key_not_valid_at")]
#[case::issuer_key_not_yet_valid_at_iat(|w: &World| Scan::new(w.pass(|c| c.iat -= TimeDelta::days(366))).policy(|p| p.max_code_age = None), "key_not_valid_at")]
#[case::forged_signature(|w: &World| {
    let (p, payload) = honest_cose(w);
    Scan::new(qr(&sign1(&w.ln, p, vec![], Some(payload), |s| s.iter_mut().enumerate().for_each(|(i, b)| *b = i as u8))))
}, "bad_signature")]
#[case::signed_by_another_trusted_issuer(|w: &World| {
    // Names CN-LN's kid but is signed with CN-BJ's (also trusted) key.
    let (p, payload) = honest_cose(w);
    Scan::new(qr(&sign1(&w.bj, p, vec![], Some(payload), |_| {})))
}, "bad_signature")]
#[case::non_canonical_signature_s_plus_l(|w: &World| {
    let (p, payload) = honest_cose(w);
    Scan::new(qr(&sign1(&w.ln, p, vec![], Some(payload), |s| add_group_order(s))))
}, "bad_signature")]
#[case::claims_changed_after_signing(|w: &World| {
    let (p, payload) = honest_cose(w);
    let Value::Tag(18, inner) = sign1(&w.ln, p, vec![], Some(payload), |_| {}) else { unreachable!() };
    let Value::Array(mut items) = *inner else { unreachable!() };
    let red = with_entry(w.claims_value(), Value::from("hc"), Some(Value::Map(vec![
        (Value::from("s"), Value::from("green")),
        (Value::from("sub"), Value::from("someone-else")),
        (Value::from("n"), Value::from("王*")),
    ])));
    items[2] = Value::Bytes(cbor(&red));
    Scan::new(qr(&Value::Tag(18, Box::new(Value::Array(items)))))
}, "bad_signature")]
#[case::issuer_claims_another_region(|w: &World| Scan::new(w.pass(|c| c.iss = "CN-BJ".parse().expect("valid"))), "issuer_mismatch")]
// --- time ---
#[case::expired(|w: &World| Scan::new(w.pass(|c| { c.iat -= TimeDelta::days(2); c.exp = w.now - TimeDelta::seconds(1); })), "expired")]
#[case::expires_exactly_now(|w: &World| Scan::new(w.pass(|c| c.exp = w.now)), "expired")]
#[case::not_yet_valid(|w: &World| Scan::new(w.pass(|c| c.nbf = Some(w.now + TimeDelta::hours(1)))), "not_yet_valid")]
#[case::nbf_within_skew(|w: &World| Scan::new(w.pass(|c| c.nbf = Some(w.now + TimeDelta::minutes(4)))), "admit")]
#[case::iat_far_in_future(|w: &World| Scan::new(w.pass(|c| { c.iat = w.now + TimeDelta::days(30); c.exp = w.now + TimeDelta::days(31); })), "future_issued")]
#[case::iat_within_skew(|w: &World| Scan::new(w.pass(|c| c.iat = w.now + TimeDelta::minutes(4))), "admit")]
#[case::dynamic_code_too_old(|w: &World| Scan::new(valid_pass(w)).policy(|p| p.max_code_age = Some(TimeDelta::minutes(10))), "too_old")]
#[case::dynamic_code_fresh(|w: &World| Scan::new(w.pass(|c| c.iat = w.now - TimeDelta::minutes(2))).policy(|p| p.max_code_age = Some(TimeDelta::minutes(10))), "admit")]
// --- revocation and colour ---
#[case::revoked_pass_id(|w: &World| Scan::new(w.pass(|c| c.pass_id = PassId::from_bytes(REVOKED_ID))), "revoked")]
#[case::revoked_subject(|w: &World| Scan::new(w.pass(|c| c.health.subject = REVOKED_SUBJECT.into())), "revoked")]
#[case::yellow_code(|w: &World| Scan::new(w.pass(|c| c.health.status = CodeColour::Yellow)), "code_yellow")]
#[case::red_code(|w: &World| Scan::new(w.pass(|c| c.health.status = CodeColour::Red)), "code_red")]
#[case::red_code_with_fever_is_red(|w: &World| Scan::new(w.pass(|c| c.health.status = CodeColour::Red)).temperature(Some(39.0)), "code_red")]
// --- temperature ---
#[case::fever(|w: &World| Scan::new(valid_pass(w)).temperature(Some(38.1)), "fever")]
#[case::fever_at_threshold(|w: &World| Scan::new(valid_pass(w)).temperature(Some(37.3)), "fever")]
#[case::just_below_threshold(|w: &World| Scan::new(valid_pass(w)).temperature(Some(37.2)), "admit")]
#[case::venue_threshold_lower(|w: &World| Scan::new(valid_pass(w)).temperature(Some(37.2)).policy(|p| p.fever_threshold_c = 37.0), "fever")]
#[case::implausible_high_reading(|w: &World| Scan::new(valid_pass(w)).temperature(Some(52.0)), "implausible_temperature")]
#[case::implausible_low_reading(|w: &World| Scan::new(valid_pass(w)).temperature(Some(3.66)), "implausible_temperature")]
#[case::nan_reading(|w: &World| Scan::new(valid_pass(w)).temperature(Some(f32::NAN)), "implausible_temperature")]
#[case::no_temperature_yet(|w: &World| Scan::new(valid_pass(w)).temperature(None), "needs_temperature")]
#[case::no_temperature_not_required(|w: &World| Scan::new(valid_pass(w)).temperature(None).policy(|p| p.require_temperature = false), "admit")]
// --- trust list state ---
#[case::trust_list_expired(|w: &World| Scan::new(w.pass(|c| { c.iat = w.now + TimeDelta::days(9); c.exp = c.iat + TimeDelta::hours(1); })).at(w.now + TimeDelta::days(9) + TimeDelta::minutes(1)), "stale_trust_list")]
#[case::trust_list_in_grace(|w: &World| Scan::new(w.pass(|c| { c.iat = w.now + TimeDelta::days(8); c.exp = c.iat + TimeDelta::hours(1); })).at(w.now + TimeDelta::days(8) + TimeDelta::minutes(1)), "admit")]
#[case::no_trust_list(|w: &World| Scan::new(valid_pass(w)).state(TrustState::default()), "no_trust_list")]
fn scan_gets_expected_verdict(#[case] build: fn(&World) -> Scan, #[case] expected: &str) {
    let w = World::new();
    let scan = build(&w);
    let state = scan.state.as_ref().unwrap_or(&w.state);
    let verdict = decide(
        &scan.text,
        state,
        &scan.policy,
        scan.at.unwrap_or(w.now),
        scan.temperature,
    );
    assert_eq!(outcome(&verdict), expected, "verdict: {verdict:?}");
    // Pass details are reported only once the signature verified.
    let verified = !expected.starts_with("malformed")
        && ![
            "no_trust_list",
            "stale_trust_list",
            "unknown_issuer",
            "key_not_valid_at",
            "bad_signature",
        ]
        .contains(&expected);
    assert_eq!(verdict.pass().is_some(), verified, "verdict: {verdict:?}");
}

/// A valid-looking pass text whose Base45 tail is a second spelling of its last byte.
fn non_canonical_tail() -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    let z = (1..64u8)
        .map(|n| zlib(&vec![n; usize::from(n)]))
        .find(|z| z.len() % 2 == 1)
        .expect("some length is odd");
    let canonical = qr_zlib(&z);
    let v = usize::from(z[z.len() - 1]) + 256;
    format!(
        "{}{}{}",
        &canonical[..canonical.len() - 2],
        ALPHABET[v % 45] as char,
        ALPHABET[v / 45] as char
    )
}

// --- trust and revocation documents: refused, and the cached state kept ---

fn current(w: &World) -> TrustList {
    TrustList::verify(&w.trust_bytes, &w.root.verifying_key()).expect("fixture verifies")
}

fn trust_error(w: &World, candidate: &[u8]) -> TrustError {
    let cur = current(w);
    let err =
        accept_newer(Some(&cur), candidate, &w.root.verifying_key()).expect_err("must be refused");
    assert_eq!(current(w), cur, "the cached list is unchanged");
    err
}

fn draft(w: &World, seq: u64) -> TrustListDraft {
    TrustListDraft {
        seq,
        issued_at: w.now,
        expires_at: w.now + TimeDelta::days(7),
        issuers: vec![passgate_pass::IssuerDraft {
            iss: "CN-LN".parse().expect("valid"),
            name: "Liaoning".into(),
            public_key: w.ln.verifying_key(),
            not_before: w.now,
            not_after: w.now + TimeDelta::days(7),
        }],
    }
}

fn raw_trust_payload(w: &World, public_key_hex: &str, kid_hex: &str) -> Vec<u8> {
    let payload = serde_json::json!({
        "kind": "trust-list", "seq": 9,
        "issued_at": "2026-11-28T00:00:00Z", "expires_at": "2026-12-28T00:00:00Z",
        "issuers": [{"kid": kid_hex, "iss": "CN-XX", "name": "X", "public_key": public_key_hex,
                     "not_before": "2026-01-01T00:00:00Z", "not_after": "2027-01-01T00:00:00Z"}]
    });
    passgate_pass::document::sign_payload("trust-list", payload.to_string().as_bytes(), &w.root)
}

#[test]
fn trust_list_with_bad_signature_is_refused() {
    let w = World::new();
    let doc = String::from_utf8(draft(&w, 6).sign(&w.root).expect("signs")).expect("utf8");
    // Flip one character of the signature.
    let at = doc.find("\"signature\":\"").expect("has a signature") + 13;
    let flipped = if &doc[at..=at] == "A" { "B" } else { "A" };
    let tampered = format!("{}{}{}", &doc[..at], flipped, &doc[at + 1..]);
    assert!(matches!(
        trust_error(&w, tampered.as_bytes()),
        TrustError::Document(passgate_pass::DocumentError::BadSignature)
    ));
}

#[test]
fn trust_list_signed_by_an_issuer_key_is_refused() {
    let w = World::new();
    let doc = draft(&w, 6).sign(&w.ln).expect("signs");
    assert!(matches!(
        trust_error(&w, &doc),
        TrustError::Document(passgate_pass::DocumentError::Signer { .. })
    ));
}

#[test]
fn trust_list_rollback_is_refused() {
    let w = World::new();
    let older = draft(&w, 4).sign(&w.root).expect("signs");
    assert_eq!(
        trust_error(&w, &older),
        TrustError::Rollback {
            current: 5,
            candidate: 4
        }
    );
    let same = draft(&w, 5).sign(&w.root).expect("signs");
    assert_eq!(
        trust_error(&w, &same),
        TrustError::Rollback {
            current: 5,
            candidate: 5
        }
    );
    let newer = draft(&w, 6).sign(&w.root).expect("signs");
    let cur = current(&w);
    assert_eq!(
        accept_newer(Some(&cur), &newer, &w.root.verifying_key()).map(|l| l.seq()),
        Ok(6)
    );
}

#[test]
fn trust_list_with_small_order_key_is_refused() {
    let w = World::new();
    // The identity point: order 1; any "signature" would verify against it.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let key = passgate_pass::VerifyingKey::from_bytes(&identity).expect("a curve point");
    let kid = passgate_pass::Kid::of(&key);
    let doc = raw_trust_payload(&w, &hex(&identity), &kid.to_hex());
    assert!(matches!(
        trust_error(&w, &doc),
        TrustError::IssuerKey {
            source: passgate_pass::KeyError::Weak { .. },
            ..
        }
    ));
}

#[test]
fn trust_list_with_kid_not_matching_key_is_refused() {
    let w = World::new();
    let doc = raw_trust_payload(
        &w,
        &hex(w.bj.verifying_key().as_bytes()),
        "0011223344556677",
    );
    assert!(matches!(
        trust_error(&w, &doc),
        TrustError::KidMismatch { .. }
    ));
}

#[test]
fn trust_list_with_malformed_payload_is_refused() {
    let w = World::new();
    let doc = passgate_pass::document::sign_payload(
        "trust-list",
        br#"{"kind":"trust-list","seq":"x"}"#,
        &w.root,
    );
    assert!(matches!(
        trust_error(&w, &doc),
        TrustError::Document(passgate_pass::DocumentError::Payload(_))
    ));
}

#[test]
fn revocation_list_served_as_trust_list_is_refused() {
    let w = World::new();
    assert!(matches!(
        trust_error(&w, &w.revocation_bytes),
        TrustError::Document(passgate_pass::DocumentError::Kind { .. })
    ));
}

#[test]
fn revocation_delta_with_gap_is_refused_and_set_kept() {
    let w = World::new();
    let delta = RevocationDraft {
        seq: 9,
        base_seq: 7,
        issued_at: w.now,
        pass_ids: vec![PassId::from_bytes([1; 16])],
        subjects: vec![],
    }
    .sign(&w.root)
    .expect("signs");
    let doc = RevocationDoc::verify(&delta, &w.root.verifying_key()).expect("verifies");
    let mut set: RevocationSet = w.state.revocations.clone();
    assert_eq!(
        set.apply(&doc),
        Err(RevocationError::Gap {
            have: 3,
            base_seq: 7,
            seq: 9
        })
    );
    assert_eq!(set, w.state.revocations);
}

#[test]
fn revocation_document_with_bad_signature_is_refused() {
    let w = World::new();
    let doc = RevocationDraft {
        seq: 4,
        base_seq: 3,
        issued_at: w.now,
        pass_ids: vec![PassId::from_bytes([1; 16])],
        subjects: vec![],
    }
    .sign(&w.stranger)
    .expect("signs");
    assert!(matches!(
        RevocationDoc::verify(&doc, &w.root.verifying_key()),
        Err(RevocationError::Document(
            passgate_pass::DocumentError::Signer { .. }
        ))
    ));
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
