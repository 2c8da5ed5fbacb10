//! A function's `events`: the queues and streams Lambda polls for it, each an
//! `AWS::Lambda::EventSourceMapping`. What the CDK's `aws-lambda-event-sources`
//! generates, and what `CreateEventSourceMapping` refuses, checked before it
//! is called: the role's polling grants, the queue's visibility timeout
//! against the function's timeout, a table without a stream, batching that
//! FIFO queues do not do.

use crate::base::diag::{Diagnostic, Diagnostics};
use crate::base::ir::*;
use crate::base::naming::display_name;
use crate::base::template::{Expr, Resource};
use crate::lower::{err, Ctx, Result};
use crate::model::kind::*;
use crate::model::pollers::{self, Grant};
use crate::model::resolve::{Scope, Target};
use crate::rules::delivery::is_fifo;
use crate::rules::iam::role_allows;
use crate::rules::patterns;

pub const SOURCES: &[(&str, &[Prop])] =
    &[("sqs", SQS), ("dynamodb", DYNAMODB), ("kinesis", KINESIS)];

const SQS: &[Prop] = &[
    req("queue", Ty::Ref(&["sqs::Queue"]), "The queue Lambda receives from."),
    dflt("batch_size", Ty::Int { min: 1, max: 10_000 }, Dflt::Int(10), "Messages per invocation (more than 10 needs a `batching_window`; at most 10 from a FIFO queue)."),
    prop("batching_window", Ty::Duration { min: 0, max: 300 }, "How long Lambda gathers messages before it invokes (not for FIFO queues)."),
    dflt("report_failures", Ty::Bool, Dflt::Bool(false), "The function returns the messages that failed (`batchItemFailures`), and only those return to the queue."),
    prop("filters", Ty::List(&Ty::Json), "Event filter patterns: only matching messages invoke the function (the others are deleted)."),
    prop("max_concurrency", Ty::Int { min: 2, max: 1000 }, "At most this many concurrent invocations for this queue."),
    ENABLED,
];

const DYNAMODB: &[Prop] = &[
    req(
        "table",
        Ty::Ref(&["dynamodb::Table"]),
        "The table whose stream Lambda reads (it needs `stream`).",
    ),
    STARTING,
    STREAM_BATCH,
    STREAM_WINDOW,
    STREAM_REPORT,
    STREAM_FILTERS,
    RETRIES,
    ON_FAILURE,
    BISECT,
    ENABLED,
];

const KINESIS: &[Prop] = &[
    req(
        "stream",
        Ty::Ref(&["cfn::Kinesis::Stream"]),
        "The Kinesis data stream Lambda reads.",
    ),
    STARTING,
    STREAM_BATCH,
    STREAM_WINDOW,
    STREAM_REPORT,
    STREAM_FILTERS,
    RETRIES,
    ON_FAILURE,
    BISECT,
    ENABLED,
];

// What a stream source (DynamoDB, Kinesis) takes besides the stream.
const STARTING: Prop = dflt(
    "starting_position",
    STARTING_POSITION,
    Dflt::Variant("Latest"),
    "Where a new mapping starts reading.",
);
const STREAM_BATCH: Prop = dflt(
    "batch_size",
    Ty::Int {
        min: 1,
        max: 10_000,
    },
    Dflt::Int(100),
    "Records per invocation.",
);
const STREAM_WINDOW: Prop = prop(
    "batching_window",
    Ty::Duration { min: 0, max: 300 },
    "How long Lambda gathers records before it invokes.",
);
const STREAM_REPORT: Prop = dflt(
    "report_failures",
    Ty::Bool,
    Dflt::Bool(false),
    "The function returns the first record that failed, and the batch is retried from there.",
);
const STREAM_FILTERS: Prop = prop("filters", Ty::List(&Ty::Json), "Event filter patterns.");
const RETRIES: Prop = prop(
    "retries",
    Ty::Int {
        min: -1,
        max: 10_000,
    },
    "Retries of a failed batch (-1: until the record expires).",
);
const ON_FAILURE: Prop = prop("on_failure", Ty::Ref(&["sqs::Queue", "sns::Topic"]), "Where the records of a batch that kept failing are described (the role needs `sqs:SendMessage` or `sns:Publish` on it).");
const BISECT: Prop = prop(
    "bisect_on_error",
    Ty::Bool,
    "Split a failing batch in two and retry each half.",
);
const ENABLED: Prop = dflt(
    "enabled",
    Ty::Bool,
    Dflt::Bool(true),
    "Whether Lambda polls.",
);

const STARTING_POSITION: Ty = Ty::Enum(&[("Latest", "LATEST"), ("TrimHorizon", "TRIM_HORIZON")]);

/// The source of one `events` item: its tag, the reference and the resource
/// it names (when it is in this stack).
pub struct Source<'a> {
    pub tag: &'a Name,
    pub fields: &'a [Field],
    pub segments: &'a [Name],
    pub target: Option<(&'a ResourceDecl, &'static Kind)>,
}

/// The `events` of a function, resolved.
pub fn sources<'a>(function: &'a ResourceDecl, scope: &Scope<'a>) -> Vec<Source<'a>> {
    let Some(Value::List { items, .. }) = field(&function.fields, "events") else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            let Value::Object {
                tag: Some(tag),
                fields,
                ..
            } = item
            else {
                return None;
            };
            let Some(Value::Path { segments }) =
                pollers::source_key(&tag.text).and_then(|k| field(fields, k))
            else {
                return None;
            };
            let target = match scope.resolve(segments) {
                Ok(Target::Resource {
                    decl,
                    kind,
                    attr: None,
                }) => Some((decl, kind)),
                _ => None,
            };
            Some(Source {
                tag,
                fields,
                segments,
                target,
            })
        })
        .collect()
}

/// Every finding about a function's event sources; `role` is its role when
/// the stack declares it.
pub fn check(
    function: &ResourceDecl,
    function_kind: &Kind,
    role: Option<&ResourceDecl>,
    scope: &Scope,
    diags: &mut Diagnostics,
) {
    let fname = display_name(&function.name.text);
    for s in sources(function, scope) {
        if let Some(Value::List { items, .. }) = field(s.fields, "filters") {
            for f in items {
                patterns::check(f, "Lambda", true, diags);
                patterns::literal(f, "an event filter", diags);
            }
        }
        let at = s.segments[0].loc;
        let shown = path_text(s.segments);
        if let Some((decl, kind)) = s.target {
            if let Some(role) = role {
                polling_granted(&s, decl, kind, &fname, role, scope, diags);
            }
            match s.tag.text.as_str() {
                "sqs" => queue(&s, decl, kind, function, function_kind, diags),
                "dynamodb"
                    if field(&decl.fields, "stream").is_none()
                        && kind.name == "dynamodb::Table" =>
                {
                    diags.push(
                        Diagnostic::new(at, format!("table `{shown}` has no stream for function `{fname}` to read"))
                            .help("add `stream: NewAndOldImages` (or `NewImage`, `OldImage`, `KeysOnly`) to the table"),
                    );
                }
                _ => {}
            }
        }
        if let (Some(role), Some(Value::Path { segments })) = (role, field(s.fields, "on_failure"))
        {
            if let Ok(Target::Resource { decl, kind, .. }) = scope.resolve(segments) {
                let action = if kind.cfn_type == "AWS::SNS::Topic" {
                    "sns:Publish"
                } else {
                    "sqs:SendMessage"
                };
                if !role_allows(role, scope, action, &decl.name.text, &[]) {
                    let d = path_text(segments);
                    diags.push(
                        Diagnostic::new(segments[0].loc, format!("function `{fname}` describes failed batches to `{d}`, but its role does not allow `{action}` on it"))
                            .help(format!("add `{action} on {d}` to the role's `allow`")),
                    );
                }
            }
        }
        // A window given as a parameter is not known: no finding.
        let window = match field(s.fields, "batching_window") {
            None => Some(0),
            Some(w) => literal_seconds(w),
        };
        let fifo = s
            .target
            .is_some_and(|(q, _)| is_fifo(&q.fields) == Some(true));
        if let Some(Value::Int { value, loc }) = field(s.fields, "batch_size") {
            if s.tag.text == "sqs" && !fifo && *value > 10 && window == Some(0) {
                diags.push(
                    Diagnostic::new(*loc, "Lambda takes more than 10 messages per batch from a queue only with a batching window")
                        .help("add `batching_window: seconds(1)` (or longer), or a `batch_size` of 10 at most"),
                );
            }
        }
    }
}

/// The role grants what Lambda's poller calls on the source.
fn polling_granted(
    s: &Source,
    source: &ResourceDecl,
    kind: &Kind,
    fname: &str,
    role: &ResourceDecl,
    scope: &Scope,
    diags: &mut Diagnostics,
) {
    let Some(poller) = pollers::poller(kind.cfn_type) else {
        return;
    };
    // What a managed policy grants is not in the stack (AWS's own
    // `AWSLambdaSQSQueueExecutionRole` grants exactly this): the user's call.
    if field(&role.fields, "managed_policies").is_some() {
        return;
    }
    let shown = path_text(s.segments);
    let attr = if kind.attr(poller.attr).is_some() {
        poller.attr
    } else {
        kind.arn_attr
    };
    let missing: Vec<(&str, Grant)> = poller
        .actions
        .iter()
        .copied()
        .filter(|(a, grant)| match grant {
            Grant::Source => !role_allows(role, scope, a, &source.name.text, &[attr]),
            Grant::Any => !role_allows(role, scope, a, "", &[]),
            Grant::Optional => false,
        })
        .collect();
    if missing.is_empty() {
        return;
    }
    let target = if attr == kind.arn_attr {
        shown.clone()
    } else {
        format!("{shown}.{attr}")
    };
    let named = |g: Grant| -> Vec<&str> {
        missing
            .iter()
            .filter(|(_, x)| *x == g)
            .map(|(a, _)| *a)
            .collect()
    };
    let mut fix = Vec::new();
    match named(Grant::Source).as_slice() {
        [] => {}
        [one] => fix.push(format!("`{one} on {target}`")),
        many => fix.push(format!("`[{}] on {target}`", many.join(", "))),
    }
    for a in named(Grant::Any) {
        fix.push(format!(
            "`{a} on * because \"it has no resource-level permissions\"`"
        ));
    }
    diags.push(
        Diagnostic::new(
            s.segments[0].loc,
            format!(
                "Lambda polls `{shown}` for function `{fname}` as role `{}`, which lacks {}",
                display_name(&role.name.text),
                missing
                    .iter()
                    .map(|(a, _)| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        )
        .help(format!("add {} to the role's `allow`", fix.join(" and "))),
    );
}

/// A queue source: its visibility timeout covers the function's timeout,
/// and a FIFO queue takes no batching window and at most 10 messages.
fn queue(
    s: &Source,
    queue: &ResourceDecl,
    kind: &Kind,
    function: &ResourceDecl,
    function_kind: &Kind,
    diags: &mut Diagnostics,
) {
    let at = s.segments[0].loc;
    let shown = path_text(s.segments);
    let fname = display_name(&function.name.text);
    if kind.name != "sqs::Queue" {
        return;
    }
    if let (Some(visible), Some(timeout)) = (
        seconds_or_default(kind.props, &queue.fields, "visibility_timeout"),
        seconds_or_default(function_kind.props, &function.fields, "timeout"),
    ) {
        if visible < timeout {
            diags.push(
                Diagnostic::new(at, format!(
                    "queue `{shown}` hides a received message for {}, less than function `{fname}`'s timeout ({}): Lambda refuses the event source, as another poller could receive a message still being processed",
                    duration_text(visible as u64),
                    duration_text(timeout as u64),
                ))
                .help(format!("give `{shown}` a `visibility_timeout` of at least {} (AWS suggests six times the function's timeout)", duration_text(timeout as u64))),
            );
        }
    }
    if matches!(
        field(&queue.fields, "fifo"),
        Some(Value::Bool { value: true, .. })
    ) {
        if let Some(w) = field(s.fields, "batching_window") {
            diags.push(
                Diagnostic::new(w.loc(), format!("queue `{shown}` is FIFO, and Lambda takes no batching window from a FIFO queue"))
                    .help("remove `batching_window`"),
            );
        }
        if let Some(Value::Int { value, loc }) = field(s.fields, "batch_size") {
            if *value > 10 {
                diags.push(
                    Diagnostic::new(*loc, format!("queue `{shown}` is FIFO, and Lambda takes at most 10 messages per batch from a FIFO queue"))
                        .help("`batch_size: 10`"),
                );
            }
        }
    }
}

/// The `AWS::Lambda::EventSourceMapping` of each of the function's `events`.
pub fn lower(cx: &mut Ctx, id: &str, function: &ResourceDecl) -> Result<()> {
    let Some(Value::List { items, .. }) = field(&function.fields, "events") else {
        return Ok(());
    };
    for (i, item) in items.iter().enumerate() {
        let Value::Object {
            tag: Some(tag),
            fields: f,
            ..
        } = item
        else {
            continue;
        };
        let Some((_, props)) = SOURCES.iter().find(|(t, _)| *t == tag.text) else {
            return err(tag.loc, format!("`{}` is not an event source", tag.text));
        };
        let key = pollers::source_key(&tag.text).unwrap_or("queue");
        let Some(source) = field(f, key) else {
            return err(tag.loc, format!("an event source needs `{key}`"));
        };
        let arn = match source {
            Value::Path { segments } => {
                let attr = match cx.scope.resolve(segments) {
                    Ok(Target::Resource { kind, .. }) => pollers::poller(kind.cfn_type)
                        .map(|p| p.attr)
                        .filter(|a| kind.attr(a).is_some())
                        .unwrap_or(kind.arn_attr),
                    _ => "arn",
                };
                cx.path(segments, Some(attr))?
            }
            other => cx.expr(other)?,
        };
        let mut r = Resource::new("AWS::Lambda::EventSourceMapping")
            .prop("FunctionName", Expr::reference(id))
            .prop("EventSourceArn", arn)
            .prop(
                "BatchSize",
                Expr::Int(cx.number_of(props, f, "batch_size")?),
            )
            .prop("Enabled", Expr::Bool(cx.flag(props, f, "enabled")))
            .opt(
                "MaximumBatchingWindowInSeconds",
                cx.seconds(f, "batching_window").map(Expr::Int),
            );
        if props.iter().any(|p| p.name == "starting_position") {
            r = r.prop(
                "StartingPosition",
                Expr::str(cx.chosen(props, f, "starting_position")?),
            );
        }
        if cx.flag(props, f, "report_failures") {
            r = r.prop(
                "FunctionResponseTypes",
                Expr::list([Expr::str("ReportBatchItemFailures")]),
            );
        }
        if let Some(Value::List {
            items: patterns, ..
        }) = field(f, "filters")
        {
            let mut filters = Vec::new();
            for p in patterns {
                // Lambda takes each pattern as a JSON string.
                let json = cx.expr(p)?.to_json();
                filters.push(Expr::map([("Pattern", Expr::Str(json.to_string()))]));
            }
            r = r.prop(
                "FilterCriteria",
                Expr::map([("Filters", Expr::List(filters))]),
            );
        }
        if let Some(n) = field(f, "max_concurrency") {
            r = r.prop(
                "ScalingConfig",
                Expr::map([("MaximumConcurrency", cx.expr(n)?)]),
            );
        }
        r = r
            .opt("MaximumRetryAttempts", cx.opt(f, "retries")?)
            .opt("BisectBatchOnFunctionError", cx.opt(f, "bisect_on_error")?);
        if let Some(Value::Path { segments }) = field(f, "on_failure") {
            r = r.prop(
                "DestinationConfig",
                Expr::map([(
                    "OnFailure",
                    Expr::map([("Destination", cx.path(segments, Some("arn"))?)]),
                )]),
            );
        }
        let name = cx
            .local_id(source)
            .unwrap_or_else(|| format!("EventSource{}", i + 1));
        let mapping = format!("{id}{name}Source");
        // Lambda checks the role's grants when the mapping is created.
        if let Some(role) = field(&function.fields, "role").and_then(|r| cx.local_id(r)) {
            cx.waits_for_grants.push((mapping.clone(), role));
        }
        cx.add(mapping, r);
    }
    Ok(())
}
