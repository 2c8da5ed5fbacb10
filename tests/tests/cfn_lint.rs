//! AWS's own linter must accept both seed templates with no error, warning or
//! informational finding. `scripts/test.sh` installs cfn-lint into `.venv`;
//! `TAP_CFN_LINT` overrides where it is.
//!
//! It lints for the region the templates are written against, whatever the
//! environment says: left to itself cfn-lint takes `AWS_REGION` (in the
//! pipeline's Test stage, the pipeline's own region), and a resource type or
//! property missing from another region's schemas would pass or fail by
//! where the suite happens to run.

use tap_tests::{cfn_lint, cfn_lint_command as lint_command, cfn_lint_regions as regions};

#[test]
fn cfn_lint_lints_for_the_catalogs_regions() {
    assert_eq!(regions(), ["us-east-1"]);
}

#[test]
fn cfn_lint_accepts_both_seed_templates_and_the_toolkit() {
    let lint = cfn_lint();
    assert!(
        lint.exists(),
        "cfn-lint not found at {}: run the test suite with scripts/test.sh, which installs it",
        lint.display()
    );
    let dir = std::env::temp_dir().join(format!("tap-cfn-lint-{}", std::process::id()));
    let synthesized = tap_app::cli::synthesize(&tap_seed::app().expect("the seed app")).unwrap();
    tap_app::synth::write(&dir, &synthesized).unwrap();
    // And tap's own toolkit, with the deploy role `tap bootstrap --trust` adds.
    let toolkit = tap_app::deploy::toolkit::template_trusting(
        &tap_app::deploy::toolkit::ExecRole::Admin,
        None,
        &["111111111111".into()],
    )
    .expect("the toolkit's template");
    std::fs::write(dir.join("TapToolkit.template.json"), toolkit.to_string()).unwrap();
    let files = synthesized
        .iter()
        .map(|s| (s.id.clone(), tap_app::synth::template_file(s)))
        .chain([(
            "TapToolkit".to_string(),
            "TapToolkit.template.json".to_string(),
        )]);
    for (name, file) in files {
        let path = dir.join(file);
        let out = lint_command(&lint)
            .arg("--format")
            .arg("parseable")
            .arg(&path)
            .output()
            .expect("cfn-lint runs");
        let findings = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && findings.trim().is_empty(),
            "{}: cfn-lint exit {:?}\n{findings}{}",
            name,
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cfn_lint_catches_a_broken_template() {
    // The harness itself must be able to fail: a template cfn-lint rejects.
    let lint = cfn_lint();
    assert!(lint.exists(), "cfn-lint not found at {}", lint.display());
    let path = std::env::temp_dir().join(format!("tap-cfn-lint-bad-{}.json", std::process::id()));
    std::fs::write(&path, r#"{"Resources":{"Q":{"Type":"AWS::SQS::Queue","Properties":{"MessageRetentionPeriod":"forever"}}}}"#).unwrap();
    let out = lint_command(&lint).arg(&path).output().unwrap();
    assert_eq!(
        out.status.code().map(|c| c & 2),
        Some(2),
        "cfn-lint reports an error"
    );
    let _ = std::fs::remove_file(&path);
}
