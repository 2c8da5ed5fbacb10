//! The synthesised seed templates, checked for what a reviewer of the seed
//! would look for: its bugs fixed, its outputs and exports, encryption, and no
//! unexplained wildcard in any policy.

use serde_json::{json, Value};
use tap_core::iam::catalog;
use tap_tests::{as_list, iam_statements, of_type, seed_templates, FixedAssets};

fn actions_of(template: &Value, holder: &str) -> Vec<String> {
    iam_statements(template)
        .into_iter()
        .filter(|(id, _)| id == holder)
        .flat_map(|(_, s)| as_list(&s["Action"]))
        .filter_map(|a| a.as_str().map(str::to_string))
        .collect()
}

#[test]
fn the_canary_rolls_back_on_the_error_alarm() {
    let (tap, _) = seed_templates();
    let group = &tap["Resources"]["TapLambdaDeployment"]["Properties"];
    assert_eq!(
        group["DeploymentConfigName"],
        "CodeDeployDefault.LambdaCanary10Percent5Minutes"
    );
    assert_eq!(group["AlarmConfiguration"]["Enabled"], true);
    assert_eq!(
        group["AlarmConfiguration"]["Alarms"],
        json!([{ "Name": { "Ref": "ErrorAlarm" } }])
    );
    assert!(as_list(&group["AutoRollbackConfiguration"]["Events"])
        .contains(&json!("DEPLOYMENT_STOP_ON_ALARM")));
    // CloudFormation hands the alias to CodeDeploy, so updates really are canaries.
    let alias = &tap["Resources"]["TapLambdaLive"];
    assert_eq!(
        alias["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]["DeploymentGroupName"],
        json!({ "Ref": "TapLambdaDeployment" })
    );
}

#[test]
fn the_lambda_role_grants_exactly_what_the_handler_uses() {
    let (tap, _) = seed_templates();
    let mut actions = actions_of(&tap, "LambdaRole");
    actions.sort();
    // The handler's contract (`lambda/src/contract.rs`, which `stack!` holds
    // the role to), and what Lambda does with the role for an actively traced
    // function: write its logs and traces.
    assert_eq!(
        actions,
        [
            "kms:GenerateDataKey",
            "logs:CreateLogStream",
            "logs:PutLogEvents",
            "s3:PutObject",
            "secretsmanager:GetSecretValue",
            "sqs:SendMessage",
            "xray:PutTelemetryRecords",
            "xray:PutTraceSegments",
        ]
    );
    let role = &tap["Resources"]["LambdaRole"]["Properties"];
    assert!(
        role["ManagedPolicyArns"].is_null(),
        "no AWSLambdaBasicExecutionRole: logs are granted on the function's own log group"
    );
    let statements = iam_statements(&tap);
    let kms = statements
        .iter()
        .find(|(id, s)| id == "LambdaRole" && s["Action"] == "kms:GenerateDataKey")
        .expect("a KMS statement");
    assert_eq!(
        kms.1["Resource"],
        json!({ "Fn::GetAtt": ["ApplicationBucketKey", "Arn"] }),
        "the key that encrypts the application bucket"
    );
    let put = statements
        .iter()
        .find(|(id, s)| id == "LambdaRole" && s["Action"] == "s3:PutObject")
        .expect("a PutObject statement");
    assert_eq!(
        put.1["Resource"],
        json!({ "Fn::Sub": "${ApplicationBucket.Arn}/*" })
    );
}

#[test]
fn the_function_gets_every_variable_the_handler_reads() {
    let (tap, _) = seed_templates();
    let f = &tap["Resources"]["TapLambda"]["Properties"];
    let vars = &f["Environment"]["Variables"];
    let mut set: Vec<&str> = vars
        .as_object()
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();
    set.sort();
    let mut read = tap_lambda::contract::VARIABLES.to_vec();
    read.sort();
    assert_eq!(set, read, "the stack sets exactly what the handler reads");
    assert!(
        vars.get("DEAD_LETTER_QUEUE_URL").is_none(),
        "Lambda's dead-letter queue reports failures, not the handler"
    );
    assert_eq!(
        vars["APPLICATION_BUCKET"],
        json!({ "Ref": "ApplicationBucket" })
    );
    assert_eq!(
        vars["APPLICATION_BUCKET_KEY_ARN"],
        json!({ "Fn::GetAtt": ["ApplicationBucketKey", "Arn"] }),
        "the key that encrypts the application bucket"
    );
    assert_eq!(vars["SECRET_ARN"], json!({ "Ref": "AppSecret" }));
    assert_eq!(f["Runtime"], "provided.al2023");
    assert_eq!(f["Handler"], "bootstrap");
    assert_eq!(f["MemorySize"], 3008);
    assert_eq!(f["Timeout"], 300);
    assert_eq!(f["TracingConfig"]["Mode"], "Active");
    assert_eq!(
        f["DeadLetterConfig"]["TargetArn"],
        json!({ "Fn::GetAtt": ["Dlq", "Arn"] })
    );
    let key = f["Code"]["S3Key"].as_str().expect("an S3 key");
    assert!(
        key.starts_with("assets/")
            && key.ends_with(".zip")
            && key.len() == "assets/".len() + 64 + 4,
        "content-hashed asset key: {key}"
    );
}

#[test]
fn log_retention_is_a_log_group_not_a_custom_resource() {
    let (tap, pipeline) = seed_templates();
    let lg = &tap["Resources"]["TapLambdaLogGroup"]["Properties"];
    assert_eq!(lg["RetentionInDays"], 30);
    assert_eq!(lg["LogGroupName"], "/aws/lambda/tap-application-function");
    assert_eq!(
        tap["Resources"]["TapLambda"]["Properties"]["LoggingConfig"]["LogGroup"],
        json!({ "Ref": "TapLambdaLogGroup" })
    );
    for t in [&tap, &pipeline] {
        for (id, r) in t["Resources"].as_object().unwrap() {
            let ty = r["Type"].as_str().unwrap();
            assert!(
                !ty.starts_with("Custom::") && ty != "AWS::CloudFormation::CustomResource",
                "{id} is a custom resource"
            );
        }
    }
}

#[test]
fn no_policy_has_an_unreasoned_wildcard() {
    let (tap, pipeline) = seed_templates();
    for t in [&tap, &pipeline] {
        for (holder, s) in iam_statements(t) {
            let actions: Vec<String> = as_list(&s["Action"])
                .iter()
                .filter_map(|a| a.as_str().map(String::from))
                .collect();
            for a in &actions {
                assert!(!a.contains('*'), "{holder}: wildcard action {a}");
            }
            if as_list(&s["Resource"]).contains(&json!("*")) {
                for a in &actions {
                    let (_, infos) = catalog().resolve(a).unwrap();
                    assert!(
                        !infos[0].supports_resource_level(),
                        "{holder}: {a} on * could be scoped"
                    );
                }
            }
        }
    }
}

#[test]
fn the_pipeline_deploy_role_is_scoped_to_the_application_stack() {
    let (_, pipeline) = seed_templates();
    let actions = actions_of(&pipeline, "DeployRole");
    for forbidden in ["iam:*", "s3:*", "lambda:*", "cloudformation:*", "sqs:*"] {
        assert!(!actions.iter().any(|a| a == forbidden), "{forbidden}");
    }
    let statements = iam_statements(&pipeline);
    let cfn = statements
        .iter()
        .find(|(id, s)| {
            id == "DeployRole"
                && as_list(&s["Action"]).contains(&json!("cloudformation:CreateChangeSet"))
        })
        .unwrap();
    assert_eq!(
        cfn.1["Resource"],
        json!({ "Fn::Sub": "arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/TapStack/*" })
    );
    let pass = statements
        .iter()
        .find(|(id, s)| id == "DeployRole" && s["Action"] == "iam:PassRole")
        .unwrap();
    assert_eq!(
        pass.1["Condition"]["StringEquals"]["iam:PassedToService"],
        "cloudformation.amazonaws.com"
    );
}

#[test]
fn every_seed_output_is_there_with_its_export() {
    let (tap, pipeline) = seed_templates();
    let exported = [
        ("ApplicationBucketName", "ApplicationBucket"),
        ("ApplicationBucketArn", "ApplicationBucketArn"),
        ("LoggingBucketName", "LoggingBucket"),
        ("PipelineSourceBucketName", "PipelineSourceBucket"),
        ("LambdaFunctionArn", "LambdaArn"),
        ("LambdaFunctionName", "LambdaName"),
        ("DeadLetterQueueUrl", "DLQUrl"),
        ("DeadLetterQueueArn", "DLQArn"),
        ("SecretArn", "SecretArn"),
        ("AlarmTopicArn", "AlarmTopicArn"),
        ("ErrorAlarmName", "ErrorAlarmName"),
        ("ThrottleAlarmName", "ThrottleAlarmName"),
        ("DurationAlarmName", "DurationAlarmName"),
        ("LambdaRoleArn", "LambdaRoleArn"),
    ];
    let outputs = tap["Outputs"].as_object().unwrap();
    for (output, export) in exported {
        let o = &outputs[output];
        assert_eq!(
            o["Export"]["Name"],
            json!({ "Fn::Sub": format!("${{AWS::StackName}}-{export}") }),
            "{output}"
        );
        assert!(o["Description"].is_string(), "{output}");
    }
    for output in ["TestInvokeCommand", "CheckDLQCommand", "ViewLogsCommand"] {
        assert!(outputs[output]["Export"].is_null(), "{output}");
    }
    // The seed's 17, and the export of the source bucket's name that
    // PipelineStack's typed reference to it imports.
    assert_eq!(outputs.len(), 18);
    assert_eq!(
        outputs["ExportPipelineSourceRef"]["Export"]["Name"],
        "TapStack:PipelineSource:Ref"
    );
    assert_eq!(
        outputs["ExportPipelineSourceRef"]["Value"],
        json!({ "Ref": "PipelineSource" })
    );
    assert_eq!(
        outputs["ViewLogsCommand"]["Value"],
        json!({ "Fn::Sub": "aws logs tail ${TapLambdaLogGroup} --follow" })
    );
    assert!(pipeline["Outputs"]["PipelineArn"]["Value"].is_object());
}

#[test]
fn the_pipeline_imports_the_source_bucket_from_tap_stack() {
    let (_, pipeline) = seed_templates();
    let p = &pipeline["Resources"]["Pipeline"]["Properties"];
    let source = &p["Stages"][0]["Actions"][0];
    assert_eq!(
        source["Configuration"]["S3Bucket"],
        json!({ "Fn::ImportValue": "TapStack:PipelineSource:Ref" })
    );
    assert_eq!(source["Configuration"]["S3ObjectKey"], "tap-source.zip");
    let stages: Vec<&str> = p["Stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["Name"].as_str().unwrap())
        .collect();
    assert_eq!(stages, ["Source", "Build", "Test", "Deploy"]);
    assert_eq!(p["ArtifactStore"]["EncryptionKey"]["Type"], "KMS");
    assert_eq!(
        of_type(&pipeline, "AWS::Events::Rule").len(),
        1,
        "the S3 event trigger"
    );
}

#[test]
fn storage_is_encrypted_private_and_tls_only() {
    let (tap, pipeline) = seed_templates();
    for t in [&tap, &pipeline] {
        let policies = of_type(t, "AWS::S3::BucketPolicy");
        for (id, b) in of_type(t, "AWS::S3::Bucket") {
            let p = &b["Properties"];
            let block = &p["PublicAccessBlockConfiguration"];
            for k in [
                "BlockPublicAcls",
                "BlockPublicPolicy",
                "IgnorePublicAcls",
                "RestrictPublicBuckets",
            ] {
                assert_eq!(block[k], true, "{id} {k}");
            }
            assert!(
                p["BucketEncryption"]["ServerSideEncryptionConfiguration"].is_array(),
                "{id}"
            );
            let policy = policies
                .iter()
                .find(|(_, pol)| pol["Properties"]["Bucket"] == json!({ "Ref": id }))
                .unwrap_or_else(|| panic!("{id} has no policy"));
            let denies_plain_http = as_list(&policy.1["Properties"]["PolicyDocument"]["Statement"])
                .iter()
                .any(|s| {
                    s["Effect"] == "Deny"
                        && s["Condition"]["Bool"]["aws:SecureTransport"] == "false"
                });
            assert!(denies_plain_http, "{id}");
        }
        for (id, k) in of_type(t, "AWS::KMS::Key") {
            assert_eq!(k["Properties"]["EnableKeyRotation"], true, "{id}");
        }
    }
    let app = &tap["Resources"]["ApplicationBucket"]["Properties"];
    let sse = &app["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
        ["ServerSideEncryptionByDefault"];
    assert_eq!(sse["SSEAlgorithm"], "aws:kms");
    assert_eq!(
        sse["KMSMasterKeyID"],
        json!({ "Fn::GetAtt": ["ApplicationBucketKey", "Arn"] })
    );
    assert_eq!(
        app["LoggingConfiguration"]["DestinationBucketName"],
        json!({ "Ref": "LoggingBucket" })
    );
    assert_eq!(
        tap["Resources"]["Dlq"]["Properties"]["KmsMasterKeyId"],
        "alias/aws/sqs"
    );
    assert_eq!(
        tap["Resources"]["Dlq"]["Properties"]["MessageRetentionPeriod"],
        1_209_600
    );
    assert!(
        tap["Resources"]["DlqPolicy"].is_object()
            && tap["Resources"]["AlarmTopicPolicy"].is_object()
    );
    assert_eq!(
        tap["Resources"]["ApplicationBucket"]["DeletionPolicy"],
        "Retain"
    );
    assert_eq!(
        tap["Resources"]["PipelineSource"]["DeletionPolicy"],
        "Delete"
    );
}

#[test]
fn synthesis_is_deterministic_and_versions_follow_the_code() {
    let (a, _) = seed_templates();
    let (b, _) = seed_templates();
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );

    let stack = tap_seed::stacks::TapStack::new(Default::default()).unwrap();
    let v1 = stack.synth(&FixedAssets("one.zip")).unwrap();
    let v2 = stack.synth(&FixedAssets("two.zip")).unwrap();
    let version = |t: &tap_core::Template| {
        t.resources
            .keys()
            .find(|k| k.starts_with("TapLambdaVersion"))
            .cloned()
            .unwrap()
    };
    assert_ne!(
        version(&v1),
        version(&v2),
        "new code publishes a new version"
    );
    assert_eq!(
        version(&v1),
        version(&stack.synth(&FixedAssets("one.zip")).unwrap())
    );
}
