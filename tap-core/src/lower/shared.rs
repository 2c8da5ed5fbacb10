//! Lowering helpers more than one kind uses: removal policies, the public
//! access block, the default key policy, service roles, stable hashes.

use crate::base::diag::Loc;
use crate::base::ir::*;
use crate::base::template::{pseudo, Expr, RemovalPolicy, Resource};
use crate::lower::policy::{self, allow, trust, with};
use crate::lower::{err, Ctx, Result};
use crate::model::kind::Prop;

/// The removal policy of a kind with a `removal` property: as given, or the
/// kind's default, in CloudFormation's terms (`Destroy` is `Delete`).
pub fn removal(cx: &Ctx, props: &[Prop], fields: &[Field]) -> Result<RemovalPolicy> {
    match cx.variant(props, fields, "removal")? {
        Some("Retain") => Ok(RemovalPolicy::Retain),
        Some("Delete") => Ok(RemovalPolicy::Delete),
        Some("Snapshot") => Ok(RemovalPolicy::Snapshot),
        other => err(Loc::NONE, format!("internal: removal policy {other:?}")),
    }
}

pub fn days(secs: i64) -> Expr {
    Expr::Int(secs / 86_400)
}

/// The metadata that tells `tap destroy` it may empty a bucket of this stack.
pub const AUTO_DELETE_OBJECTS: &str = "tap:auto-delete-objects";

/// The tag that proves which stack created a bucket: CloudFormation writes
/// the stack's ID into it at creation, so a bucket someone makes later under
/// the same name does not carry it, and `tap destroy` leaves that one alone.
pub const STACK_ID_TAG: &str = "tap:stack-id";

/// Marks a bucket `tap destroy` empties before CloudFormation deletes it.
pub fn auto_delete_objects(bucket: &mut Resource) {
    bucket
        .metadata
        .insert(AUTO_DELETE_OBJECTS.into(), Expr::Bool(true));
    bucket.properties.insert(
        "Tags".into(),
        Expr::list([Expr::map([
            ("Key", Expr::str(STACK_ID_TAG)),
            ("Value", Expr::reference(pseudo::STACK_ID)),
        ])]),
    );
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

/// Public ACLs blocked, public policies allowed: a bucket that says why it is
/// public (`public_policy`), as the CDK's `BlockPublicAccess.BLOCK_ACLS`.
pub fn block_public_acls() -> Expr {
    Expr::map([
        ("BlockPublicAcls", Expr::Bool(true)),
        ("BlockPublicPolicy", Expr::Bool(false)),
        ("IgnorePublicAcls", Expr::Bool(true)),
        ("RestrictPublicBuckets", Expr::Bool(false)),
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

/// [`key_policy`], and the use of the key (not its administration) for the
/// IAM policies of other accounts: each account's root, the statement AWS
/// documents for a key shared with another account. `accounts` is a list
/// of account IDs.
pub fn key_policy_trusting(accounts: Option<Expr>) -> Expr {
    let Some(accounts) = accounts else {
        return key_policy();
    };
    let roots = match accounts {
        Expr::List(items) => Expr::List(
            items
                .into_iter()
                .map(|a| match a {
                    Expr::Str(id) => Expr::sub(format!("arn:${{AWS::Partition}}:iam::{id}:root")),
                    other => other,
                })
                .collect(),
        ),
        other => other,
    };
    let admin = with(
        allow(&["kms:*"], vec![Expr::str("*")]),
        "Principal",
        Expr::map([(
            "AWS",
            Expr::sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root"),
        )]),
    );
    let use_ = with(
        allow(
            &[
                "kms:Decrypt",
                "kms:DescribeKey",
                "kms:Encrypt",
                "kms:GenerateDataKey*",
                "kms:ReEncrypt*",
            ],
            vec![Expr::str("*")],
        ),
        "Principal",
        Expr::map([("AWS", roots)]),
    );
    policy::document(vec![admin, use_])
}

/// A role tap creates for a service (CodeDeploy, CodeBuild, CodePipeline, EventBridge).
pub fn service_role(cx: &mut Ctx, id: &str, service: &str, managed: &[&str]) {
    let mut r = Resource::new("AWS::IAM::Role").prop(
        "AssumeRolePolicyDocument",
        trust(policy::service_principal(service)),
    );
    if !managed.is_empty() {
        r = r.prop(
            "ManagedPolicyArns",
            Expr::list(
                managed
                    .iter()
                    .map(|m| Expr::sub(format!("arn:${{AWS::Partition}}:iam::aws:policy/{m}"))),
            ),
        );
    }
    cx.add(id, r);
}

/// FNV-1a: a stable, dependency-free hash for logical IDs that must change with content.
pub fn stable_hash(s: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// The logical ID of the key a topic of this stack is encrypted with.
pub fn topic_key(cx: &Ctx, topic: &Value) -> Option<String> {
    let Value::Path { segments } = topic else {
        return None;
    };
    match cx.scope.resolve(segments) {
        Ok(crate::model::resolve::Target::Resource { decl, .. }) => {
            field(&decl.fields, "key").and_then(|k| cx.local_id(k))
        }
        _ => None,
    }
}

/// The name of a project as text for an ARN (its `name` is required, so it is known
/// before deploy; building the ARN from `Ref` would make the role depend on the project).
pub fn project_name(cx: &Ctx, fields: &[Field]) -> String {
    cx.str_field(fields, "name").unwrap_or_default()
}

pub fn action_type(category: &str, provider: &str) -> Expr {
    Expr::map([
        ("Category", Expr::str(category)),
        ("Owner", Expr::str("AWS")),
        ("Provider", Expr::str(provider)),
        ("Version", Expr::str("1")),
    ])
}

/// An EventBridge rule that starts the pipeline when the source object is written.
pub fn trigger_rule(
    cx: &mut Ctx,
    pipeline_id: &str,
    pipeline_arn: &Expr,
    bucket_name: Expr,
    key: Expr,
) {
    let role_id = format!("{pipeline_id}EventsRole");
    service_role(cx, &role_id, "events.amazonaws.com", &[]);
    cx.grant(
        &role_id,
        allow(
            &["codepipeline:StartPipelineExecution"],
            vec![pipeline_arn.clone()],
        ),
    );
    let pattern = Expr::map([
        ("source", Expr::list([Expr::str("aws.s3")])),
        ("detail-type", Expr::list([Expr::str("Object Created")])),
        (
            "detail",
            Expr::map([
                ("bucket", Expr::map([("name", Expr::list([bucket_name]))])),
                ("object", Expr::map([("key", Expr::list([key]))])),
            ]),
        ),
    ]);
    let rule = Resource::new("AWS::Events::Rule")
        .prop(
            "Description",
            Expr::str("Starts the pipeline when a new source object is written"),
        )
        .prop("EventPattern", pattern)
        .prop("State", Expr::str("ENABLED"))
        .prop(
            "Targets",
            Expr::list([Expr::map([
                ("Arn", pipeline_arn.clone()),
                ("Id", Expr::str("Pipeline")),
                ("RoleArn", Expr::get_att(&role_id, "Arn")),
            ])]),
        );
    cx.add(format!("{pipeline_id}SourceTrigger"), rule);
}
