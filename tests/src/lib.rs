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
