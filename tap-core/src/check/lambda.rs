//! A function's role must be assumable by Lambda and grant what the function's
//! own configuration needs: writing its logs, X-Ray when traced, and sending to
//! its dead-letter queue. (Grants the code needs are declared in the role.)

use super::iam::role_allows;
use crate::constructs::display_name;
use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::*;
use crate::resolve::{Scope, Target};

pub fn check(stack: &StackDef, scope: &Scope, diags: &mut Diagnostics) {
    for function in stack
        .resources()
        .filter(|d| d.kind.text == "lambda::Function")
    {
        let Some(Value::Path {
            segments: role_path,
        }) = field(&function.fields, "role")
        else {
            continue;
        };
        let Ok(Target::Resource {
            decl: role,
            kind,
            attr: None,
        }) = scope.resolve(role_path)
        else {
            continue;
        };
        if kind.name != "iam::Role" {
            continue;
        }
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
                let action = if kind.name == "sns::Topic" {
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
}
