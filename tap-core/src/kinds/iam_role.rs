//! `iam::Role` → `AWS::IAM::Role`: an IAM role with an inline least-privilege policy.

use super::curated::Curated;
use crate::base::diag::{Diagnostic, Diagnostics};
use crate::base::ir::*;
use crate::base::naming::display_name;
use crate::base::template::{Expr, Resource};
use crate::data::iam::catalog::catalog;
use crate::lower::policy::{self, trust};
use crate::lower::{Ctx, Result};
use crate::model::kind::*;
use crate::model::resolve::{Scope, Target};
use crate::rules::iam::role_allows;

pub const KIND: Kind = Kind {
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
        dflt("max_session", Ty::Duration { min: 3600, max: 12 * 3600 }, Dflt::Secs(3600), "Maximum session duration."),
    ],
    attrs: &[
        attr("name", AttrValue::Ref, "The role name."),
        arn("arn", AttrValue::GetAtt("Arn"), "iam", "role", "The role's ARN."),
    ],
    arn_attr: "arn",
    phase: 0,
    from_ref: None,
    key_markers: None,
};

/// What a role needs of a bucket's KMS key to use its objects with `action`:
/// `kms:GenerateDataKey` to write them, `kms:Decrypt` to read them (nothing
/// for other actions). The one rule of the KMS check, within a stack and across
/// stacks (`refs::bucket_need`).
pub(crate) fn kms_actions_for(action: &str) -> &'static [&'static str] {
    let Ok((service, infos)) = catalog().resolve(action) else {
        return &[];
    };
    if service.prefix != "s3" {
        return &[];
    }
    let writes = infos.iter().any(|i| {
        i.name.starts_with("Put")
            || i.name.starts_with("Restore")
            || i.name == "CreateMultipartUpload"
    });
    let reads = infos
        .iter()
        .any(|i| i.name.starts_with("GetObject") && i.level.contains('R'));
    match (writes, reads) {
        (true, _) => &["kms:GenerateDataKey"],
        (false, true) => &["kms:Decrypt"],
        _ => &[],
    }
}

/// `iam_role`'s own checks and lowering, for the drivers.
pub struct IamRole;

impl Curated for IamRole {
    fn kind(&self) -> &'static Kind {
        &KIND
    }

    /// A role that writes to (or reads from) a KMS-encrypted bucket must be allowed
    /// to use the bucket's key, or every request fails with AccessDenied.
    fn check(&self, role: &ResourceDecl, scope: &Scope, diags: &mut Diagnostics) {
        let Some(Value::List { items, .. }) = field(&role.fields, "allow") else {
            return;
        };
        for item in items {
            let Value::Statement(s) = item else { continue };
            if s.not_actions || s.not_resources {
                continue; // what it grants is everything else: no bucket is named
            }
            for r in &s.resources {
                let Value::Path { segments } = r else {
                    continue;
                };
                let Ok(Target::Resource {
                    decl: bucket,
                    kind,
                    attr,
                }) = scope.resolve(segments)
                else {
                    continue;
                };
                if kind.name != "s3::Bucket" || attr.map(|a| a.name) != Some("objects") {
                    continue;
                }
                let key_path = [segments[0].clone(), Name::new("key", segments[0].loc)];
                let Ok(Target::Resource { decl: key, .. }) = scope.resolve(&key_path) else {
                    continue;
                };
                for a in &s.actions {
                    let needed = kms_actions_for(&a.text);
                    for need in needed {
                        if !role_allows(role, scope, need, &key.name.text, &[]) {
                            diags.push(
                                Diagnostic::new(
                                    a.loc,
                                    format!(
                                        "role `{}` is allowed `{}` on `{}`, but that bucket is encrypted with KMS key `{}` and the role may not `{need}` with it",
                                        display_name(&role.name.text),
                                        a.text,
                                        display_name(&bucket.name.text),
                                        display_name(&key.name.text)
                                    ),
                                )
                                .help(format!("S3 calls KMS on the role's behalf, so without it every request fails with AccessDenied: add `{need} on {}.key`", segments[0].text)),
                            );
                        }
                    }
                }
            }
        }
    }
    fn lower(&self, cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
        let f = &d.fields;
        let principal = cx.principal(cx.required(d, "assumed_by")?)?;
        let mut r = Resource::new("AWS::IAM::Role")
            .opt("RoleName", cx.opt(f, "name")?)
            .opt("Description", cx.opt(f, "description")?)
            .prop("AssumeRolePolicyDocument", trust(principal))
            .opt(
                "MaxSessionDuration",
                cx.seconds(f, "max_session").map(Expr::Int),
            );
        if let Some(Value::List { items, .. }) = field(f, "managed_policies") {
            let mut arns = Vec::new();
            for i in items {
                arns.push(match i {
                    Value::Call { args, .. } => match args.first() {
                        Some(Value::Str { text, .. }) => {
                            Expr::sub(format!("arn:${{AWS::Partition}}:iam::aws:policy/{text}"))
                        }
                        _ => continue,
                    },
                    other => cx.expr(other)?,
                });
            }
            r = r.prop("ManagedPolicyArns", Expr::List(arns));
        }
        let mut statements = cx.statements(f, "allow")?;
        statements.extend(cx.statements(f, "deny")?);
        if !statements.is_empty() {
            r = r.prop(
                "Policies",
                Expr::list([Expr::map([
                    ("PolicyName", Expr::str(format!("{id}Policy"))),
                    ("PolicyDocument", policy::document(statements)),
                ])]),
            );
        }
        cx.add(id, r);
        Ok(())
    }
}
