//! Raw resources (`cfn::Service::Type`) from a dozen services, mixed with
//! curated kinds: references in both directions and grants on raw resources
//! synthesise to what CloudFormation expects, and cfn-lint finds nothing.

use serde_json::{json, Value};
use tap_macros::stack;
use tap_tests::{cfn_lint_findings, FixedAssets};

stack! {
    /// A small serverless app written mostly in CloudFormation's own terms.
    pub stack RawServices(stage: Str) {
        orders = cfn::DynamoDB::Table {
            BillingMode: "PAY_PER_REQUEST",
            AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
            KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
            StreamSpecification: { StreamViewType: "NEW_AND_OLD_IMAGES" },
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            SSESpecification: { SSEEnabled: true },
            DeletionPolicy: "Retain",
        };
        events = cfn::Kinesis::Stream {
            ShardCount: 1,
            RetentionPeriodHours: 24,
            StreamEncryption: { EncryptionType: "KMS", KeyId: "alias/aws/kinesis" },
        };
        config = cfn::SSM::Parameter {
            Name: "/tap/${stage}/table",
            Type: "String",
            Value: orders.Ref,
        };
        images = cfn::ECR::Repository {
            ImageScanningConfiguration: { ScanOnPush: true },
            ImageTagMutability: "IMMUTABLE",
        };
        bus = cfn::Events::EventBus { Name: "tap-${stage}" };
        alerts = cfn::SNS::Topic { KmsMasterKeyId: "alias/aws/sns" };
        logs = cfn::Logs::LogGroup { RetentionInDays: 30, LogGroupName: "/tap/${stage}/app" };
        schedules = cfn::Scheduler::ScheduleGroup { Name: "tap-${stage}" };
        workflow_role = iam::Role {
            assumed_by: service("states.amazonaws.com"),
            allow: [dynamodb:PutItem on orders, kinesis:PutRecord on events],
        };
        workflow = cfn::StepFunctions::StateMachine {
            RoleArn: workflow_role.arn,
            StateMachineType: "STANDARD",
            DefinitionString: "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}",
            TracingConfiguration: { Enabled: true },
        };
        api = cfn::ApiGatewayV2::Api { Name: "tap-${stage}", ProtocolType: "HTTP" };
        api_stage = cfn::ApiGatewayV2::Stage { ApiId: api, StageName: "$default", AutoDeploy: true };
        nightly = cfn::Events::Rule {
            EventBusName: bus,
            EventPattern: { source: ["tap.orders"] },
            Targets: [{ Arn: workflow.Arn, Id: "workflow", RoleArn: rule_role.arn }],
        };
        rule_role = iam::Role {
            assumed_by: service("events.amazonaws.com"),
            allow: [states:StartExecution on workflow],
        };
        reader_role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [
                dynamodb:GetItem on orders,
                dynamodb:GetRecords on orders.StreamArn,
                ssm:GetParameter on config,
                sns:Publish on alerts,
            ],
        };
        errors = cfn::CloudWatch::Alarm {
            Namespace: "AWS/States",
            MetricName: "ExecutionsFailed",
            Dimensions: [{ Name: "StateMachineArn", Value: workflow.Arn }],
            Statistic: "Sum",
            Period: 60,
            EvaluationPeriods: 1,
            Threshold: "0.5",
            ComparisonOperator: "GreaterThanOrEqualToThreshold",
            AlarmActions: [alerts],
        };
        // Curated kinds take raw resources of their CloudFormation type.
        topic_key = cfn::KMS::Key {
            EnableKeyRotation: true,
            KeyPolicy: {
                Version: "2012-10-17",
                Statement: [{
                    Effect: "Allow",
                    Principal: { AWS: "arn:${AWS::Partition}:iam::${AWS::AccountId}:root" },
                    Action: "kms:*",
                    Resource: "*",
                }],
            },
        };
        notices = sns::Topic { key: topic_key };
        notice_alarm = cloudwatch::Alarm {
            metric: handler.errors,
            threshold: 1,
            actions: [notices, alerts],
        };
        // A raw function has the curated kind's metrics.
        handler = cfn::Lambda::Function {
            Runtime: "python3.13",
            Handler: "index.handler",
            Code: { ZipFile: "def handler(event, context):\n    return None\n" },
            Role: reader_role.arn,
            TracingConfig: { Mode: "Active" },
        };
        output TableName { value: orders };
        output StreamArn { value: orders.StreamArn };
        output SnapStart { value: "${handler.SnapStartResponse.ApplyOn}" };
    }
}

fn template() -> Value {
    RawServices::new(RawServicesProps {
        stage: "test".into(),
    })
    .expect("binds")
    .synth(&FixedAssets("x.zip"))
    .expect("synthesises")
    .to_json()
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
