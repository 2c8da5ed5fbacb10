//! `s3::Bucket` → `AWS::S3::Bucket`: an S3 bucket.

use super::curated::Curated;
use super::s3_notifications::{self, NOTIFICATION};
use crate::base::diag::{Diagnostic, Diagnostics};
use crate::base::ir::*;
use crate::base::template::{Expr, Resource};
use crate::lower::policy::{self, allow, deny_insecure_transport, with};
use crate::lower::shared::*;
use crate::lower::{err, Ctx, Result};
use crate::model::kind::*;
use crate::model::resolve::Scope;
use crate::rules::props::{bucket_name_problem, is_path};
use crate::rules::public_policy;

pub const KIND: Kind = Kind {
    name: "s3::Bucket",
    cfn_type: "AWS::S3::Bucket",
    doc: "An S3 bucket. Public access is blocked (public ACLs always; a public policy unless `public_policy` says why), and a bucket policy denies requests without TLS.",
    props: &[
        prop("name", Ty::Str, "The bucket name (checked against S3's naming rules when literal)."),
        dflt("versioned", Ty::Bool, Dflt::Bool(false), "Keep every version of every object."),
        dflt("noncurrent_versions", Ty::Duration { min: DAY, max: 100 * 365 * DAY }, Dflt::Secs(90 * DAY), "How long a versioned bucket keeps a replaced or deleted object's old versions (a lifecycle rule `expire-noncurrent-versions`, unless a rule of `lifecycle` sets `noncurrent_expiration`): old versions do not pile up forever."),
        dflt("encryption", Ty::BucketEncryption, Dflt::Variant("S3Managed"), "`S3Managed` (SSE-S3) or `kms(key)` (SSE-KMS with a bucket key)."),
        prop("access_logs", Ty::Ref(&["s3::Bucket"]), "Deliver server access logs to this bucket (its policy is extended to let S3 logging write)."),
        prop("access_logs_prefix", Ty::Str, "Key prefix of the access logs."),
        prop("lifecycle", Ty::List(&Ty::Object(LIFECYCLE_RULE)), "Lifecycle rules."),
        dflt("removal", REMOVAL, Dflt::Variant("Retain"), "What CloudFormation does with the bucket when it leaves the stack."),
        dflt("auto_delete_objects", Ty::Bool, Dflt::Bool(false), "`tap destroy` empties the bucket before deleting it (needs `removal: Destroy`)."),
        dflt("event_bridge", Ty::Bool, Dflt::Bool(false), "Send the bucket's events to EventBridge (for pipeline triggers and `events::Rule` patterns)."),
        prop("notifications", Ty::List(&Ty::Object(NOTIFICATION)), "S3 events sent to a queue, topic or function (`{ events: [\"s3:ObjectCreated:*\"], prefix: \"incoming/\", to: jobs }`), with the policy or permission that lets S3 deliver; the bucket needs a `name`."),
        prop("allow", Ty::Statements(Effect::Allow), "Extra bucket-policy statements that allow (each needs `to PRINCIPAL`)."),
        prop("deny", Ty::Statements(Effect::Deny), "Extra bucket-policy statements that deny (each needs `to PRINCIPAL`)."),
        prop("public_policy", Ty::Str, "Why the bucket may have a public policy (a statement of `allow` `to any` without a condition that pins it to fixed values, such as a website's pages): Block Public Access then stops blocking public policies; public ACLs stay blocked. Without it S3 refuses such a policy, and so does the compiler."),
    ],
    attrs: &[
        attr("name", AttrValue::Ref, "The bucket name."),
        arn("arn", AttrValue::GetAtt("Arn"), "s3", "bucket", "The bucket's ARN (for bucket-level actions such as `s3:ListBucket`)."),
        arn("objects", AttrValue::Sub("${${Self}.Arn}/*"), "s3", "object", "The ARN of every object in the bucket (for `s3:GetObject`, `s3:PutObject`)."),
        attr("domain_name", AttrValue::GetAtt("DomainName"), "The bucket's domain name."),
        arn("key", AttrValue::Linked(encryption_key), "kms", "key", "The KMS key the bucket is encrypted with (`encryption: kms(key)`); of a bucket from another stack, its key's ARN."),
    ],
    arn_attr: "arn",
    phase: 0,
    from_ref: Some(FromRef {
        ref_attr: "name",
        var: "BucketName",
        attrs: &[
            ("arn", "arn:${AWS::Partition}:s3:::${BucketName}"),
            ("objects", "arn:${AWS::Partition}:s3:::${BucketName}/*"),
        ],
    }),
    key_markers: Some(KeyMarkers {
        key_attr: "key",
        any: "s3::Bucket",
        with_key: "s3::KmsBucket",
        without_key: "s3::BucketWithoutKmsKey",
    }),
};

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
            ("InfrequentAccess", "STANDARD_IA"),
            ("OneZoneInfrequentAccess", "ONEZONE_IA"),
            ("IntelligentTiering", "INTELLIGENT_TIERING"),
            ("Glacier", "GLACIER"),
            ("GlacierInstantRetrieval", "GLACIER_IR"),
            ("DeepArchive", "DEEP_ARCHIVE"),
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

/// `s3_bucket`'s own checks and lowering, for the drivers.
pub struct S3Bucket;

impl Curated for S3Bucket {
    fn kind(&self) -> &'static Kind {
        &KIND
    }

    /// A bucket name S3 accepts, `auto_delete_objects` only on a bucket that is
    /// destroyed, `noncurrent_versions` only on a versioned one, and no
    /// infrequent-access transition before 30 days; no public policy unless
    /// the bucket says why.
    fn check(&self, decl: &ResourceDecl, scope: &Scope, diags: &mut Diagnostics) {
        let f = |k: &str| field(&decl.fields, k);
        public_policy::check(f("allow"), f("public_policy"), &decl.name, diags);
        s3_notifications::check(decl, scope, diags);
        if let Some(Value::Str { text, loc }) = f("name") {
            if let Some(problem) = bucket_name_problem(text) {
                diags.push(Diagnostic::new(*loc, format!("invalid S3 bucket name: {problem}")).help("bucket names are 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit"));
            }
        }
        if matches!(
            f("auto_delete_objects"),
            Some(Value::Bool { value: true, .. })
        ) && !is_path(f("removal"), "Destroy")
        {
            let loc = f("auto_delete_objects").map_or(decl.name.loc, Value::loc);
            diags.push(Diagnostic::new(loc, "`auto_delete_objects` empties a bucket that is being deleted, but this bucket is retained").help("add `removal: Destroy`"));
        }
        if let Some(v) = f("noncurrent_versions") {
            if !matches!(
                f("versioned"),
                Some(Value::Bool { value: true, .. }) | Some(Value::Path { .. })
            ) {
                diags.push(Diagnostic::new(v.loc(), "`noncurrent_versions` says how long old versions are kept, but this bucket keeps none").help("add `versioned: true`, or remove it"));
            }
        }
        if let Some(Value::List { items, .. }) = f("lifecycle") {
            for rule in items {
                let Value::Object { fields, .. } = rule else {
                    continue;
                };
                if let Some(Value::List { items: ts, .. }) = field(fields, "transitions") {
                    for t in ts {
                        let Value::Object { fields: tf, .. } = t else {
                            continue;
                        };
                        let ia = matches!(field(tf, "storage_class"), Some(Value::Path { segments }) if segments[0].text.contains("InfrequentAccess"));
                        if let (true, Some(Value::Call { func, args })) = (ia, field(tf, "after")) {
                            if let [Value::Int { value, .. }] = args.as_slice() {
                                if duration_seconds(&func.text, *value)
                                    .is_some_and(|s| s < 30 * 86_400)
                                {
                                    diags.error(func.loc, "S3 moves objects to an infrequent-access class no sooner than 30 days after creation");
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    fn lower(&self, cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
        let f = &d.fields;
        let mut r = Resource::new("AWS::S3::Bucket")
            .opt("BucketName", cx.opt(f, "name")?)
            .prop(
                "PublicAccessBlockConfiguration",
                if field(f, "public_policy").is_some() {
                    block_public_acls()
                } else {
                    block_public_access()
                },
            );
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
            // `S3Managed`, as written or by default.
            Some(Value::Path { .. }) | None => Expr::map([("SSEAlgorithm", Expr::str("AES256"))]),
            Some(other) => return err(
                other.loc(),
                "bucket encryption is `S3Managed` or `kms(key)`: only a checked stack can be lowered",
            ),
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
        if cx.flag(KIND.props, f, "versioned") {
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
        let mut rules = Vec::new();
        if let Some(Value::List { items, .. }) = field(f, "lifecycle") {
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
                        let class = cx.chosen(TRANSITION, tf, "storage_class")?;
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
        }
        let noncurrent_ruled = match field(f, "lifecycle") {
            Some(Value::List { items, .. }) => items.iter().any(|i| {
                matches!(i, Value::Object { fields, .. } if field(fields, "noncurrent_expiration").is_some())
            }),
            _ => false,
        };
        if cx.flag(KIND.props, f, "versioned") && !noncurrent_ruled {
            let keep = cx.seconds_of(KIND.props, f, "noncurrent_versions")?;
            rules.push(Expr::map([
                ("Id", Expr::str("expire-noncurrent-versions")),
                ("Status", Expr::str("Enabled")),
                (
                    "NoncurrentVersionExpiration",
                    Expr::map([("NoncurrentDays", days(keep))]),
                ),
            ]));
        }
        if !rules.is_empty() {
            r = r.prop(
                "LifecycleConfiguration",
                Expr::map([("Rules", Expr::List(rules))]),
            );
        }
        let mut notification = Vec::new();
        if cx.flag(KIND.props, f, "event_bridge") {
            notification.push((
                "EventBridgeConfiguration",
                Expr::map([("EventBridgeEnabled", Expr::Bool(true))]),
            ));
        }
        let waits = s3_notifications::lower(cx, id, f, &mut notification)?;
        s3_notifications::wait_for(&mut r, waits);
        if !notification.is_empty() {
            r = r.prop("NotificationConfiguration", Expr::map(notification));
        }
        if cx.flag(KIND.props, f, "auto_delete_objects") {
            // `tap destroy` reads this and empties the bucket before CloudFormation deletes it.
            auto_delete_objects(&mut r);
        }
        r = r.removal(removal(cx, KIND.props, f)?);
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
}
