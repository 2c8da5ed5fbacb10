//! `iam::Role` → `AWS::IAM::Role`: an IAM role with an inline least-privilege policy.

use super::*;
use crate::ir::*;
use crate::synth::policy::{self, trust};
use crate::synth::{err, Ctx, Result};
use crate::template::{Expr, Resource};

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
    lower,
    phase: 0,
};

pub(crate) fn lower(cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
    let f = &d.fields;
    let principal = match field(f, "assumed_by") {
        Some(p) => cx.principal(p)?,
        None => return err(d.name.loc, "a role needs `assumed_by`"),
    };
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
