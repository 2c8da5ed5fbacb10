//! `events::Rule` → `AWS::Events::Rule`: an EventBridge rule on the default
//! bus, on a schedule or an event pattern, with the permission or resource
//! policy each target needs to be reached.

use super::curated::Curated;
use crate::base::diag::{Diagnostic, Diagnostics};
use crate::base::ir::*;
use crate::base::template::{Expr, Resource};
use crate::lower::delivery::{allow_delivery, destination_type, Source};
use crate::lower::policy::allow;
use crate::lower::shared::service_role;
use crate::lower::{err, Ctx, Result};
use crate::model::kind::*;
use crate::model::resolve::{Scope, Target};
use crate::rules::delivery::{self, is_fifo};
use crate::rules::{patterns, schedule};

/// EventBridge's quota of targets per rule.
const MAX_TARGETS: usize = 5;

pub const KIND: Kind = Kind {
    name: "events::Rule",
    cfn_type: "AWS::Events::Rule",
    doc: "An EventBridge rule on the default event bus: on a `schedule` or an event `pattern`, invoking its targets. Each target gets what lets EventBridge reach it, for this rule only: a function a permission, a queue or topic a policy statement, a pipeline a role that may start it.",
    props: &[
        prop("name", Ty::Str, "The rule name."),
        prop("description", Ty::Str, "The rule's description."),
        prop("schedule", Ty::Str, "When the rule runs (with a `pattern` too, it also runs on each matching event): `rate(5 minutes)`, `rate(1 day)` or `cron(0 3 * * ? *)` (minutes hours day-of-month month day-of-week year, in UTC); checked as EventBridge parses it."),
        prop("pattern", Ty::Json, "The events the rule matches: `{ source: [\"aws.s3\"], \"detail-type\": [\"Object Created\"] }`; every value to match is in a list."),
        req("targets", Ty::List(&Ty::Ref(&["lambda::Function", "lambda::Alias", "sqs::Queue", "sns::Topic", "codepipeline::Pipeline"])), "What the rule invokes (at most 5). A FIFO queue gets the rule's events in one message group, named after the rule."),
        prop("input", Ty::Json, "A constant event each target receives instead of the matched one."),
        dflt("enabled", Ty::Bool, Dflt::Bool(true), "Whether the rule runs."),
    ],
    attrs: &[
        attr("name", AttrValue::Ref, "The rule name."),
        arn("arn", AttrValue::GetAtt("Arn"), "events", "rule-on-default-event-bus", "The rule's ARN."),
    ],
    arn_attr: "arn",
    phase: 0,
    from_ref: None,
    key_markers: None,
};

/// `events_rule`'s own checks and lowering, for the drivers.
pub struct EventsRule;

impl Curated for EventsRule {
    fn kind(&self) -> &'static Kind {
        &KIND
    }

    /// A schedule or a pattern (or both) EventBridge accepts, at most
    /// five targets, each one EventBridge can deliver to.
    fn check(&self, decl: &ResourceDecl, scope: &Scope, diags: &mut Diagnostics) {
        let f = &decl.fields;
        // Both are allowed: the rule then runs on the schedule and on each matching event.
        if field(f, "schedule").is_none() && field(f, "pattern").is_none() {
            diags.push(
                Diagnostic::new(
                    decl.name.loc,
                    "a rule runs on a `schedule` or matches a `pattern`, and this one has neither",
                )
                .help("add `schedule: \"rate(1 hour)\"` or `pattern: { source: [\"aws.s3\"] }`"),
            );
        }
        if let Some(Value::Str { text, loc }) = field(f, "schedule") {
            if let Some(problem) = schedule::problem(text) {
                diags.push(Diagnostic::new(*loc, problem).help(
                    "`rate(5 minutes)`, `rate(1 day)`, `cron(0 3 * * ? *)` (3:00 UTC every day)",
                ));
            }
        }
        if let Some(p) = field(f, "pattern") {
            patterns::check(p, "EventBridge", true, diags);
        }
        if let Some(input) = field(f, "input") {
            patterns::literal(input, "a rule's `input`", diags);
        }
        if let Some(Value::List { items, loc }) = field(f, "targets") {
            if items.is_empty() {
                diags.error(*loc, "a rule invokes at least one target");
            }
            if items.len() > MAX_TARGETS {
                diags.error(
                    *loc,
                    format!(
                        "a rule has at most {MAX_TARGETS} targets, and this one has {}",
                        items.len()
                    ),
                );
            }
            for t in items {
                delivery::check(t, "EventBridge", scope, diags);
            }
        }
    }

    fn lower(&self, cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
        let f = &d.fields;
        let source = Source {
            service: "events.amazonaws.com",
            arn: Expr::get_att(id, "Arn"),
            pin_account: false,
        };
        let input = match field(f, "input") {
            // EventBridge takes the constant input as a JSON string.
            Some(v) => Some(Expr::Str(cx.expr(v)?.to_json().to_string())),
            None => None,
        };
        let mut targets = Vec::new();
        let mut pipelines = Vec::new();
        let Some(Value::List { items, .. }) = field(f, "targets") else {
            return err(d.name.loc, "a rule needs `targets`");
        };
        for (i, t) in items.iter().enumerate() {
            let name = cx.local_id(t).unwrap_or_else(|| format!("Target{}", i + 1));
            let is_pipeline = destination_type(cx, t) == Some("AWS::CodePipeline::Pipeline");
            let fifo = matches!(t, Value::Path { segments } if matches!(
                cx.scope.resolve(segments),
                Ok(Target::Resource { decl, .. }) if is_fifo(&decl.fields) == Some(true)
            ));
            let arn = allow_delivery(cx, t, &source, &format!("{id}{name}"))?;
            let mut target = vec![("Arn", arn.clone()), ("Id", Expr::str(name))];
            if is_pipeline {
                pipelines.push(arn);
                target.push(("RoleArn", Expr::get_att(&format!("{id}EventsRole"), "Arn")));
            }
            if fifo {
                // A FIFO queue takes a message group: this rule's events keep their order in one.
                target.push((
                    "SqsParameters",
                    Expr::map([("MessageGroupId", Expr::str(id))]),
                ));
            }
            if let Some(input) = &input {
                target.push(("Input", input.clone()));
            }
            targets.push(Expr::map(target));
        }
        if !pipelines.is_empty() {
            // EventBridge starts a pipeline as a role, not through a resource policy.
            let role = format!("{id}EventsRole");
            service_role(cx, &role, "events.amazonaws.com", &[]);
            cx.grant(
                &role,
                allow(&["codepipeline:StartPipelineExecution"], pipelines),
            );
        }
        let state = if cx.flag(KIND.props, f, "enabled") {
            "ENABLED"
        } else {
            "DISABLED"
        };
        let r = Resource::new("AWS::Events::Rule")
            .opt("Name", cx.opt(f, "name")?)
            .opt("Description", cx.opt(f, "description")?)
            .opt("ScheduleExpression", cx.opt(f, "schedule")?)
            .opt("EventPattern", cx.opt(f, "pattern")?)
            .prop("State", Expr::str(state))
            .prop("Targets", Expr::List(targets));
        cx.add(id, r);
        Ok(())
    }
}
