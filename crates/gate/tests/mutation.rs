//! Property tests of the whole decision: random edits to a valid pass are
//! never admitted (unless they spell the very same signed bytes), and no
//! input panics.

mod support;

use std::sync::LazyLock;

use passgate_gate::{VenuePolicy, decide};
use passgate_pass::hc1::decode_container;
use proptest::prelude::*;
use support::World;

/// One fixture world and its valid pass, shared by all cases.
static WORLD: LazyLock<(World, String)> = LazyLock::new(|| {
    let w = World::new();
    let text = w.pass(|_| {});
    (w, text)
});

const BASE45: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

#[derive(Debug, Clone)]
enum Edit {
    Replace(prop::sample::Index, char),
    Delete(prop::sample::Index),
    Insert(prop::sample::Index, char),
    Truncate(prop::sample::Index),
    Swap(prop::sample::Index, prop::sample::Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    let ch = prop::sample::select(BASE45.chars().chain("a\u{7f}é".chars()).collect::<Vec<_>>());
    prop_oneof![
        4 => (any::<prop::sample::Index>(), ch.clone()).prop_map(|(i, c)| Edit::Replace(i, c)),
        1 => any::<prop::sample::Index>().prop_map(Edit::Delete),
        1 => (any::<prop::sample::Index>(), ch).prop_map(|(i, c)| Edit::Insert(i, c)),
        1 => any::<prop::sample::Index>().prop_map(Edit::Truncate),
        1 => (any::<prop::sample::Index>(), any::<prop::sample::Index>()).prop_map(|(i, j)| Edit::Swap(i, j)),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for e in edits {
        if chars.is_empty() {
            break;
        }
        match e {
            Edit::Replace(i, c) => {
                let i = i.index(chars.len());
                chars[i] = *c;
            }
            Edit::Delete(i) => {
                chars.remove(i.index(chars.len()));
            }
            Edit::Insert(i, c) => chars.insert(i.index(chars.len() + 1), *c),
            Edit::Truncate(i) => chars.truncate(i.index(chars.len())),
            Edit::Swap(i, j) => {
                let (i, j) = (i.index(chars.len()), j.index(chars.len()));
                chars.swap(i, j);
            }
        }
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn mutated_pass_is_never_admitted(edits in prop::collection::vec(edit(), 1..4), temp in 35.0f32..37.2) {
        let (w, text) = &*WORLD;
        let mutated = apply(text, &edits);
        prop_assume!(&mutated != text);
        let policy = VenuePolicy { require_temperature: false, ..VenuePolicy::default() };
        let verdict = decide(&mutated, &w.state, &policy, w.now, Some(temp));
        if verdict.is_admit() {
            // Only another spelling of the identical signed bytes may pass.
            prop_assert_eq!(decode_container(&mutated).ok(), decode_container(text).ok());
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,300}", temp in proptest::option::of(any::<f32>())) {
        let (w, _) = &*WORLD;
        let verdict = decide(&text, &w.state, &VenuePolicy::default(), w.now, temp);
        prop_assert!(!verdict.is_admit());
    }
}
