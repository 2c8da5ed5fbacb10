//! Shared helpers for tap's integration tests.

use serde_json::Value;
use tap_core::synth::{AssetLocation, AssetResolver};
use tap_core::Expr;

/// Both seed templates as JSON, synthesised as `tap synth` does (with the real Lambda package).
pub fn seed_templates() -> (Value, Value) {
    let synthesized = tap_app::cli::synthesize().expect("the seed app synthesises");
    (
        synthesized[0].template.to_json(),
        synthesized[1].template.to_json(),
    )
}

/// Every asset at a key of the caller's choosing.
pub struct FixedAssets(pub &'static str);

impl AssetResolver for FixedAssets {
    fn locate(&self, _path: &str) -> Result<AssetLocation, String> {
        Ok(AssetLocation {
            bucket: Expr::str("bucket"),
            key: self.0.to_string(),
        })
    }
}

/// Every IAM policy statement in a template: (resource that holds it, statement).
pub fn iam_statements(template: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let Some(resources) = template["Resources"].as_object() else {
        return out;
    };
    for (id, r) in resources {
        let docs: Vec<&Value> = match r["Type"].as_str() {
            Some("AWS::IAM::Role") => r["Properties"]["Policies"]
                .as_array()
                .map(|ps| ps.iter().map(|p| &p["PolicyDocument"]).collect())
                .unwrap_or_default(),
            Some("AWS::IAM::Policy") => vec![&r["Properties"]["PolicyDocument"]],
            _ => vec![],
        };
        for d in docs {
            for s in d["Statement"].as_array().into_iter().flatten() {
                out.push((id.clone(), s.clone()));
            }
        }
    }
    out
}

/// A statement's `Action` or `Resource` as a list.
pub fn as_list(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(items) => items.clone(),
        Value::Null => vec![],
        other => vec![other.clone()],
    }
}

/// Resources of one CloudFormation type.
pub fn of_type<'a>(template: &'a Value, ty: &str) -> Vec<(&'a String, &'a Value)> {
    template["Resources"]
        .as_object()
        .map(|m| m.iter().filter(|(_, r)| r["Type"] == ty).collect())
        .unwrap_or_default()
}

/// Where cfn-lint is: `scripts/test.sh` installs it into `.venv`;
/// `TAP_CFN_LINT` overrides.
pub fn cfn_lint() -> std::path::PathBuf {
    if let Ok(p) = std::env::var("TAP_CFN_LINT") {
        return std::path::PathBuf::from(p);
    }
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/cfn-lint")
}

/// cfn-lint's findings (errors, warnings and informational) on a template;
/// empty when it accepts it.
pub fn cfn_lint_findings(name: &str, template: &Value) -> String {
    let lint = cfn_lint();
    assert!(
        lint.exists(),
        "cfn-lint not found at {}: run the test suite with scripts/test.sh, which installs it",
        lint.display()
    );
    let path =
        std::env::temp_dir().join(format!("tap-{name}-{}.template.json", std::process::id()));
    std::fs::write(&path, serde_json::to_string_pretty(template).unwrap()).unwrap();
    let out = std::process::Command::new(&lint)
        .arg("--format")
        .arg("parseable")
        .arg(&path)
        .output()
        .expect("cfn-lint runs");
    let _ = std::fs::remove_file(&path);
    let mut findings = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() && findings.is_empty() {
        findings = format!(
            "cfn-lint exit {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    findings
}
