//! The generated CloudFormation catalog in the repository is what its
//! generator writes from the pinned cfn-lint schemas (`scripts/test.sh`
//! installs that cfn-lint into `.venv`).

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn the_committed_catalog_is_what_the_generator_writes() {
    let root = root();
    let python = root.join(".venv/bin/python");
    assert!(
        python.exists(),
        "{} missing: run the suite with scripts/test.sh",
        python.display()
    );
    let out = Command::new(&python)
        .arg(root.join("scripts/gen-cfn-catalog.py"))
        .output()
        .expect("the generator runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let committed = std::fs::read(root.join("tap-core/data/cfn-catalog.txt")).unwrap();
    assert!(
        out.stdout == committed,
        "tap-core/data/cfn-catalog.txt differs from scripts/gen-cfn-catalog.py's output: regenerate it"
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
