//! The generated CloudFormation catalog in the repository, and the list of
//! security-relevant properties derived from the same schemas, are what their
//! generators write from the pinned cfn-lint schemas (`scripts/test.sh`
//! installs that cfn-lint into `.venv`).

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs a generator under `scripts/` with the suite's Python and holds the
/// committed file to its output.
fn assert_generated(script: &str, committed: &str) {
    let root = root();
    let python = root.join(".venv/bin/python");
    assert!(
        python.exists(),
        "{} missing: run the suite with scripts/test.sh",
        python.display()
    );
    let out = Command::new(&python)
        .arg(root.join("scripts").join(script))
        .output()
        .expect("the generator runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file = std::fs::read(root.join(committed)).unwrap();
    assert!(
        out.stdout == file,
        "{committed} differs from scripts/{script}'s output: regenerate it"
    );
}

#[test]
fn the_committed_catalog_is_what_the_generator_writes() {
    assert_generated("gen-cfn-catalog.py", "tap-core/data/cfn-catalog.txt");
}

#[test]
fn the_security_properties_are_what_their_generator_writes() {
    assert_generated(
        "gen-security-properties.py",
        "tap-app/data/security-properties.txt",
    );
}

#[test]
fn the_catalog_names_the_pinned_cfn_lint() {
    let lock = std::fs::read_to_string(root().join("tap-app/locks/cfn-lint.in")).unwrap();
    let pin = lock
        .lines()
        .find_map(|l| l.strip_prefix("cfn-lint=="))
        .expect("cfn-lint is pinned");
    assert!(
        tap_core::cfn::catalog::source().contains(&format!("cfn-lint {pin} ")),
        "{} vs pin {pin}",
        tap_core::cfn::catalog::source()
    );
}
