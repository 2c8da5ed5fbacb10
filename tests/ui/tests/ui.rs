//! Compile-time checks, as a user sees them: one file per mistake under
//! `fail/<check>/`, with the exact error in its `.stderr`, in a folder named
//! after the tap-core rule module that reports it (`conditions`, `iam`,
//! `props`, …; `kinds` for a curated kind's own check, `syntax` for the
//! macro's parser: see `fail/README.md`), and stacks that must compile (and
//! run) under `pass`. Regenerate snapshots with `TRYBUILD=overwrite`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("fail/*/*.rs");
    t.pass("pass/*.rs");
    // A function crate's own build: `contract!` against the code beside it
    // (and the crates its manifest, when it has one, depends on).
    t.compile_fail("contract/*/main.rs");
    // A function that declares what a registry crate it depends on calls.
    t.pass("functions/cached/src/main.rs");
}
