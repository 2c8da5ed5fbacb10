//! checkov, the security scanner teams run on CloudFormation in CI, finds
//! nothing in the seed templates that the stacks do not answer for in source:
//! every finding is fixed, or accepted by a `because: { CKV_…: "reason" }` on
//! the resource, which tap writes as checkov's own skip metadata. checkov is
//! installed on first use into `.tap/test-tools/checkov` from its lock file.

use serde_json::Value;
use std::path::Path;
use std::process::Command;
use tap_app::tools::PythonTool;

const CHECKOV: PythonTool = PythonTool {
    label: "checkov 3.3.30",
    min_python: (3, 11),
    lock: include_str!("../../tap-app/locks/checkov.txt"),
};

/// checkov's report on one template: (failed check IDs with resources, skipped checks).
fn scan(template: &Path) -> (Vec<String>, Vec<Value>) {
    let bin = CHECKOV
        .ensure(&tap_app::tap_dir().join("test-tools/checkov"))
        .expect("checkov installs");
    let out = Command::new(bin.join("checkov"))
        .args([
            "--framework",
            "cloudformation",
            "-o",
            "json",
            "--skip-download",
            "--quiet",
            "-f",
        ])
        .arg(template)
        .output()
        .expect("checkov runs");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "checkov's report: {e}\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    // One report per framework, or the report itself; an empty list when all passed.
    let report = match report {
        Value::Array(mut a) if !a.is_empty() => a.remove(0),
        other => other,
    };
    let failed = report["results"]["failed_checks"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            format!(
                "{} {}",
                f["check_id"].as_str().unwrap_or("?"),
                f["resource"].as_str().unwrap_or("?")
            )
        })
        .collect();
    let skipped = report["results"]["skipped_checks"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    (failed, skipped)
}

#[test]
fn checkov_finds_nothing_without_a_written_reason() {
    let dir = std::env::temp_dir().join(format!("tap-checkov-{}", std::process::id()));
    let synthesized = tap_app::cli::synthesize(&tap_seed::app().expect("the seed app"))
        .expect("the seed app synthesises");
    tap_app::synth::write(&dir, &synthesized).expect("templates written");
    for s in &synthesized {
        let (failed, skipped) = scan(&dir.join(format!("{}.template.json", s.name)));
        assert!(failed.is_empty(), "{}: {failed:#?}", s.name);
        for skip in &skipped {
            let reason = skip["suppress_comment"].as_str().unwrap_or("");
            assert!(reason.len() >= 8, "{}: {skip}", s.name);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn without_its_reasons_the_function_is_reported() {
    // The scan can fail: the same template with the function's reasons removed.
    let dir = std::env::temp_dir().join(format!("tap-checkov-bare-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let synthesized = tap_app::cli::synthesize(&tap_seed::app().expect("the seed app"))
        .expect("the seed app synthesises");
    let mut tap = synthesized[0].template.to_json();
    if let Some(r) = tap["Resources"]["TapLambda"].as_object_mut() {
        r.remove("Metadata");
    }
    let path = dir.join("bare.template.json");
    std::fs::write(&path, tap.to_string()).expect("template");
    let (failed, _) = scan(&path);
    assert!(
        failed
            .iter()
            .any(|f| f.starts_with("CKV_AWS_117 AWS::Lambda::Function.TapLambda")),
        "{failed:#?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
