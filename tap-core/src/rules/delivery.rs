//! Destinations an AWS service delivers to (a rule's targets, a bucket's
//! notifications, a topic's subscriptions): tap writes the policy that lets
//! the service deliver, so the destination must be one whose policy it
//! writes, and one the service can encrypt for.

use crate::base::diag::{Diagnostic, Diagnostics};
use crate::base::ir::*;
use crate::model::resolve::{Scope, Target};

/// Every finding about one destination of `service` (`EventBridge`, `S3`, `SNS`).
pub fn check(dest: &Value, service: &str, scope: &Scope, diags: &mut Diagnostics) {
    let Value::Path { segments } = dest else {
        return;
    };
    let shown = path_text(segments);
    let at = segments[0].loc;
    match scope.resolve(segments) {
        Ok(Target::Resource { decl, kind, .. }) if kind.name == "sqs::Queue" => {
            let fifo = is_fifo(&decl.fields) == Some(true);
            let deduplicated = matches!(
                field(&decl.fields, "content_based_deduplication"),
                Some(Value::Bool { value: true, .. })
            );
            if fifo && service == "EventBridge" && !deduplicated {
                diags.push(
                    Diagnostic::new(at, format!("EventBridge cannot send to queue `{shown}`: a FIFO queue takes EventBridge's events only with content-based deduplication, and without it each one is dropped"))
                        .help("add `content_based_deduplication: true` to the queue"),
                );
            }
            if fifo && service != "EventBridge" {
                diags.push(
                    Diagnostic::new(at, format!("{service} cannot send to queue `{shown}`: it is a FIFO queue, and {service} delivers only to standard queues"))
                        .help("deliver to a standard queue, or route the events through EventBridge, which sends to FIFO queues"),
                );
            }
            if matches!(field(&decl.fields, "encryption"), Some(Value::Path { segments }) if segments[0].text == "KmsManaged")
            {
                diags.push(
                    Diagnostic::new(at, format!(
                        "{service} cannot send to queue `{shown}`: it is encrypted with the AWS managed key `alias/aws/sqs`, whose key policy does not let {service} use it, so every message would be lost"
                    ))
                    .help("use `encryption: SqsManaged` (the default) on the queue"),
                );
            }
        }
        Ok(Target::Param {
            kind: Some(kind), ..
        }) if matches!(kind.cfn_type, "AWS::SQS::Queue" | "AWS::SNS::Topic") => {
            diags.push(
                Diagnostic::new(at, format!(
                    "{service} can deliver to `{shown}` only if its resource policy lets it, and that policy belongs to the stack that owns it"
                ))
                .help("declare the destination in this stack, or wire the delivery in the stack that owns it"),
            );
        }
        _ => {}
    }
}

/// Whether a queue is FIFO, when it is known at compile time.
pub fn is_fifo(fields: &[Field]) -> Option<bool> {
    match field(fields, "fifo") {
        None => Some(false),
        Some(Value::Bool { value, .. }) => Some(*value),
        Some(_) => None,
    }
}
