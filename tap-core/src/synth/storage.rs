//! S3 buckets, KMS keys, SQS queues, SNS topics, secrets and log groups.

use super::policy::{self, allow, deny_insecure_transport, with};
use super::{Ctx, Result};
use crate::ir::*;
use crate::template::{Expr, RemovalPolicy, Resource};

pub fn removal(cx: &Ctx, fields: &[Field], default: RemovalPolicy) -> RemovalPolicy {
    match cx.enum_field(fields, "removal") {
        Some("Retain") => RemovalPolicy::Retain,
        Some("Destroy") => RemovalPolicy::Delete,
        Some("Snapshot") => RemovalPolicy::Snapshot,
        _ => default,
    }
}

fn days(secs: i64) -> Expr {
    Expr::Int(secs / 86_400)
}

/// Every public-access block on (the only setting tap writes).
pub fn block_public_access() -> Expr {
    Expr::map([
        ("BlockPublicAcls", Expr::Bool(true)),
        ("BlockPublicPolicy", Expr::Bool(true)),
        ("IgnorePublicAcls", Expr::Bool(true)),
        ("RestrictPublicBuckets", Expr::Bool(true)),
    ])
}

/// As the AWS CDK does: the account administers the key, and IAM policies grant its use.
pub fn key_policy() -> Expr {
    let admin = with(
        allow(&["kms:*"], vec![Expr::str("*")]),
        "Principal",
        Expr::map([(
            "AWS",
            Expr::sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root"),
        )]),
    );
    policy::document(vec![admin])
}

pub fn bucket(cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
    let f = &d.fields;
    let mut r = Resource::new("AWS::S3::Bucket")
        .opt("BucketName", cx.opt(f, "name")?)
        .prop("PublicAccessBlockConfiguration", block_public_access());
    let by_default = match field(f, "encryption") {
        Some(Value::Call { args, .. }) => {
            let key = match args.first() {
                Some(Value::Path { segments }) => cx.path(segments, Some("arn"))?,
                _ => Expr::str("alias/aws/s3"),
            };
            Expr::map([
                ("SSEAlgorithm", Expr::str("aws:kms")),
                ("KMSMasterKeyID", key),
            ])
        }
        _ => Expr::map([("SSEAlgorithm", Expr::str("AES256"))]),
    };
    let kms = matches!(field(f, "encryption"), Some(Value::Call { .. }));
    let mut rule = vec![("ServerSideEncryptionByDefault", by_default)];
    if kms {
        // A bucket key cuts the KMS calls (and their cost) per object.
        rule.push(("BucketKeyEnabled", Expr::Bool(true)));
    }
    r = r.prop(
        "BucketEncryption",
        Expr::map([(
            "ServerSideEncryptionConfiguration",
            Expr::list([Expr::map(rule)]),
        )]),
    );
    if cx.bool_field(f, "versioned", false) {
        r = r.prop(
            "VersioningConfiguration",
            Expr::map([("Status", Expr::str("Enabled"))]),
        );
    }
    if let Some(target) = field(f, "access_logs") {
        let prefix = cx.str_field(f, "access_logs_prefix").unwrap_or_default();
        let mut logging = vec![("DestinationBucketName", cx.expr(target)?)];
        if !prefix.is_empty() {
            logging.push(("LogFilePrefix", Expr::str(prefix.as_str())));
        }
        r = r.prop("LoggingConfiguration", Expr::map(logging));
        // The log bucket's policy lets the S3 logging service write, for this bucket only.
        if let Some(target_id) = cx.local_id(target) {
            let s = allow(
                &["s3:PutObject"],
                vec![Expr::sub(format!("${{{target_id}.Arn}}/{prefix}*"))],
            );
            let s = with(
                s,
                "Principal",
                policy::service_principal("logging.s3.amazonaws.com"),
            );
            let s = with(
                s,
                "Condition",
                Expr::map([
                    (
                        "ArnLike",
                        Expr::map([("aws:SourceArn", Expr::get_att(id, "Arn"))]),
                    ),
                    (
                        "StringEquals",
                        Expr::map([("aws:SourceAccount", Expr::reference("AWS::AccountId"))]),
                    ),
                ]),
            );
            cx.resource_policy(&target_id, s);
        }
    }
    if let Some(Value::List { items, .. }) = field(f, "lifecycle") {
        let mut rules = Vec::new();
        for item in items {
            let Value::Object { fields: rf, .. } = item else {
                continue;
            };
            let mut rule = vec![("Status", Expr::str("Enabled"))];
            if let Some(id) = cx.opt(rf, "id")? {
                rule.push(("Id", id));
            }
            if let Some(p) = cx.opt(rf, "prefix")? {
                rule.push(("Prefix", p));
            }
            if let Some(s) = cx.seconds(rf, "expiration") {
                rule.push(("ExpirationInDays", days(s)));
            }
            if let Some(s) = cx.seconds(rf, "noncurrent_expiration") {
                rule.push((
                    "NoncurrentVersionExpiration",
                    Expr::map([("NoncurrentDays", days(s))]),
                ));
            }
            if let Some(s) = cx.seconds(rf, "abort_incomplete_multipart_upload") {
                rule.push((
                    "AbortIncompleteMultipartUpload",
                    Expr::map([("DaysAfterInitiation", days(s))]),
                ));
            }
            if let Some(Value::List { items: ts, .. }) = field(rf, "transitions") {
                let mut transitions = Vec::new();
                for t in ts {
                    let Value::Object { fields: tf, .. } = t else {
                        continue;
                    };
                    let class = match cx.enum_field(tf, "storage_class") {
                        Some("InfrequentAccess") => "STANDARD_IA",
                        Some("OneZoneInfrequentAccess") => "ONEZONE_IA",
                        Some("IntelligentTiering") => "INTELLIGENT_TIERING",
                        Some("Glacier") => "GLACIER",
                        Some("GlacierInstantRetrieval") => "GLACIER_IR",
                        _ => "DEEP_ARCHIVE",
                    };
                    let after = cx.seconds(tf, "after").unwrap_or(30 * 86_400);
                    transitions.push(Expr::map([
                        ("StorageClass", Expr::str(class)),
                        ("TransitionInDays", days(after)),
                    ]));
                }
                rule.push(("Transitions", Expr::List(transitions)));
            }
            rules.push(Expr::map(rule));
        }
        r = r.prop(
            "LifecycleConfiguration",
            Expr::map([("Rules", Expr::List(rules))]),
        );
    }
    if cx.bool_field(f, "event_bridge", false) {
        r = r.prop(
            "NotificationConfiguration",
            Expr::map([(
                "EventBridgeConfiguration",
                Expr::map([("EventBridgeEnabled", Expr::Bool(true))]),
            )]),
        );
    }
    if cx.bool_field(f, "auto_delete_objects", false) {
        // `tap destroy` reads this and empties the bucket before CloudFormation deletes it.
        r.metadata
            .insert("tap:auto-delete-objects".into(), Expr::Bool(true));
    }
    r = r.removal(removal(cx, f, RemovalPolicy::Retain));
    cx.add(id, r);

    let arn = Expr::get_att(id, "Arn");
    let objects = Expr::sub(format!("${{{id}.Arn}}/*"));
    cx.resource_policy(id, deny_insecure_transport("s3:*", vec![arn, objects]));
    for key in ["allow", "deny"] {
        for s in cx.statements(f, key)? {
            cx.resource_policy(id, s);
        }
    }
    Ok(())
}

pub fn key(cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
    let f = &d.fields;
    let r = Resource::new("AWS::KMS::Key")
        .opt("Description", cx.opt(f, "description")?)
        .prop(
            "EnableKeyRotation",
            Expr::Bool(cx.bool_field(f, "rotation", true)),
        )
        .prop(
            "PendingWindowInDays",
            days(cx.seconds(f, "pending_window").unwrap_or(30 * 86_400)),
        )
        .prop("KeyPolicy", key_policy())
        .removal(removal(cx, f, RemovalPolicy::Retain));
    cx.add(id, r);
    if let Some(alias) = cx.opt(f, "alias")? {
        cx.add(
            format!("{id}Alias"),
            Resource::new("AWS::KMS::Alias")
                .prop("AliasName", alias)
                .prop("TargetKeyId", Expr::reference(id)),
        );
    }
    Ok(())
}

pub fn queue(cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
    let f = &d.fields;
    let mut r = Resource::new("AWS::SQS::Queue")
        .opt("QueueName", cx.opt(f, "name")?)
        .opt(
            "MessageRetentionPeriod",
            cx.seconds(f, "retention").map(Expr::Int),
        )
        .opt(
            "VisibilityTimeout",
            cx.seconds(f, "visibility_timeout").map(Expr::Int),
        );
    r = match cx.enum_field(f, "encryption") {
        Some("KmsManaged") => r.prop("KmsMasterKeyId", Expr::str("alias/aws/sqs")),
        _ => r.prop("SqsManagedSseEnabled", Expr::Bool(true)),
    };
    cx.add(id, r.removal(removal(cx, f, RemovalPolicy::Delete)));
    cx.resource_policy(
        id,
        deny_insecure_transport("sqs:*", vec![Expr::get_att(id, "Arn")]),
    );
    Ok(())
}

pub fn topic(cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
    let f = &d.fields;
    let key = match field(f, "key") {
        Some(Value::Path { segments }) => Some(cx.path(segments, Some("arn"))?),
        _ => None,
    };
    let r = Resource::new("AWS::SNS::Topic")
        .opt("TopicName", cx.opt(f, "name")?)
        .opt("DisplayName", cx.opt(f, "display_name")?)
        .opt("KmsMasterKeyId", key);
    cx.add(id, r);
    cx.resource_policy(
        id,
        deny_insecure_transport("sns:Publish", vec![Expr::reference(id)]),
    );
    Ok(())
}

pub fn secret(cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
    let f = &d.fields;
    let mut r = Resource::new("AWS::SecretsManager::Secret")
        .opt("Name", cx.opt(f, "name")?)
        .opt("Description", cx.opt(f, "description")?);
    if let Some(Value::Object { fields: g, .. }) = field(f, "generate") {
        let mut gen = Vec::new();
        for (dsl, cfn) in [
            ("template", "SecretStringTemplate"),
            ("key", "GenerateStringKey"),
            ("exclude", "ExcludeCharacters"),
            ("length", "PasswordLength"),
        ] {
            if let Some(v) = cx.opt(g, dsl)? {
                gen.push((cfn, v));
            }
        }
        r = r.prop("GenerateSecretString", Expr::map(gen));
    }
    cx.add(id, r.removal(removal(cx, f, RemovalPolicy::Delete)));
    Ok(())
}

pub fn log_group(cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
    let f = &d.fields;
    let retention = cx.seconds(f, "retention").unwrap_or(731 * 86_400);
    let r = Resource::new("AWS::Logs::LogGroup")
        .opt("LogGroupName", cx.opt(f, "name")?)
        .prop("RetentionInDays", days(retention))
        .removal(removal(cx, f, RemovalPolicy::Retain));
    cx.add(id, r);
    Ok(())
}
