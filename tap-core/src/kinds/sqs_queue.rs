//! `sqs::Queue` → `AWS::SQS::Queue`: an SQS queue.

use super::curated::Curated;
use crate::base::ir::*;
use crate::base::template::{Expr, Resource};
use crate::lower::policy::deny_insecure_transport;
use crate::lower::shared::*;
use crate::lower::{err, Ctx, Result};
use crate::model::kind::*;

pub const KIND: Kind = Kind {
    name: "sqs::Queue",
    cfn_type: "AWS::SQS::Queue",
    doc: "An SQS queue. Encrypted, and a queue policy denies requests without TLS.",
    props: &[
        prop("name", Ty::Str, "The queue name."),
        dflt(
            "retention",
            Ty::Duration {
                min: 60,
                max: 14 * DAY,
            },
            Dflt::Secs(345600),
            "How long messages are kept (60 s to 14 days).",
        ),
        dflt(
            "visibility_timeout",
            Ty::Duration {
                min: 0,
                max: 12 * 3600,
            },
            Dflt::Secs(30),
            "How long a received message stays hidden.",
        ),
        dflt(
            "encryption",
            Ty::Enum(&[("SqsManaged", "SqsManaged"), ("KmsManaged", "KmsManaged")]),
            Dflt::Variant("SqsManaged"),
            "SSE-SQS, or SSE-KMS with the AWS managed key `alias/aws/sqs`.",
        ),
        dflt(
            "removal",
            REMOVAL,
            Dflt::Variant("Destroy"),
            "What CloudFormation does with the queue when it leaves the stack.",
        ),
    ],
    attrs: &[
        attr("url", AttrValue::Ref, "The queue URL."),
        arn(
            "arn",
            AttrValue::GetAtt("Arn"),
            "sqs",
            "queue",
            "The queue's ARN.",
        ),
        attr("name", AttrValue::GetAtt("QueueName"), "The queue name."),
    ],
    arn_attr: "arn",
    phase: 0,
    from_ref: None,
    key_markers: None,
};

/// `sqs_queue`'s own checks and lowering, for the drivers.
pub struct SqsQueue;

impl Curated for SqsQueue {
    fn kind(&self) -> &'static Kind {
        &KIND
    }

    fn lower(&self, cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
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
        r = match cx.variant(KIND.props, f, "encryption")? {
            Some("KmsManaged") => r.prop("KmsMasterKeyId", Expr::str("alias/aws/sqs")),
            Some("SqsManaged") => r.prop("SqsManagedSseEnabled", Expr::Bool(true)),
            other => return err(d.name.loc, format!("internal: queue encryption {other:?}")),
        };
        cx.add(id, r.removal(removal(cx, KIND.props, f)?));
        cx.resource_policy(
            id,
            deny_insecure_transport("sqs:*", vec![Expr::get_att(id, "Arn")]),
        );
        Ok(())
    }
}
