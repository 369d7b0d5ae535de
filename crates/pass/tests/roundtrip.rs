//! Property tests: passes round-trip, arbitrary input never panics, and a
//! mutated pass never verifies unless it decodes to the very same signed bytes.

use chrono::{DateTime, TimeDelta};
use passgate_pass::hc1::decode_container;
use passgate_pass::keys::signing_key_from_seed;
use passgate_pass::{Claims, CodeColour, HealthClaim, IssuerId, PassId, RawPass, issue};
use proptest::prelude::*;

const BASE45: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

fn colour() -> impl Strategy<Value = CodeColour> {
    prop_oneof![
        Just(CodeColour::Green),
        Just(CodeColour::Yellow),
        Just(CodeColour::Red)
    ]
}

prop_compose! {
    fn claims()(
        iss in "[A-Z]{2}-[A-Z0-9]{1,10}",
        iat in 0i64..4_000_000_000,
        life in 1i64..10_000_000,
        nbf_offset in proptest::option::of(0i64..1000),
        id in any::<[u8; 16]>(),
        status in colour(),
        subject in "[^\\p{Cc}]{1,64}",
        masked_name in "[^\\p{Cc}]{1,64}",
    ) -> Claims {
        let iat = DateTime::from_timestamp(iat, 0).unwrap_or_default();
        let exp = iat + TimeDelta::seconds(life);
        Claims {
            iss: IssuerId::new(iss).expect("the regex makes valid issuer ids"),
            iat,
            exp,
            nbf: nbf_offset.map(|o| iat + TimeDelta::seconds(o)).filter(|nbf| *nbf < exp),
            pass_id: PassId::from_bytes(id),
            health: HealthClaim { status, subject, masked_name },
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn issue_decode_verify_round_trips(c in claims(), seed in any::<[u8; 32]>()) {
        let key = signing_key_from_seed(seed);
        let text = issue(&key, &c).unwrap();
        prop_assert!(text.len() <= passgate_pass::MAX_QR_TEXT_BYTES);
        let raw = RawPass::decode(&text).unwrap();
        prop_assert_eq!(raw.unverified_claims(), &c);
        let verified = raw.verify(&key.verifying_key()).unwrap();
        prop_assert_eq!(verified.claims(), &c);
    }

    #[test]
    fn mutated_pass_verifies_only_if_it_is_the_same_pass(
        c in claims(),
        position in any::<prop::sample::Index>(),
        replacement in prop::sample::select(BASE45.chars().chain("hc1:é\n".chars()).collect::<Vec<_>>()),
    ) {
        let key = signing_key_from_seed([7; 32]);
        let text = issue(&key, &c).unwrap();
        let mut chars: Vec<char> = text.chars().collect();
        let i = position.index(chars.len());
        prop_assume!(chars[i] != replacement);
        chars[i] = replacement;
        let mutated: String = chars.into_iter().collect();
        if let Ok(raw) = RawPass::decode(&mutated)
            && raw.verify(&key.verifying_key()).is_ok()
        {
            // Only a different spelling of the identical signed bytes may verify.
            prop_assert_eq!(decode_container(&mutated).unwrap(), decode_container(&text).unwrap());
        }
    }

    #[test]
    fn arbitrary_base45_text_never_panics(body in "[0-9A-Z $%*+./:-]{0,5000}") {
        let _ = RawPass::decode(&format!("HC1:{body}"));
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let _ = RawPass::decode(&text);
    }

    #[test]
    fn arbitrary_cose_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = RawPass::from_cose(&bytes);
        let mut tagged = vec![0xd2, 0x84];
        tagged.extend_from_slice(&bytes);
        let _ = RawPass::from_cose(&tagged);
    }
}
