//! The TypeScript types in `ui/src/generated/types.ts` must match the Rust
//! types of `passgate_kiosk::view`; this test fails when they drift.
//! `UPDATE_BINDINGS=1 cargo test -p passgate-kiosk --test bindings` rewrites the file.

use std::path::PathBuf;

#[test]
fn the_generated_typescript_types_are_up_to_date() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/generated/types.ts");
    let expected = passgate_kiosk::view::typescript_bindings();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &expected).expect("write ui/src/generated/types.ts");
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "ui/src/generated/types.ts is stale: run `UPDATE_BINDINGS=1 cargo test -p passgate-kiosk --test bindings` and commit it"
    );
}
