//! `lambda::Function` → `AWS::Lambda::Function`: a Lambda function with a log group of its own.

use super::*;
use crate::ir::*;
use crate::synth::{err, Ctx, Result};
use crate::template::{Expr, RemovalPolicy, Resource};

pub const KIND: Kind = Kind {
    name: "lambda::Function",
    cfn_type: "AWS::Lambda::Function",
    doc: "A Lambda function with a log group of its own. Its role must be assumable by Lambda and grant what the configuration needs: writing its logs, X-Ray when traced, sending to its dead-letter queue.",
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
    lower,
    phase: 0,
};

pub(crate) fn lower(cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
    let f = &d.fields;
    let code = match field(f, "code") {
        Some(Value::Call { func, args }) => match args.first() {
            Some(Value::Str { text, loc }) => {
                let location = cx
                    .assets
                    .locate(text)
                    .map_err(|e| crate::synth::SynthError {
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
    let role = match field(f, "role") {
        Some(v) => {
            if let Some(role_id) = cx.local_id(v) {
                cx.waits_for_grants.push((id.to_string(), role_id));
            }
            match v {
                Value::Path { segments } => cx.path(segments, Some("arn"))?,
                other => cx.expr(other)?,
            }
        }
        None => return err(d.name.loc, "a function needs `role`"),
    };
    let runtime = cx.variant(KIND.props, f, "runtime")?.unwrap_or_default();
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
            Expr::Int(cx.number(KIND.props, f, "memory").unwrap_or_default()),
        )
        .prop(
            "Timeout",
            Expr::Int(cx.duration(KIND.props, f, "timeout").unwrap_or_default()),
        )
        .prop(
            "Architectures",
            Expr::list([Expr::str(
                cx.variant(KIND.props, f, "architecture")?
                    .unwrap_or_default(),
            )]),
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
    let retention = cx
        .duration(KIND.props, f, "log_retention")
        .unwrap_or_default()
        / 86_400;
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
    Ok(())
}
