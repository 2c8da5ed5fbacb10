//! The condition keys tap writes itself (its secure defaults: TLS-only
//! denies, `aws:SourceArn`/`aws:SourceAccount` on service principals,
//! `iam:PassedToService`, SSE-KMS guards, …) pass the checks a user's
//! conditions pass: each operator is IAM's, each key exists and applies to an
//! action of its statement, and each literal value parses as the key's type.

use serde_json::Value;
use std::collections::BTreeSet;
use tap_core::check::conditions::json_findings;
use tap_tests::{policy_documents, seed_templates};

#[test]
fn every_condition_tap_writes_passes_its_own_checks() {
    let (tap, pipeline) = seed_templates();
    let templates = [
        ("TapStack", tap),
        ("PipelineStack", pipeline),
        (
            "RawServices",
            tap_tests::raw_stacks::raw_services_template(),
        ),
    ];
    let mut keys = BTreeSet::new();
    let mut faults = Vec::new();
    for (stack, template) in &templates {
        for (label, doc) in policy_documents(template) {
            for s in doc["Statement"].as_array().into_iter().flatten() {
                let Some(Value::Object(condition)) = s.get("Condition") else {
                    continue;
                };
                for block in condition.values() {
                    keys.extend(
                        block
                            .as_object()
                            .into_iter()
                            .flat_map(|m| m.keys().cloned()),
                    );
                }
                for f in json_findings(s) {
                    faults.push(format!("{stack}: {label}: {f}\n  in {s}"));
                }
            }
        }
    }
    assert!(faults.is_empty(), "{}", faults.join("\n"));
    // The defaults this holds to account are all there to be judged.
    for key in [
        "aws:SecureTransport",
        "aws:SourceArn",
        "aws:SourceAccount",
        "s3:x-amz-server-side-encryption",
        "iam:PassedToService",
    ] {
        assert!(keys.contains(key), "no statement writes {key}: {keys:?}");
    }
}

#[test]
fn the_same_checks_find_a_wrong_key_in_a_synthesised_statement() {
    let s: Value = serde_json::json!({
        "Effect": "Deny",
        "Action": "s3:PutObject",
        "Resource": "*",
        "Condition": { "StringNotEquals": { "s3:x-amz-server-side-encryptionn": "aws:kms" } }
    });
    let found = json_findings(&s);
    assert!(
        found
            .iter()
            .any(|f| f.contains("is not an IAM condition key")),
        "{found:?}"
    );
}
