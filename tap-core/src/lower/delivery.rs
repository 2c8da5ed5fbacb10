//! Letting an AWS service deliver to a destination of the stack: what the
//! CDK's `aws-events-targets`, `s3-notifications` and `sns-subscriptions`
//! add beside the wiring. A function gets an `AWS::Lambda::Permission`; a
//! queue or topic a statement in its resource policy; an encrypted topic's
//! key a statement that lets the service use it. Each is scoped to the one
//! source that delivers (`aws:SourceArn`) in this account.

use super::policy::{self, allow, with};
use super::{Ctx, Result};
use crate::base::ir::*;
use crate::base::template::{Expr, Resource};
use crate::lower::shared::topic_key;
use crate::model::resolve::Target;

/// Who delivers: the service principal, and the source's ARN.
pub struct Source<'s> {
    pub service: &'s str,
    pub arn: Expr,
    /// Whether to pin the source's account too: a bucket's ARN names none,
    /// so another account's bucket of the same name would otherwise match.
    pub pin_account: bool,
}

/// A delivery from `source` to `dest`; `companion` names a permission
/// resource (`<companion>Permission`). Returns the destination's ARN.
pub fn allow_delivery(
    cx: &mut Ctx,
    dest: &Value,
    source: &Source,
    companion: &str,
) -> Result<Expr> {
    let service = source.service;
    let Value::Path { segments } = dest else {
        return cx.expr(dest);
    };
    let arn = cx.path(segments, Some("arn"))?;
    let Some(cfn_type) = destination_type(cx, dest) else {
        return Ok(arn);
    };
    // A queue or topic of another stack keeps its own policy (the checks
    // refuse it as a destination); a function of another stack can still
    // be given a permission here.
    let id = cx.local_id(dest).unwrap_or_default();
    let account = || Expr::reference("AWS::AccountId");
    let scoped = |s: Expr| {
        let s = with(s, "Principal", policy::service_principal(service));
        let mut condition = vec![(
            "ArnLike",
            Expr::map([("aws:SourceArn", source.arn.clone())]),
        )];
        if source.pin_account {
            condition.push((
                "StringEquals",
                Expr::map([("aws:SourceAccount", account())]),
            ));
        }
        with(s, "Condition", Expr::map(condition))
    };
    match cfn_type {
        // Another notification of the same bucket to the same function: one permission does.
        "AWS::Lambda::Function" | "AWS::Lambda::Alias"
            if cx
                .template
                .resources
                .contains_key(&format!("{companion}Permission")) => {}
        "AWS::Lambda::Function" | "AWS::Lambda::Alias" => {
            let permission = Resource::new("AWS::Lambda::Permission")
                .prop("Action", Expr::str("lambda:InvokeFunction"))
                .prop("FunctionName", arn.clone())
                .prop("Principal", Expr::str(service))
                .prop("SourceArn", source.arn.clone())
                .opt("SourceAccount", source.pin_account.then(account));
            cx.add(format!("{companion}Permission"), permission);
        }
        _ if id.is_empty() => {}
        "AWS::SQS::Queue" => {
            cx.resource_policy(&id, scoped(allow(&["sqs:SendMessage"], vec![arn.clone()])));
        }
        "AWS::SNS::Topic" => {
            cx.resource_policy(&id, scoped(allow(&["sns:Publish"], vec![arn.clone()])));
            // An encrypted topic: the service encrypts what it publishes with the key.
            if let Some(key) = topic_key(cx, dest) {
                let s = allow(
                    &["kms:Decrypt", "kms:GenerateDataKey*"],
                    vec![Expr::str("*")],
                );
                cx.resource_policy(
                    &key,
                    with(s, "Principal", policy::service_principal(service)),
                );
            }
        }
        _ => {}
    }
    Ok(arn)
}

/// The CloudFormation type of a destination, of this stack or passed in.
pub fn destination_type(cx: &Ctx, dest: &Value) -> Option<&'static str> {
    let Value::Path { segments } = dest else {
        return None;
    };
    match cx.scope.resolve(segments) {
        Ok(Target::Resource { kind, .. })
        | Ok(Target::Param {
            kind: Some(kind), ..
        }) => Some(kind.cfn_type),
        _ => None,
    }
}
