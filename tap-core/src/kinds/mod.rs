//! Every resource kind a stack can declare, with its properties, defaults and
//! attributes. The tables here are the single source for the property checks,
//! the IAM checks (which ARN type each attribute is) and the DSL reference.

pub mod reference;
pub mod schema;

use crate::ir::{field, Effect, Field, Value};
pub use schema::*;

const DAY: u64 = 86_400;
pub const REMOVAL: Ty = Ty::Enum(&["Retain", "Destroy", "Snapshot"]);
pub const RETENTION_DAYS: &[i64] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];
pub const LAMBDA_RUNTIMES: &[(&str, &str)] = &[
    ("ProvidedAl2023", "provided.al2023"),
    ("ProvidedAl2", "provided.al2"),
    ("Nodejs22x", "nodejs22.x"),
    ("Nodejs20x", "nodejs20.x"),
    ("Python313", "python3.13"),
    ("Python312", "python3.12"),
    ("Java21", "java21"),
];
pub const DEPLOYMENT_CONFIGS: &[&str] = &[
    "AllAtOnce",
    "Canary10Percent5Minutes",
    "Canary10Percent10Minutes",
    "Canary10Percent15Minutes",
    "Canary10Percent30Minutes",
    "Linear10PercentEvery1Minute",
    "Linear10PercentEvery2Minutes",
    "Linear10PercentEvery3Minutes",
    "Linear10PercentEvery10Minutes",
];

fn encryption_key(fields: &[Field]) -> Option<&Value> {
    match field(fields, "encryption") {
        Some(Value::Call { func, args }) if func.text == "kms" => args.first(),
        _ => None,
    }
}

const LIFECYCLE_RULE: &[Prop] = &[
    req("id", Ty::Str, "The rule's ID."),
    prop("prefix", Ty::Str, "Only objects under this key prefix."),
    prop(
        "expiration",
        Ty::Duration {
            min: DAY,
            max: 100 * 365 * DAY,
        },
        "Delete current objects this long after creation.",
    ),
    prop(
        "noncurrent_expiration",
        Ty::Duration {
            min: DAY,
            max: 100 * 365 * DAY,
        },
        "Delete noncurrent versions this long after they become noncurrent.",
    ),
    prop(
        "abort_incomplete_multipart_upload",
        Ty::Duration {
            min: DAY,
            max: 100 * 365 * DAY,
        },
        "Abort multipart uploads left incomplete this long.",
    ),
    prop(
        "transitions",
        Ty::List(&Ty::Object(TRANSITION)),
        "Storage class transitions.",
    ),
];
const TRANSITION: &[Prop] = &[
    req(
        "storage_class",
        Ty::Enum(&[
            "InfrequentAccess",
            "OneZoneInfrequentAccess",
            "IntelligentTiering",
            "Glacier",
            "GlacierInstantRetrieval",
            "DeepArchive",
        ]),
        "Target storage class.",
    ),
    req(
        "after",
        Ty::Duration {
            min: DAY,
            max: 100 * 365 * DAY,
        },
        "Time after object creation (at least 30 days for the infrequent-access classes).",
    ),
];
const SECRET_GENERATE: &[Prop] = &[
    prop(
        "template",
        Ty::Str,
        "JSON the generated value is added to (`SecretStringTemplate`).",
    ),
    prop(
        "key",
        Ty::Str,
        "The JSON key of the generated value (`GenerateStringKey`); needs `template`.",
    ),
    prop("exclude", Ty::Str, "Characters never to use."),
    prop(
        "length",
        Ty::Int { min: 1, max: 4096 },
        "Password length (default 32).",
    ),
];
const STAGE: &[Prop] = &[
    req("name", Ty::Str, "The stage's name."),
    req(
        "actions",
        Ty::List(&Ty::Tagged(PIPELINE_ACTIONS)),
        "The stage's actions.",
    ),
];
const S3_SOURCE: &[Prop] = &[
    req("name", Ty::Str, "The action's name."),
    req("bucket", Ty::Ref(&["s3::Bucket"]), "The versioned bucket the source zip is read from."),
    req("key", Ty::Str, "The object key of the source zip."),
    req("output", Ty::Str, "The artifact this action produces."),
    dflt("trigger", Ty::Enum(&["Events", "Poll", "None"]), "Events", "How a new object starts the pipeline: an EventBridge rule (`Events`), polling, or not at all."),
];
const CODEBUILD_ACTION: &[Prop] = &[
    req("name", Ty::Str, "The action's name."),
    req(
        "project",
        Ty::Ref(&["codebuild::Project"]),
        "The project to run.",
    ),
    req(
        "input",
        Ty::Str,
        "The artifact the build reads (produced by an earlier action).",
    ),
    prop(
        "outputs",
        Ty::List(&Ty::Str),
        "Artifacts the build produces.",
    ),
    dflt(
        "run_order",
        Ty::Int { min: 1, max: 999 },
        "1",
        "Order of the action within its stage.",
    ),
];
const PIPELINE_ACTIONS: &[(&str, &[Prop])] =
    &[("s3_source", S3_SOURCE), ("codebuild", CODEBUILD_ACTION)];

/// All kinds, by DSL name.
pub const KINDS: &[Kind] = &[
    Kind {
        name: "s3::Bucket",
        cfn_type: "AWS::S3::Bucket",
        doc: "An S3 bucket. Public access is always blocked, and a bucket policy denies requests without TLS.",
        props: &[
            prop("name", Ty::Str, "The bucket name (checked against S3's naming rules when literal)."),
            dflt("versioned", Ty::Bool, "false", "Keep every version of every object."),
            dflt("encryption", Ty::BucketEncryption, "S3Managed", "`S3Managed` (SSE-S3) or `kms(key)` (SSE-KMS with a bucket key)."),
            prop("access_logs", Ty::Ref(&["s3::Bucket"]), "Deliver server access logs to this bucket (its policy is extended to let S3 logging write)."),
            prop("access_logs_prefix", Ty::Str, "Key prefix of the access logs."),
            prop("lifecycle", Ty::List(&Ty::Object(LIFECYCLE_RULE)), "Lifecycle rules."),
            dflt("removal", REMOVAL, "Retain", "What CloudFormation does with the bucket when it leaves the stack."),
            dflt("auto_delete_objects", Ty::Bool, "false", "`tap destroy` empties the bucket before deleting it (needs `removal: Destroy`)."),
            dflt("event_bridge", Ty::Bool, "false", "Send the bucket's events to EventBridge (for pipeline triggers)."),
            prop("allow", Ty::Statements(Effect::Allow), "Extra bucket-policy statements that allow (each needs `to PRINCIPAL`)."),
            prop("deny", Ty::Statements(Effect::Deny), "Extra bucket-policy statements that deny (each needs `to PRINCIPAL`)."),
        ],
        attrs: &[
            attr("name", AttrValue::Ref, "The bucket name."),
            arn("arn", AttrValue::GetAtt("Arn"), "s3", "bucket", "The bucket's ARN (for bucket-level actions such as `s3:ListBucket`)."),
            arn("objects", AttrValue::Sub("${${Self}.Arn}/*"), "s3", "object", "The ARN of every object in the bucket (for `s3:GetObject`, `s3:PutObject`)."),
            attr("domain_name", AttrValue::GetAtt("DomainName"), "The bucket's domain name."),
            attr("key", AttrValue::Linked(encryption_key), "The KMS key the bucket is encrypted with (`encryption: kms(key)`)."),
        ],
        arn_attr: "arn",
    },
    Kind {
        name: "kms::Key",
        cfn_type: "AWS::KMS::Key",
        doc: "A customer managed KMS key. Rotation is on; the key policy lets the account's IAM policies grant its use.",
        props: &[
            prop("description", Ty::Str, "The key's description."),
            dflt("rotation", Ty::Bool, "true", "Rotate the key material every year."),
            prop("alias", Ty::Str, "An alias (`alias/name`) for the key."),
            dflt("pending_window", Ty::Duration { min: 7 * DAY, max: 30 * DAY }, "days(30)", "Waiting period before a deleted key is destroyed."),
            dflt("removal", REMOVAL, "Retain", "What CloudFormation does with the key when it leaves the stack."),
        ],
        attrs: &[
            attr("id", AttrValue::Ref, "The key ID."),
            arn("arn", AttrValue::GetAtt("Arn"), "kms", "key", "The key's ARN."),
        ],
        arn_attr: "arn",
    },
    Kind {
        name: "sqs::Queue",
        cfn_type: "AWS::SQS::Queue",
        doc: "An SQS queue. Encrypted, and a queue policy denies requests without TLS.",
        props: &[
            prop("name", Ty::Str, "The queue name."),
            dflt("retention", Ty::Duration { min: 60, max: 14 * DAY }, "days(4)", "How long messages are kept (60 s to 14 days)."),
            dflt("visibility_timeout", Ty::Duration { min: 0, max: 12 * 3600 }, "seconds(30)", "How long a received message stays hidden."),
            dflt("encryption", Ty::Enum(&["SqsManaged", "KmsManaged"]), "SqsManaged", "SSE-SQS, or SSE-KMS with the AWS managed key `alias/aws/sqs`."),
            dflt("removal", REMOVAL, "Destroy", "What CloudFormation does with the queue when it leaves the stack."),
        ],
        attrs: &[
            attr("url", AttrValue::Ref, "The queue URL."),
            arn("arn", AttrValue::GetAtt("Arn"), "sqs", "queue", "The queue's ARN."),
            attr("name", AttrValue::GetAtt("QueueName"), "The queue name."),
        ],
        arn_attr: "arn",
    },
    Kind {
        name: "sns::Topic",
        cfn_type: "AWS::SNS::Topic",
        doc: "An SNS topic. A topic policy denies publishing without TLS.",
        props: &[
            prop("name", Ty::Str, "The topic name."),
            prop("display_name", Ty::Str, "The display name (SMS sender)."),
            prop("key", Ty::Ref(&["kms::Key"]), "Encrypt messages at rest with this customer managed key; alarms that notify the topic get the key policy grant they need."),
        ],
        attrs: &[
            arn("arn", AttrValue::Ref, "sns", "topic", "The topic's ARN."),
            attr("name", AttrValue::GetAtt("TopicName"), "The topic name."),
        ],
        arn_attr: "arn",
    },
    Kind {
        name: "secretsmanager::Secret",
        cfn_type: "AWS::SecretsManager::Secret",
        doc: "A Secrets Manager secret, optionally with a generated value.",
        props: &[
            prop("name", Ty::Str, "The secret name."),
            prop("description", Ty::Str, "The secret's description."),
            prop("generate", Ty::Object(SECRET_GENERATE), "Generate the secret value (`GenerateSecretString`)."),
            dflt("removal", REMOVAL, "Destroy", "What CloudFormation does with the secret when it leaves the stack."),
        ],
        attrs: &[arn("arn", AttrValue::Ref, "secretsmanager", "secret", "The secret's ARN.")],
        arn_attr: "arn",
    },
    Kind {
        name: "iam::Role",
        cfn_type: "AWS::IAM::Role",
        doc: "An IAM role with an inline least-privilege policy. Every action is checked against the IAM catalog and against the resources it is granted on.",
        props: &[
            prop("name", Ty::Str, "The role name."),
            req("assumed_by", Ty::Principal, "Who may assume the role: `service(\"lambda.amazonaws.com\")`."),
            prop("description", Ty::Str, "The role's description."),
            prop("allow", Ty::Statements(Effect::Allow), "What the role may do: `[s3:PutObject on bucket.objects, …]`."),
            prop("deny", Ty::Statements(Effect::Deny), "Explicit denies."),
            prop("managed_policies", Ty::List(&Ty::ManagedPolicy), "Managed policies to attach: `aws_managed(\"service-role/…\")`."),
            dflt("max_session", Ty::Duration { min: 3600, max: 12 * 3600 }, "hours(1)", "Maximum session duration."),
        ],
        attrs: &[
            attr("name", AttrValue::Ref, "The role name."),
            arn("arn", AttrValue::GetAtt("Arn"), "iam", "role", "The role's ARN."),
        ],
        arn_attr: "arn",
    },
    Kind {
        name: "lambda::Function",
        cfn_type: "AWS::Lambda::Function",
        doc: "A Lambda function with a log group of its own. Its role must be assumable by Lambda and grant what the configuration needs: writing its logs, X-Ray when traced, sending to its dead-letter queue.",
        props: &[
            prop("name", Ty::Str, "The function name."),
            dflt("runtime", Ty::Enum(&["ProvidedAl2023", "ProvidedAl2", "Nodejs22x", "Nodejs20x", "Python313", "Python312", "Java21"]), "ProvidedAl2023", "The runtime (`ProvidedAl2023` runs a Rust `bootstrap`)."),
            dflt("handler", Ty::Str, "\"bootstrap\"", "The handler."),
            req("code", Ty::Asset, "The code: `asset(\"path/to/crate\")`, relative to the crate that defines the stack."),
            req("role", Ty::Ref(&["iam::Role"]), "The execution role."),
            prop("environment", Ty::Map(&Ty::Str), "Environment variables."),
            dflt("memory", Ty::Int { min: 128, max: 10240 }, "128", "Memory in MB (128 to 10240)."),
            dflt("timeout", Ty::Duration { min: 1, max: 900 }, "seconds(3)", "Timeout (at most 900 s)."),
            prop("dead_letter_queue", Ty::Ref(&["sqs::Queue", "sns::Topic"]), "Where failed asynchronous invocations go."),
            prop("tracing", Ty::Enum(&["Active", "PassThrough"]), "X-Ray tracing."),
            dflt("log_retention", Ty::RetentionDays, "days(731)", "Retention of the function's log group."),
            dflt("architecture", Ty::Enum(&["X86_64", "Arm64"]), "X86_64", "Instruction set."),
            prop("reserved_concurrency", Ty::Int { min: 0, max: 1000 }, "Reserved concurrent executions."),
            prop("description", Ty::Str, "The function's description."),
        ],
        attrs: &[
            attr("name", AttrValue::Ref, "The function name."),
            arn("arn", AttrValue::GetAtt("Arn"), "lambda", "function", "The function's ARN."),
            attr("errors", AttrValue::Metric("AWS/Lambda", "Errors", "FunctionName"), "The `Errors` metric."),
            attr("throttles", AttrValue::Metric("AWS/Lambda", "Throttles", "FunctionName"), "The `Throttles` metric."),
            attr("duration", AttrValue::Metric("AWS/Lambda", "Duration", "FunctionName"), "The `Duration` metric (ms)."),
            attr("invocations", AttrValue::Metric("AWS/Lambda", "Invocations", "FunctionName"), "The `Invocations` metric."),
            attr("log_group", AttrValue::Sub("${${Self}LogGroup}"), "The name of the function's log group."),
            arn("logs", AttrValue::Sub("${${Self}LogGroup.Arn}"), "logs", "log-group", "The ARN of the function's log group."),
            arn("log_streams", AttrValue::Sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${${Self}LogGroup}:log-stream:*"), "logs", "log-stream", "The ARN of every stream in the function's log group (for `logs:CreateLogStream`, `logs:PutLogEvents`)."),
        ],
        arn_attr: "arn",
    },
    Kind {
        name: "lambda::Alias",
        cfn_type: "AWS::Lambda::Alias",
        doc: "An alias pointing at a version of a function; the version is published from the function's current code and configuration (like the CDK's `currentVersion`).",
        props: &[
            req("name", Ty::Str, "The alias name (`live`)."),
            req("function", Ty::Ref(&["lambda::Function"]), "The function."),
            prop("description", Ty::Str, "The alias's description."),
        ],
        attrs: &[
            arn("arn", AttrValue::Ref, "lambda", "function alias", "The alias ARN."),
            attr("errors", AttrValue::Metric("AWS/Lambda", "Errors", "Resource"), "The `Errors` metric of the alias."),
        ],
        arn_attr: "arn",
    },
    Kind {
        name: "logs::LogGroup",
        cfn_type: "AWS::Logs::LogGroup",
        doc: "A CloudWatch Logs log group.",
        props: &[
            prop("name", Ty::Str, "The log group name."),
            dflt("retention", Ty::RetentionDays, "days(731)", "How long events are kept."),
            dflt("removal", REMOVAL, "Retain", "What CloudFormation does with the log group when it leaves the stack."),
        ],
        attrs: &[
            attr("name", AttrValue::Ref, "The log group name."),
            arn("arn", AttrValue::GetAtt("Arn"), "logs", "log-group", "The log group's ARN."),
        ],
        arn_attr: "arn",
    },
    Kind {
        name: "codedeploy::LambdaApplication",
        cfn_type: "AWS::CodeDeploy::Application",
        doc: "A CodeDeploy application for Lambda deployments.",
        props: &[prop("name", Ty::Str, "The application name.")],
        attrs: &[attr("name", AttrValue::Ref, "The application name.")],
        arn_attr: "",
    },
    Kind {
        name: "codedeploy::LambdaDeploymentGroup",
        cfn_type: "AWS::CodeDeploy::DeploymentGroup",
        doc: "Shifts an alias's traffic to a new version gradually and rolls back when an alarm fires. Canary and linear configurations must name at least one alarm.",
        props: &[
            req("application", Ty::Ref(&["codedeploy::LambdaApplication"]), "The application."),
            req("alias", Ty::Ref(&["lambda::Alias"]), "The alias whose traffic is shifted."),
            req("config", Ty::Enum(DEPLOYMENT_CONFIGS), "How traffic shifts: `Canary10Percent5Minutes`, `Linear10PercentEvery1Minute`, `AllAtOnce`, …"),
            prop("alarms", Ty::List(&Ty::Ref(&["cloudwatch::Alarm"])), "Alarms that stop and roll back a deployment."),
            dflt("auto_rollback", Ty::Bool, "true", "Roll back on failure and on alarm."),
            prop("name", Ty::Str, "The deployment group name."),
        ],
        attrs: &[attr("name", AttrValue::Ref, "The deployment group name.")],
        arn_attr: "",
    },
    Kind {
        name: "cloudwatch::Alarm",
        cfn_type: "AWS::CloudWatch::Alarm",
        doc: "A CloudWatch alarm on a resource's metric.",
        props: &[
            req("metric", Ty::Metric, "The metric: `function.errors`, `function.throttles`, `function.duration`."),
            dflt("statistic", Ty::Enum(&["Sum", "Average", "Minimum", "Maximum", "SampleCount"]), "Average", "The statistic."),
            dflt("period", Ty::Duration { min: 10, max: DAY }, "minutes(5)", "The period (10 s, 20 s, 30 s or a multiple of 60 s)."),
            req("threshold", Ty::Int { min: i64::MIN, max: i64::MAX }, "The threshold."),
            dflt("evaluation_periods", Ty::Int { min: 1, max: 1440 }, "1", "Periods to evaluate."),
            dflt("comparison", Ty::Enum(&["GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"]), "GreaterThanOrEqualToThreshold", "How the statistic is compared to the threshold."),
            dflt("treat_missing_data", Ty::Enum(&["NotBreaching", "Breaching", "Ignore", "Missing"]), "Missing", "How missing data points count."),
            prop("description", Ty::Str, "The alarm description."),
            prop("name", Ty::Str, "The alarm name."),
            prop("actions", Ty::List(&Ty::Ref(&["sns::Topic"])), "Topics notified when the alarm fires."),
            prop("ok_actions", Ty::List(&Ty::Ref(&["sns::Topic"])), "Topics notified when the alarm returns to OK."),
        ],
        attrs: &[
            attr("name", AttrValue::Ref, "The alarm name."),
            arn("arn", AttrValue::GetAtt("Arn"), "cloudwatch", "alarm", "The alarm's ARN."),
        ],
        arn_attr: "arn",
    },
    Kind {
        name: "codebuild::Project",
        cfn_type: "AWS::CodeBuild::Project",
        doc: "A CodeBuild project run by a pipeline. Without `role`, tap creates one that may write the project's logs; a pipeline adds its artifact access.",
        props: &[
            req("name", Ty::Str, "The project name."),
            prop("description", Ty::Str, "The project's description."),
            dflt("image", Ty::Str, "\"aws/codebuild/standard:7.0\"", "The build image."),
            dflt("compute", Ty::Enum(&["Small", "Medium", "Large", "XLarge", "X2Large"]), "Small", "The compute type."),
            dflt("privileged", Ty::Bool, "false", "Run the build container privileged (Docker builds)."),
            prop("environment", Ty::Map(&Ty::Str), "Plain-text environment variables."),
            prop("buildspec", Ty::Json, "An inline buildspec; without it the source's `buildspec.yml` is used."),
            prop("cache", Ty::Enum(&["LocalSource", "LocalDockerLayer", "LocalCustom"]), "Local caching mode."),
            prop("role", Ty::Ref(&["iam::Role"]), "The service role (created when left out)."),
            dflt("timeout", Ty::Duration { min: 300, max: 36 * 3600 }, "hours(1)", "Build timeout."),
        ],
        attrs: &[
            attr("name", AttrValue::Ref, "The project name."),
            // Built from the name, not GetAtt: emulators return a placeholder for GetAtt Arn.
            arn("arn", AttrValue::Sub("arn:${AWS::Partition}:codebuild:${AWS::Region}:${AWS::AccountId}:project/${${Self}}"), "codebuild", "project", "The project's ARN."),
        ],
        arn_attr: "arn",
    },
    Kind {
        name: "codepipeline::Pipeline",
        cfn_type: "AWS::CodePipeline::Pipeline",
        doc: "A CodePipeline pipeline with a KMS-encrypted artifact bucket, a least-privilege pipeline role, and (for `trigger: Events`) an EventBridge rule that starts it.",
        props: &[
            prop("name", Ty::Str, "The pipeline name."),
            dflt("restart_on_update", Ty::Bool, "false", "Restart the pipeline when its definition changes."),
            dflt("cross_account_keys", Ty::Bool, "true", "Encrypt artifacts with a customer managed KMS key (needed to deploy to other accounts)."),
            req("stages", Ty::List(&Ty::Object(STAGE)), "The stages, in order."),
        ],
        attrs: &[
            attr("name", AttrValue::Ref, "The pipeline name."),
            arn("arn", AttrValue::Sub("arn:${AWS::Partition}:codepipeline:${AWS::Region}:${AWS::AccountId}:${${Self}}"), "codepipeline", "pipeline", "The pipeline's ARN."),
        ],
        arn_attr: "arn",
    },
];

/// Looks a kind up by its DSL name.
pub fn kind(name: &str) -> Option<&'static Kind> {
    if crate::cfn::kind::is_raw(name) {
        return crate::cfn::kind::raw(name);
    }
    KINDS.iter().find(|k| k.name == name)
}

/// Whether a resource of kind `k` can stand where one of `expected` is asked
/// for: the same kind, or a raw resource of the same CloudFormation type.
pub fn fits(k: &Kind, expected: &[&str]) -> bool {
    expected.contains(&k.name)
        || (crate::cfn::kind::is_raw(k.name)
            && expected
                .iter()
                .filter_map(|e| kind(e))
                .any(|e| e.cfn_type == k.cfn_type))
}

/// The seconds a duration call stands for (`days(14)` → 1209600).
pub fn duration_seconds(func: &str, n: i64) -> Option<i64> {
    let unit = match func {
        "seconds" => 1,
        "minutes" => 60,
        "hours" => 3600,
        "days" => 86_400,
        _ => return None,
    };
    n.checked_mul(unit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::catalog;

    #[test]
    fn every_arn_attribute_names_a_resource_type_the_catalog_knows() {
        for kind in KINDS {
            for attr in kind.attrs {
                if let Some((service, rtype)) = attr.iam {
                    let s = catalog().service(service).unwrap_or_else(|| {
                        panic!("{}.{}: no service {service}", kind.name, attr.name)
                    });
                    assert!(
                        s.resource_type(rtype).is_some(),
                        "{}.{}: no resource type {service}/{rtype}",
                        kind.name,
                        attr.name
                    );
                }
            }
            assert!(
                kind.arn_attr.is_empty() || kind.attr(kind.arn_attr).is_some(),
                "{}",
                kind.name
            );
        }
    }
}
