//! Compile-time checks, as a user sees them: one file per mistake under
//! `ui/fail` with the exact error in its `.stderr`, and stacks that must compile
//! (and run) under `ui/pass`. Regenerate snapshots with `TRYBUILD=overwrite`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/fail/*.rs");
    t.pass("ui/pass/*.rs");
}
