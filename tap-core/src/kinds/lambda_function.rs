//! `lambda::Function` → `AWS::Lambda::Function`: a Lambda function with a log group of its own.

use super::curated::Curated;
use super::lambda_event_source::{self, SOURCES};
use crate::base::diag::{Diagnostic, Diagnostics};
use crate::base::ir::*;
use crate::base::naming::display_name;
use crate::base::template::{Expr, RemovalPolicy, Resource};
use crate::lower::{err, Ctx, Result};
use crate::model::kind::*;
use crate::model::resolve::{Scope, Target};
use crate::rules::iam::role_allows;

pub const KIND: Kind = Kind {
    name: "lambda::Function",
    cfn_type: "AWS::Lambda::Function",
    doc: "A Lambda function with a log group of its own. Its role must be assumable by Lambda and grant what the configuration needs: writing its logs, X-Ray when traced, sending to its dead-letter queue, polling its event sources.",
    props: &[
        prop("name", Ty::Str, "The function name."),
        dflt("runtime", Ty::Enum(LAMBDA_RUNTIMES), Dflt::Variant("ProvidedAl2023"), "The runtime (`ProvidedAl2023` runs a Rust `bootstrap`)."),
        dflt("handler", Ty::Str, Dflt::Str("bootstrap"), "The handler."),
        req("code", Ty::Asset, "The code: `asset(\"path/to/crate\")`, relative to the crate that defines the stack."),
        req("role", Ty::Ref(&["iam::Role"]), "The execution role."),
        prop("environment", Ty::Map(&Ty::Str), "Environment variables."),
        dflt("memory", Ty::Int { min: 128, max: 10240 }, Dflt::Int(128), "Memory in MB (128 to 10240)."),
        dflt("timeout", Ty::Duration { min: 1, max: 900 }, Dflt::Secs(3), "Timeout (at most 900 s)."),
        prop("dead_letter_queue", Ty::Ref(&["sqs::Queue", "sns::Topic"]), "Where failed asynchronous invocations go."),
        prop("tracing", Ty::Enum(&[("Active", "Active"), ("PassThrough", "PassThrough")]), "X-Ray tracing."),
        dflt("log_retention", Ty::RetentionDays, Dflt::Secs(63158400), "Retention of the function's log group."),
        dflt("architecture", Ty::Enum(&[("X86_64", "x86_64"), ("Arm64", "arm64")]), Dflt::Variant("X86_64"), "Instruction set."),
        prop("reserved_concurrency", Ty::Int { min: 0, max: 1000 }, "Reserved concurrent executions."),
        prop("description", Ty::Str, "The function's description."),
        prop("events", Ty::List(&Ty::Tagged(SOURCES)), "Queues and streams Lambda polls for the function: `sqs { queue }`, `dynamodb { table }` (its stream), `kinesis { stream }`. The role must grant what Lambda calls on each; a queue hides a received message at least as long as the function may run."),
    ],
    attrs: &[
        attr("name", AttrValue::Ref, "The function name."),
        arn("arn", AttrValue::GetAtt("Arn"), "lambda", "function", "The function's ARN."),
        attr("errors", AttrValue::Metric("AWS/Lambda", "Errors", "FunctionName"), "The `Errors` metric."),
        attr("throttles", AttrValue::Metric("AWS/Lambda", "Throttles", "FunctionName"), "The `Throttles` metric."),
        attr("duration", AttrValue::Metric("AWS/Lambda", "Duration", "FunctionName"), "The `Duration` metric (ms)."),
        attr("invocations", AttrValue::Metric("AWS/Lambda", "Invocations", "FunctionName"), "The `Invocations` metric."),
        attr("log_group", AttrValue::Sub("${${Self}LogGroup}"), "The name of the function's log group."),
        arn("logs", AttrValue::Sub("${${Self}LogGroup.Arn}"), "logs", "log-group", "The ARN of the function's log group."),
        arn("log_streams", AttrValue::Sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${${Self}LogGroup}:log-stream:*"), "logs", "log-stream", "The ARN of every stream in the function's log group (for `logs:CreateLogStream`, `logs:PutLogEvents`)."),
    ],
    arn_attr: "arn",
    phase: 0,
    from_ref: None,
    key_markers: None,
};

/// `lambda_function`'s own checks and lowering, for the drivers.
pub struct LambdaFunction;

impl Curated for LambdaFunction {
    fn kind(&self) -> &'static Kind {
        &KIND
    }

    /// A function's role must be assumable by Lambda and grant what the function's
    /// own configuration needs: writing its logs, X-Ray when traced, and sending to
    /// its dead-letter queue, polling its event sources. (Grants the code needs
    /// are declared in the role.)
    fn check(&self, function: &ResourceDecl, scope: &Scope, diags: &mut Diagnostics) {
        // The role, when it is a role of this stack (the property check reports the rest).
        let role = match field(&function.fields, "role") {
            Some(Value::Path { segments }) => match scope.resolve(segments) {
                Ok(Target::Resource {
                    decl,
                    kind,
                    attr: None,
                }) if kind.name == "iam::Role" => Some((decl, segments)),
                _ => None,
            },
            _ => None,
        };
        lambda_event_source::check(function, &KIND, role.map(|(r, _)| r), scope, diags);
        let Some((role, role_path)) = role else {
            return;
        };
        let fname = display_name(&function.name.text);
        let rname = path_text(role_path);
        let role_loc = role_path.last().map_or(function.name.loc, |s| s.loc);

        // Lambda must be allowed to assume the role (a missing `assumed_by` is reported by the property check).
        let lambda_trusted = match field(&role.fields, "assumed_by") {
            Some(Value::Call { func, args }) if func.text == "service" => {
                matches!(args.as_slice(), [Value::Str { text, .. }] if text == "lambda.amazonaws.com")
            }
            Some(_) => false,
            None => true,
        };
        if !lambda_trusted {
            diags.push(
                Diagnostic::new(role_loc, format!("function `{fname}` runs as role `{rname}`, but Lambda may not assume that role"))
                    .help("the role needs `assumed_by: service(\"lambda.amazonaws.com\")`"),
            );
        }

        let fpath = function.name.text.as_str();
        let display = if fpath.contains('/') {
            fname.clone()
        } else {
            fpath.to_string()
        };
        for action in ["logs:CreateLogStream", "logs:PutLogEvents"] {
            if !role_allows(role, scope, action, fpath, &["log_streams"]) {
                diags.push(
                    Diagnostic::new(role_loc, format!("function `{fname}` cannot write its logs: role `{rname}` does not allow `{action}` on its log streams"))
                        .help(format!("add `[logs:CreateLogStream, logs:PutLogEvents] on {display}.log_streams` to the role's `allow`")),
                );
            }
        }

        if let Some(Value::Path { segments }) = field(&function.fields, "tracing") {
            if segments.first().is_some_and(|s| s.text == "Active") {
                for action in ["xray:PutTraceSegments", "xray:PutTelemetryRecords"] {
                    if !role_allows(role, scope, action, "", &[]) {
                        diags.push(
                            Diagnostic::new(segments[0].loc, format!("function `{fname}` has active tracing, but role `{rname}` does not allow `{action}`"))
                                .help("add `[xray:PutTraceSegments, xray:PutTelemetryRecords] on *` to the role's `allow` (X-Ray has no resource-level permissions)"),
                        );
                    }
                }
            }
        }

        if let Some(Value::Path { segments }) = field(&function.fields, "dead_letter_queue") {
            if let Ok(Target::Resource {
                decl: dlq, kind, ..
            }) = scope.resolve(segments)
            {
                let action = if kind.cfn_type == "AWS::SNS::Topic" {
                    "sns:Publish"
                } else {
                    "sqs:SendMessage"
                };
                if !role_allows(role, scope, action, &dlq.name.text, &[]) {
                    diags.push(
                        Diagnostic::new(segments[0].loc, format!("function `{fname}` sends failed events to `{}`, but role `{rname}` does not allow `{action}` on it", path_text(segments)))
                            .help(format!("add `{action} on {}` to the role's `allow`", path_text(segments))),
                    );
                }
            }
        }
    }
    fn lower(&self, cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
        let f = &d.fields;
        let code = match field(f, "code") {
            Some(Value::Call { func, args }) => match args.first() {
                Some(Value::Str { text, loc }) => {
                    let location =
                        cx.assets
                            .locate(text)
                            .map_err(|e| crate::lower::SynthError {
                                loc: *loc,
                                message: e,
                            })?;
                    Expr::map([
                        ("S3Bucket", location.bucket),
                        ("S3Key", Expr::Str(location.key)),
                    ])
                }
                _ => return err(func.loc, "write `asset(\"path\")`"),
            },
            _ => return err(d.name.loc, "a function needs `code: asset(\"…\")`"),
        };
        let role_value = cx.required(d, "role")?;
        if let Some(role_id) = cx.local_id(role_value) {
            cx.waits_for_grants.push((id.to_string(), role_id));
        }
        let role = match role_value {
            Value::Path { segments } => cx.path(segments, Some("arn"))?,
            other => cx.expr(other)?,
        };
        let runtime = cx.chosen(KIND.props, f, "runtime")?;
        let log_group = format!("{id}LogGroup");
        let mut r = Resource::new("AWS::Lambda::Function")
            .opt("FunctionName", cx.opt(f, "name")?)
            .opt("Description", cx.opt(f, "description")?)
            .prop("Runtime", Expr::str(runtime))
            .prop(
                "Handler",
                cx.opt(f, "handler")?.unwrap_or(Expr::str("bootstrap")),
            )
            .prop("Code", code)
            .prop("Role", role)
            .prop(
                "MemorySize",
                Expr::Int(cx.number_of(KIND.props, f, "memory")?),
            )
            .prop(
                "Timeout",
                Expr::Int(cx.seconds_of(KIND.props, f, "timeout")?),
            )
            .prop(
                "Architectures",
                Expr::list([Expr::str(cx.chosen(KIND.props, f, "architecture")?)]),
            )
            .prop(
                "LoggingConfig",
                Expr::map([
                    ("LogGroup", Expr::Ref(log_group.clone())),
                    ("LogFormat", Expr::str("Text")),
                ]),
            )
            .opt(
                "ReservedConcurrentExecutions",
                cx.int_field(f, "reserved_concurrency").map(Expr::Int),
            );
        if let Some(env) = cx.opt(f, "environment")? {
            r = r.prop("Environment", Expr::map([("Variables", env)]));
        }
        if let Some(dlq) = field(f, "dead_letter_queue") {
            let arn = match dlq {
                Value::Path { segments } => cx.path(segments, Some("arn"))?,
                other => cx.expr(other)?,
            };
            r = r.prop("DeadLetterConfig", Expr::map([("TargetArn", arn)]));
        }
        if let Some(mode) = cx.variant(KIND.props, f, "tracing")? {
            r = r.prop("TracingConfig", Expr::map([("Mode", Expr::str(mode))]));
        }
        // The function owns its log group: named as Lambda would name it, so the
        // console's links work, and gone with the function.
        let retention = cx.seconds_of(KIND.props, f, "log_retention")? / 86_400;
        let lg_name = match cx.str_field(f, "name") {
            Some(n) if !n.contains("${") => Some(Expr::str(format!("/aws/lambda/{n}"))),
            _ => None,
        };
        let lg = Resource::new("AWS::Logs::LogGroup")
            .opt("LogGroupName", lg_name)
            .prop("RetentionInDays", Expr::Int(retention))
            .removal(RemovalPolicy::Delete);
        cx.add(log_group, lg);
        cx.add(id, r);
        lambda_event_source::lower(cx, id, d)
    }
}
