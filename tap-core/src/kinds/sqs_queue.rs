//! `sqs::Queue` → `AWS::SQS::Queue`: an SQS queue.

use super::curated::Curated;
use crate::base::diag::{Diagnostic, Diagnostics};
use crate::base::ir::*;
use crate::base::naming::display_name;
use crate::base::template::{Expr, Resource};
use crate::lower::policy::deny_insecure_transport;
use crate::lower::shared::*;
use crate::lower::{err, Ctx, Result};
use crate::model::kind::*;
use crate::model::resolve::{Scope, Target};
use crate::rules::delivery::is_fifo;

pub const KIND: Kind = Kind {
    name: "sqs::Queue",
    cfn_type: "AWS::SQS::Queue",
    doc: "An SQS queue. Encrypted, and a queue policy denies requests without TLS. A redrive's dead-letter queue is of the same type (FIFO or standard), and a standard queue's keeps messages at least as long as the queue.",
    props: &[
        prop("name", Ty::Str, "The queue name (a FIFO queue's ends in `.fifo`)."),
        dflt("fifo", Ty::Bool, Dflt::Bool(false), "A FIFO queue: ordered, exactly-once processing."),
        dflt("content_based_deduplication", Ty::Bool, Dflt::Bool(false), "A FIFO queue deduplicates by a hash of the body (no deduplication ID needed)."),
        prop("dead_letter", Ty::Object(REDRIVE), "Move a message that was received `max_receives` times without being deleted to this dead-letter queue (the queue's redrive policy)."),
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

const REDRIVE: &[Prop] = &[
    req("queue", Ty::Ref(&["sqs::Queue"]), "The dead-letter queue."),
    req(
        "max_receives",
        Ty::Int { min: 1, max: 1000 },
        "Receives before a message moves to the dead-letter queue.",
    ),
];

/// `sqs_queue`'s own checks and lowering, for the drivers.
pub struct SqsQueue;

impl Curated for SqsQueue {
    fn kind(&self) -> &'static Kind {
        &KIND
    }

    /// A FIFO queue's name ends in `.fifo` (and only a FIFO queue's), content
    /// deduplication is FIFO's, and a redrive's dead-letter queue is of the
    /// same type and, for a standard queue, keeps messages at least as long:
    /// SQS keeps a moved message's original enqueue time, so a shorter
    /// retention there deletes it before anyone can look.
    fn check(&self, decl: &ResourceDecl, scope: &Scope, diags: &mut Diagnostics) {
        let f = &decl.fields;
        let fifo = is_fifo(f);
        if let (Some(Value::Str { text, loc }), Some(fifo)) = (field(f, "name"), fifo) {
            if !text.contains("${") && text.ends_with(".fifo") != fifo {
                let (problem, help) = if fifo {
                    (
                        "a FIFO queue's name ends in `.fifo`",
                        format!("name it `{text}.fifo`"),
                    )
                } else {
                    (
                        "only a FIFO queue's name ends in `.fifo`",
                        "add `fifo: true`, or drop the suffix".to_string(),
                    )
                };
                diags.push(Diagnostic::new(*loc, problem).help(help));
            }
        }
        if let (Some(Value::Bool { value: true, loc }), Some(false)) =
            (field(f, "content_based_deduplication"), fifo)
        {
            diags.push(
                Diagnostic::new(*loc, "content-based deduplication is for FIFO queues")
                    .help("add `fifo: true`, or remove it"),
            );
        }
        let Some(Value::Object {
            fields: redrive, ..
        }) = field(f, "dead_letter")
        else {
            return;
        };
        let Some(Value::Path { segments }) = field(redrive, "queue") else {
            return;
        };
        let Ok(Target::Resource {
            decl: dlq,
            kind,
            attr: None,
        }) = scope.resolve(segments)
        else {
            return;
        };
        let at = segments[0].loc;
        let dlq_name = path_text(segments);
        let name = display_name(&decl.name.text);
        if kind.name != KIND.name {
            return; // a raw queue: its properties are CloudFormation's
        }
        if dlq.name.text == decl.name.text {
            diags.push(
                Diagnostic::new(at, format!("queue `{name}` is its own dead-letter queue"))
                    .help("declare a second queue for the messages that fail"),
            );
            return;
        }
        if let (Some(a), Some(b)) = (fifo, is_fifo(&dlq.fields)) {
            if a != b {
                let (this, that) = if a {
                    ("FIFO", "standard")
                } else {
                    ("standard", "FIFO")
                };
                diags.push(
                    Diagnostic::new(at, format!("queue `{name}` is {this}, but its dead-letter queue `{dlq_name}` is {that}: SQS refuses the redrive policy"))
                        .help(format!("a {this} queue's dead-letter queue is {this} too")),
                );
            }
        }
        // A FIFO queue's message starts a new retention period in its
        // dead-letter queue; a standard queue's keeps its enqueue time.
        let retention = |fields| seconds_or_default(KIND.props, fields, "retention");
        let standard = fifo == Some(false);
        if let (true, Some(source), Some(dead)) = (standard, retention(f), retention(&dlq.fields)) {
            if dead < source {
                diags.push(
                    Diagnostic::new(at, format!(
                        "dead-letter queue `{dlq_name}` keeps messages {}, less than queue `{name}` ({}): a message that moves there keeps its original enqueue time and can expire before anyone inspects it",
                        duration_text(dead as u64),
                        duration_text(source as u64),
                    ))
                    .help(format!("give `{dlq_name}` a longer `retention` (`retention: days(14)`, the most SQS keeps)")),
                );
            }
        }
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
        if cx.flag(KIND.props, f, "fifo") {
            r = r.prop("FifoQueue", Expr::Bool(true));
            if cx.flag(KIND.props, f, "content_based_deduplication") {
                r = r.prop("ContentBasedDeduplication", Expr::Bool(true));
            }
        }
        if let Some(Value::Object {
            fields: redrive, ..
        }) = field(f, "dead_letter")
        {
            let queue = match field(redrive, "queue") {
                Some(Value::Path { segments }) => cx.path(segments, Some("arn"))?,
                Some(other) => cx.expr(other)?,
                None => return err(d.name.loc, "a dead-letter queue needs `queue`"),
            };
            let max = match field(redrive, "max_receives") {
                Some(v) => cx.expr(v)?,
                None => return err(d.name.loc, "a dead-letter queue needs `max_receives`"),
            };
            r = r.prop(
                "RedrivePolicy",
                Expr::map([("deadLetterTargetArn", queue), ("maxReceiveCount", max)]),
            );
        }
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
