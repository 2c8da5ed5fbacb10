//! The raw-resource stacks of the test suite (`cfn::Service::Type`), shared by
//! the template, cfn-lint and parliament tests.

use crate::FixedAssets;
use serde_json::Value;
use tap_macros::stack;

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
            UpdateReplacePolicy: "Retain",
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

stack! {
    /// Parameters of every scalar type in raw positions; a dynamic reference
    /// and an IAM policy variable written as AWS documents them.
    pub stack RawParams(shards: Int, scan: Bool, prefix: Str, retention: Option<Int> = 14) {
        stream = cfn::Kinesis::Stream { ShardCount: shards, RetentionPeriodHours: "48" };
        images = cfn::ECR::Repository {
            RepositoryName: "${prefix}-images",
            ImageScanningConfiguration: { ScanOnPush: scan },
        };
        logs = cfn::Logs::LogGroup { RetentionInDays: retention };
        token = cfn::SSM::Parameter {
            Type: "String",
            Value: "{{resolve:secretsmanager:tap/token:SecretString:token}}",
        };
        home = cfn::IAM::ManagedPolicy {
            PolicyDocument: {
                Version: "2012-10-17",
                Statement: [{
                    Effect: "Allow",
                    Action: "s3:GetObject",
                    Resource: "arn:${AWS::Partition}:s3:::${prefix}-home/${aws:username}/*",
                }],
            },
        };
    }
}

/// `RawServices` synthesised.
pub fn raw_services_template() -> Value {
    RawServices::new(RawServicesProps {
        stage: "test".into(),
    })
    .expect("binds")
    .synth(&FixedAssets("x.zip"))
    .expect("synthesises")
    .to_json()
}

/// `RawParams` synthesised with every parameter given but the defaulted one.
pub fn raw_params_template() -> Value {
    RawParams::new(RawParamsProps {
        shards: 3,
        scan: true,
        prefix: "team".into(),
        retention: None,
    })
    .expect("binds")
    .synth(&FixedAssets("x.zip"))
    .expect("synthesises")
    .to_json()
}
