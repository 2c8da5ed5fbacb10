//! Raw resources (`cfn::Service::Type`) from a dozen services, mixed with
//! curated kinds: references in both directions and grants on raw resources
//! synthesise to what CloudFormation expects, and cfn-lint finds nothing.

use serde_json::{json, Value};
use tap_tests::cfn_lint_findings;
use tap_tests::raw_stacks::{raw_params_template, raw_services_template};

#[test]
fn parameters_reach_raw_properties() {
    let t = raw_params_template();
    let r = &t["Resources"];
    assert_eq!(r["Stream"]["Properties"]["ShardCount"], 3);
    assert_eq!(r["Stream"]["Properties"]["RetentionPeriodHours"], "48");
    assert_eq!(r["Images"]["Properties"]["RepositoryName"], "team-images");
    assert_eq!(
        r["Images"]["Properties"]["ImageScanningConfiguration"]["ScanOnPush"],
        true
    );
    assert_eq!(
        r["Logs"]["Properties"]["RetentionInDays"], 14,
        "the default"
    );
    assert_eq!(
        r["Token"]["Properties"]["Value"],
        "{{resolve:secretsmanager:tap/token:SecretString:token}}"
    );
    // The policy variable stays IAM's, escaped from `Fn::Sub`.
    assert_eq!(
        r["Home"]["Properties"]["PolicyDocument"]["Statement"][0]["Resource"],
        json!({ "Fn::Sub": "arn:${AWS::Partition}:s3:::team-home/${!aws:username}/*" })
    );
    let findings = cfn_lint_findings("raw-params", &t);
    assert!(findings.is_empty(), "{findings}");
}

fn template() -> Value {
    raw_services_template()
}

fn of_type<'a>(t: &'a Value, ty: &str) -> Vec<(&'a String, &'a Value)> {
    t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == ty)
        .collect()
}

#[test]
fn raw_resources_synthesise_as_written() {
    let t = template();
    let (id, table) = of_type(&t, "AWS::DynamoDB::Table")[0];
    assert_eq!(id, "Orders");
    assert_eq!(table["Properties"]["BillingMode"], "PAY_PER_REQUEST");
    assert_eq!(
        table["Properties"]["KeySchema"],
        json!([{ "AttributeName": "pk", "KeyType": "HASH" }])
    );
    // The attributes as written: a raw resource's template is the user's.
    assert_eq!(table["DeletionPolicy"], "Retain");
    assert_eq!(table["UpdateReplacePolicy"], "Retain");
    // References: a bare raw resource is its Ref, an attribute its GetAtt.
    let (_, param) = of_type(&t, "AWS::SSM::Parameter")[0];
    assert_eq!(param["Properties"]["Value"], json!({ "Ref": "Orders" }));
    assert_eq!(param["Properties"]["Name"], "/tap/test/table");
    let (_, sm) = of_type(&t, "AWS::StepFunctions::StateMachine")[0];
    assert_eq!(
        sm["Properties"]["RoleArn"],
        json!({ "Fn::GetAtt": ["WorkflowRole", "Arn"] })
    );
    assert_eq!(
        t["Outputs"]["StreamArn"]["Value"],
        json!({ "Fn::GetAtt": ["Orders", "StreamArn"] })
    );
    // A nested attribute is one GetAtt name; a fraction is written as a string.
    assert_eq!(
        t["Outputs"]["SnapStart"]["Value"],
        json!({ "Fn::Sub": "${Handler.SnapStartResponse.ApplyOn}" })
    );
    assert_eq!(t["Resources"]["Errors"]["Properties"]["Threshold"], "0.5");
    // A raw function lends no companion's attribute (it has no log group of its own).
    assert!(tap_core::kinds::kind("cfn::Lambda::Function")
        .is_some_and(|k| k.attr("log_group").is_none() && k.attr("errors").is_some()));
    // A raw alarm notifies a raw topic; a curated alarm a curated and a raw one.
    let alarm = &t["Resources"]["Errors"];
    assert_eq!(
        alarm["Properties"]["AlarmActions"],
        json!([{ "Ref": "Alerts" }])
    );
    let alarm = &t["Resources"]["NoticeAlarm"];
    assert_eq!(
        alarm["Properties"]["AlarmActions"],
        json!([{ "Ref": "Notices" }, { "Ref": "Alerts" }])
    );
    // A curated topic encrypted with a raw key.
    assert_eq!(
        t["Resources"]["Notices"]["Properties"]["KmsMasterKeyId"],
        json!({ "Fn::GetAtt": ["TopicKey", "Arn"] })
    );
}

#[test]
fn grants_on_raw_resources_name_their_arns() {
    let t = template();
    let statements = tap_tests::iam_statements(&t);
    let on = |action: &str| -> Vec<Value> {
        statements
            .iter()
            .filter(|(_, s)| {
                s["Action"] == action
                    || s["Action"]
                        .as_array()
                        .is_some_and(|a| a.contains(&json!(action)))
            })
            .map(|(_, s)| s["Resource"].clone())
            .collect()
    };
    assert_eq!(
        on("dynamodb:GetItem"),
        vec![json!({ "Fn::GetAtt": ["Orders", "Arn"] })]
    );
    assert_eq!(
        on("dynamodb:GetRecords"),
        vec![json!({ "Fn::GetAtt": ["Orders", "StreamArn"] })]
    );
    assert_eq!(
        on("states:StartExecution"),
        vec![json!({ "Fn::GetAtt": ["Workflow", "Arn"] })]
    );
    assert_eq!(
        on("sns:Publish"),
        vec![json!({ "Fn::GetAtt": ["Alerts", "TopicArn"] })]
    );
}

#[test]
fn cfn_lint_accepts_raw_resources_of_a_dozen_services() {
    let t = template();
    let services: std::collections::BTreeSet<&str> = t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|r| r["Type"].as_str()?.split("::").nth(1))
        .collect();
    assert!(services.len() >= 10, "{services:?}");
    let findings = cfn_lint_findings("raw-services", &t);
    assert!(findings.is_empty(), "{findings}");
}
