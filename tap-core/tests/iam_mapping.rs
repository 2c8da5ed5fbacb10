//! The generated mapping from CloudFormation types to IAM resource types,
//! held to a reviewed table for the most used types: the attribute a bare
//! reference means in a grant, and the IAM resource type of its ARN. `None`:
//! the type has no ARN attribute or no IAM resource type, so grants name an
//! ARN string or another resource.

use tap_core::kinds;

/// (ARN attribute, IAM service, IAM resource type).
type Mapping = (&'static str, &'static str, &'static str);

/// Each type's mapping, reviewed against the Service Authorization Reference.
const REVIEWED: &[(&str, Option<Mapping>)] = &[
    ("AWS::S3::Bucket", Some(("Arn", "s3", "bucket"))),
    ("AWS::S3::BucketPolicy", None),
    ("AWS::IAM::Role", Some(("Arn", "iam", "role"))),
    ("AWS::IAM::Policy", None),
    ("AWS::IAM::ManagedPolicy", Some(("Ref", "iam", "policy"))),
    (
        "AWS::IAM::InstanceProfile",
        Some(("Arn", "iam", "instance-profile")),
    ),
    ("AWS::IAM::User", Some(("Arn", "iam", "user"))),
    ("AWS::IAM::Group", Some(("Arn", "iam", "group"))),
    ("AWS::Lambda::Function", Some(("Arn", "lambda", "function"))),
    ("AWS::Lambda::Permission", None),
    (
        "AWS::Lambda::Version",
        Some(("Ref", "lambda", "function version")),
    ),
    (
        "AWS::Lambda::Alias",
        Some(("AliasArn", "lambda", "function alias")),
    ),
    (
        "AWS::Lambda::EventSourceMapping",
        Some(("EventSourceMappingArn", "lambda", "eventsourcemapping")),
    ),
    (
        "AWS::Lambda::LayerVersion",
        Some(("LayerVersionArn", "lambda", "layerversion")),
    ),
    ("AWS::Lambda::Url", None),
    ("AWS::DynamoDB::Table", Some(("Arn", "dynamodb", "table"))),
    (
        "AWS::DynamoDB::GlobalTable",
        Some(("Arn", "dynamodb", "global-table")),
    ),
    ("AWS::SQS::Queue", Some(("Arn", "sqs", "queue"))),
    ("AWS::SQS::QueuePolicy", None),
    ("AWS::SNS::Topic", Some(("TopicArn", "sns", "topic"))),
    ("AWS::SNS::Subscription", None),
    ("AWS::SNS::TopicPolicy", None),
    ("AWS::KMS::Key", Some(("Arn", "kms", "key"))),
    ("AWS::KMS::Alias", None),
    (
        "AWS::SecretsManager::Secret",
        Some(("Ref", "secretsmanager", "secret")),
    ),
    ("AWS::SecretsManager::RotationSchedule", None),
    ("AWS::SSM::Parameter", Some(("Arn", "ssm", "parameter"))),
    ("AWS::Logs::LogGroup", Some(("Arn", "logs", "log-group"))),
    ("AWS::Logs::SubscriptionFilter", None),
    ("AWS::Logs::MetricFilter", None),
    (
        "AWS::CloudWatch::Alarm",
        Some(("Arn", "cloudwatch", "alarm")),
    ),
    ("AWS::CloudWatch::Dashboard", None),
    (
        "AWS::Events::Rule",
        Some(("Arn", "events", "rule-on-default-event-bus")),
    ),
    (
        "AWS::Events::EventBus",
        Some(("Arn", "events", "event-bus")),
    ),
    (
        "AWS::Scheduler::Schedule",
        Some(("Arn", "scheduler", "schedule")),
    ),
    (
        "AWS::Scheduler::ScheduleGroup",
        Some(("Arn", "scheduler", "schedule-group")),
    ),
    (
        "AWS::StepFunctions::StateMachine",
        Some(("Arn", "states", "statemachine")),
    ),
    (
        "AWS::StepFunctions::Activity",
        Some(("Arn", "states", "activity")),
    ),
    ("AWS::ApiGateway::RestApi", None),
    ("AWS::ApiGateway::Resource", None),
    ("AWS::ApiGateway::Method", None),
    ("AWS::ApiGateway::Deployment", None),
    ("AWS::ApiGateway::Stage", None),
    ("AWS::ApiGateway::Account", None),
    ("AWS::ApiGateway::ApiKey", None),
    ("AWS::ApiGateway::UsagePlan", None),
    (
        "AWS::ApiGateway::DomainName",
        Some(("DomainNameArn", "apigateway", "domainname")),
    ),
    ("AWS::ApiGatewayV2::Api", None),
    ("AWS::ApiGatewayV2::Stage", None),
    ("AWS::ApiGatewayV2::Route", None),
    ("AWS::ApiGatewayV2::Integration", None),
    ("AWS::EC2::VPC", None),
    ("AWS::EC2::Subnet", None),
    ("AWS::EC2::SecurityGroup", None),
    ("AWS::EC2::SecurityGroupIngress", None),
    ("AWS::EC2::SecurityGroupEgress", None),
    ("AWS::EC2::InternetGateway", None),
    ("AWS::EC2::VPCGatewayAttachment", None),
    ("AWS::EC2::RouteTable", None),
    ("AWS::EC2::Route", None),
    ("AWS::EC2::SubnetRouteTableAssociation", None),
    ("AWS::EC2::NatGateway", None),
    ("AWS::EC2::EIP", None),
    ("AWS::EC2::Instance", None),
    ("AWS::EC2::LaunchTemplate", None),
    ("AWS::EC2::VPCEndpoint", None),
    ("AWS::EC2::Volume", None),
    ("AWS::EC2::NetworkInterface", None),
    ("AWS::ElasticLoadBalancingV2::LoadBalancer", None),
    (
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        Some(("TargetGroupArn", "elasticloadbalancing", "targetgroup")),
    ),
    ("AWS::ElasticLoadBalancingV2::Listener", None),
    ("AWS::ElasticLoadBalancingV2::ListenerRule", None),
    ("AWS::AutoScaling::AutoScalingGroup", None),
    ("AWS::AutoScaling::LaunchConfiguration", None),
    ("AWS::ApplicationAutoScaling::ScalableTarget", None),
    ("AWS::ApplicationAutoScaling::ScalingPolicy", None),
    ("AWS::ECS::Cluster", Some(("Arn", "ecs", "cluster"))),
    ("AWS::ECS::Service", Some(("ServiceArn", "ecs", "service"))),
    (
        "AWS::ECS::TaskDefinition",
        Some(("TaskDefinitionArn", "ecs", "task-definition")),
    ),
    ("AWS::ECR::Repository", Some(("Arn", "ecr", "repository"))),
    ("AWS::EKS::Cluster", Some(("Arn", "eks", "cluster"))),
    ("AWS::EKS::Nodegroup", Some(("Arn", "eks", "nodegroup"))),
    ("AWS::RDS::DBInstance", Some(("DBInstanceArn", "rds", "db"))),
    (
        "AWS::RDS::DBCluster",
        Some(("DBClusterArn", "rds", "cluster")),
    ),
    (
        "AWS::RDS::DBSubnetGroup",
        Some(("DBSubnetGroupArn", "rds", "subgrp")),
    ),
    (
        "AWS::RDS::DBParameterGroup",
        Some(("DBParameterGroupArn", "rds", "pg")),
    ),
    ("AWS::RDS::DBClusterParameterGroup", None),
    ("AWS::ElastiCache::ReplicationGroup", None),
    ("AWS::ElastiCache::SubnetGroup", None),
    ("AWS::Kinesis::Stream", Some(("Arn", "kinesis", "stream"))),
    (
        "AWS::KinesisFirehose::DeliveryStream",
        Some(("Arn", "firehose", "deliverystream")),
    ),
    ("AWS::CloudFront::Distribution", None),
    ("AWS::CloudFront::OriginAccessControl", None),
    ("AWS::CloudFront::CloudFrontOriginAccessIdentity", None),
    ("AWS::Route53::HostedZone", None),
    ("AWS::Route53::RecordSet", None),
    (
        "AWS::CertificateManager::Certificate",
        Some(("CertificateArn", "acm", "certificate")),
    ),
    (
        "AWS::Cognito::UserPool",
        Some(("Arn", "cognito-idp", "userpool")),
    ),
    ("AWS::Cognito::UserPoolClient", None),
    ("AWS::Cognito::IdentityPool", None),
    (
        "AWS::CodeBuild::Project",
        Some(("Arn", "codebuild", "project")),
    ),
    (
        "AWS::CodePipeline::Pipeline",
        Some(("Arn", "codepipeline", "pipeline")),
    ),
    ("AWS::CodeDeploy::Application", None),
    ("AWS::CodeDeploy::DeploymentGroup", None),
    (
        "AWS::AppSync::GraphQLApi",
        Some(("Arn", "appsync", "graphqlapi")),
    ),
    ("AWS::WAFv2::WebACL", Some(("Arn", "wafv2", "webacl"))),
    ("AWS::Glue::Database", None),
    ("AWS::Glue::Table", None),
    ("AWS::Glue::Job", None),
    ("AWS::Athena::WorkGroup", None),
    (
        "AWS::EFS::FileSystem",
        Some(("Arn", "elasticfilesystem", "file-system")),
    ),
    (
        "AWS::Backup::BackupVault",
        Some(("BackupVaultArn", "backup", "backupvault")),
    ),
    (
        "AWS::Backup::BackupPlan",
        Some(("BackupPlanArn", "backup", "backupplan")),
    ),
    (
        "AWS::CloudTrail::Trail",
        Some(("Arn", "cloudtrail", "trail")),
    ),
    (
        "AWS::Config::ConfigRule",
        Some(("Arn", "config", "configrule")),
    ),
    ("AWS::Pipes::Pipe", Some(("Arn", "pipes", "pipe"))),
];

#[test]
fn the_most_used_types_map_to_their_iam_resource_types() {
    assert!(REVIEWED.len() >= 100);
    let mut wrong = Vec::new();
    for (cfn_type, expected) in REVIEWED {
        let name = tap_core::cfn::kind::kind_name(cfn_type);
        let Some(kind) = kinds::kind(&name) else {
            wrong.push(format!("{cfn_type}: not in the catalog"));
            continue;
        };
        let got = kind
            .attr(kind.arn_attr)
            .and_then(|a| a.iam.map(|(s, t)| (a.name, s, t)));
        if got != *expected {
            wrong.push(format!("{cfn_type}: {got:?}, reviewed {expected:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn most_types_with_an_arn_attribute_are_mapped() {
    let names = tap_core::cfn::catalog::type_names();
    let with_arn: Vec<_> = names
        .iter()
        .filter_map(|t| tap_core::cfn::catalog::schema(t))
        .filter(|s| s.arn_attribute.is_some())
        .collect();
    let mapped = with_arn.iter().filter(|s| !s.iam.is_empty()).count();
    // The heuristic (handler prefixes and name similarity) covers most; the
    // rest are grantable by ARN string. Falling well below is a generator bug.
    assert!(
        mapped * 100 >= with_arn.len() * 80,
        "{mapped} of {} types with an ARN attribute are mapped",
        with_arn.len()
    );
}
