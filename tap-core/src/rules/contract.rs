//! Every function whose crate declares a contract is held to it: the
//! variables its code reads are set, bound to resources of the declared kind,
//! and nothing else is set; its role grants each action on the resource the
//! variable is bound to; and a role used only by such functions grants
//! nothing that none of them needs.

use super::iam::role_allows;
use super::Options;
use crate::base::diag::{Diagnostic, Diagnostics, Loc};
use crate::base::ir::*;
use crate::base::naming::display_name;
use crate::data::iam::catalog::catalog;
use crate::model::contract::{self, Contract, Use, Var};
use crate::model::kind::Kind;
use crate::model::pollers;
use crate::model::resolve::{Scope, Target};
use std::collections::BTreeSet;

/// A function with a contract, as the stack declares it.
struct Function<'a> {
    decl: &'a ResourceDecl,
    contract: Contract,
    role: Option<(&'a ResourceDecl, Loc)>,
}

/// An action some function of a role needs, on a resource (its name and the
/// attribute a grant names) or on any.
struct Need {
    action: String,
    on: Option<(String, String)>,
    /// For messages: `application_bucket.objects`.
    shown: String,
}

pub(crate) fn check(stack: &StackDef, scope: &Scope, options: &Options, diags: &mut Diagnostics) {
    let (Some(base), Some(read)) = (&options.base_dir, options.contract_of) else {
        return;
    };
    let mut functions = Vec::new();
    for decl in stack.resources() {
        if decl.kind.text != "lambda::Function" {
            continue;
        }
        let Some(Value::Call { func, args }) = field(&decl.fields, "code") else {
            continue;
        };
        let [Value::Str { text, loc }] = args.as_slice() else {
            continue;
        };
        if func.text != "asset" {
            continue;
        }
        let contract = match read(&base.join(text)) {
            // Named as the stack names the crate: `../lambda/src/contract.rs`.
            Ok(Some(c)) => Contract {
                file: format!("{}/{}", text.trim_end_matches('/'), c.file),
                ..c
            },
            Ok(None) => continue,
            Err(e) => {
                diags.push(Diagnostic::new(*loc, e));
                continue;
            }
        };
        let invalid = contract::validate(&contract, scope.kinds);
        if let Some(first) = invalid.first() {
            diags.push(
                Diagnostic::new(
                    *loc,
                    format!(
                        "the contract in {} is not valid: {}",
                        contract.file, first.message
                    ),
                )
                .help(
                    "build the function's crate: its `contract!` shows each problem at its place",
                ),
            );
            continue;
        }
        let role = match field(&decl.fields, "role") {
            Some(Value::Path { segments }) => match scope.resolve(segments) {
                Ok(Target::Resource {
                    decl: role,
                    kind,
                    attr: None,
                }) if kind.name == "iam::Role" => {
                    Some((role, segments.last().map_or(decl.name.loc, |s| s.loc)))
                }
                _ => None,
            },
            _ => None,
        };
        functions.push(Function {
            decl,
            contract,
            role,
        });
    }
    for f in &functions {
        environment(f, scope, diags);
        grants(f, scope, diags);
    }
    least_privilege(stack, &functions, scope, diags);
}

/// Each variable the code reads is set, to the declared kind of resource; nothing else is set.
fn environment(f: &Function, scope: &Scope, diags: &mut Diagnostics) {
    let c = &f.contract;
    let fname = display_name(&f.decl.name.text);
    let (set, loc): (&[Field], Loc) = match field(&f.decl.fields, "environment") {
        Some(Value::Object { fields, loc, .. }) => (fields, *loc),
        // Bound to something tap cannot read here: nothing to compare.
        Some(_) => return,
        None => (&[], f.decl.name.loc),
    };
    for v in &c.vars {
        let Some(binding) = set.iter().find(|s| s.key.text == v.name.text) else {
            let value = match &v.binds {
                Some(b) => {
                    // The stack's one resource of that kind, if it has just one.
                    let of_kind: Vec<&str> = scope
                        .resources
                        .iter()
                        .filter(|(n, (_, k))| {
                            !n.contains('/') && k.is_some_and(|k| k.name == b.kind.text)
                        })
                        .map(|(n, _)| *n)
                        .collect();
                    let resource = match of_kind.as_slice() {
                        [one] => one.to_string(),
                        _ => format!("<a {}>", b.kind.text),
                    };
                    format!(
                        "{resource}{}",
                        b.attr
                            .as_ref()
                            .map(|a| format!(".{}", a.text))
                            .unwrap_or_default()
                    )
                }
                None => "\"…\"".into(),
            };
            diags.push(
                Diagnostic::new(
                    loc,
                    format!(
                        "function `{fname}` does not set `{}`, which its code reads ({})",
                        v.name.text,
                        c.at(v.line)
                    ),
                )
                .help(format!(
                    "add `{}: {value}` to its `environment`",
                    v.name.text
                )),
            );
            continue;
        };
        bound_kind(f, v, &binding.value, scope, diags);
    }
    for s in set {
        if c.var(&s.key.text).is_none() && !c.for_libraries.iter().any(|n| n.text == s.key.text) {
            diags.push(
                Diagnostic::new(
                    s.key.loc,
                    format!(
                        "`{}` is set on function `{fname}`, but its code never reads it ({})",
                        s.key.text, c.file
                    ),
                )
                .help(
                    "remove it; if a library reads it, list it in the contract's `for_libraries`",
                ),
            );
        }
    }
}

/// A variable with a declared binding names a resource of that kind (and attribute).
fn bound_kind(f: &Function, v: &Var, value: &Value, scope: &Scope, diags: &mut Diagnostics) {
    let Some(b) = &v.binds else { return };
    let wanted = match &b.attr {
        Some(a) => format!("{}'s `{}`", b.kind.text, a.text),
        None => b.kind.text.clone(),
    };
    let fname = display_name(&f.decl.name.text);
    match value {
        Value::Path { segments } => {
            let Ok(target) = scope.resolve(segments) else {
                return;
            };
            let Some(kind) = target.kind() else { return };
            let attr = target.attr().map(|a| a.name);
            // A raw `cfn::S3::Bucket` is as much a bucket as an `s3::Bucket`;
            // their attributes are named differently, so only the type is compared.
            let kind_ok = same_type(scope, &b.kind.text, kind);
            let attr_ok = kind.name != b.kind.text
                || b.attr
                    .as_ref()
                    .is_none_or(|a| attr == Some(a.text.as_str()));
            if !(kind_ok && attr_ok) {
                let got = match attr {
                    Some(a) => format!("{}'s `{a}`", kind.name),
                    None => kind.name.to_string(),
                };
                diags.push(
                    Diagnostic::new(
                        value.loc(),
                        format!(
                            "`{}` is bound to `{}`, a {got}, but the code of `{fname}` takes it as a {wanted} ({})",
                            v.name.text,
                            path_text(segments),
                            f.contract.at(v.line)
                        ),
                    )
                    .help(format!("bind it to a {wanted}")),
                );
            }
        }
        Value::Str { text, .. } if !text.contains("${") => {
            diags.push(
                Diagnostic::new(
                    value.loc(),
                    format!(
                        "`{}` is a literal, but the code of `{fname}` takes it as a {wanted} ({})",
                        v.name.text,
                        f.contract.at(v.line)
                    ),
                )
                .help("bind it to the resource (`name.attr`), so that what the code does with it is checked against the role"),
            );
        }
        _ => {}
    }
}

/// Whether `kind` is of the CloudFormation type the contract's kind names.
fn same_type(scope: &Scope, contract_kind: &str, kind: &Kind) -> bool {
    scope
        .kinds
        .kind(contract_kind)
        .is_some_and(|k| k.cfn_type == kind.cfn_type)
}

/// The path a variable is bound to, without the attribute it reads
/// (`application_bucket.key` for `application_bucket.key.arn`), when it names
/// a resource of this stack of the declared kind.
fn bound_path<'a>(f: &Function<'a>, v: &Var, scope: &Scope<'a>) -> Option<&'a [Name]> {
    let Some(Value::Object { fields, .. }) = field(&f.decl.fields, "environment") else {
        return None;
    };
    let Value::Path { segments } = &fields.iter().find(|s| s.key.text == v.name.text)?.value else {
        return None;
    };
    match scope.resolve(segments).ok()? {
        // Bound to another kind than the code takes: said once, by `bound_kind`.
        Target::Resource { kind, .. }
            if v.binds
                .as_ref()
                .is_some_and(|b| !same_type(scope, &b.kind.text, kind)) =>
        {
            None
        }
        Target::Resource { attr, .. } => Some(if attr.is_some() {
            &segments[..segments.len() - 1]
        } else {
            &segments[..]
        }),
        _ => None,
    }
}

/// Where a use of a variable's resource is granted: the resource's name, the
/// attribute a grant names, and the path to show (`application_bucket.objects`).
fn target_of(f: &Function, v: &Var, u: &Use, scope: &Scope) -> Option<(String, String, String)> {
    let mut path = bound_path(f, v, scope)?.to_vec();
    if let Some(on) = &u.on {
        // `on objects`, or `on key`: a resource linked to this one (a bucket's key).
        path.push(on.clone());
    }
    let Ok(Target::Resource { decl, kind, attr }) = scope.resolve(&path) else {
        return None;
    };
    let attr = match (attr, &u.on) {
        (Some(a), _) => a.name,
        (None, Some(_)) => kind.arn_attr,
        (None, None) => grant_attr(kind, u),
    };
    let shown = if u.on.is_some() || attr == kind.arn_attr {
        path_text(&path)
    } else {
        format!("{}.{attr}", path_text(&path))
    };
    Some((decl.name.text.clone(), attr.to_string(), shown))
}

/// The attribute of `kind` a grant of `u` names: the ARN when the action
/// applies to it, else the first attribute whose IAM resource type it applies to.
fn grant_attr(kind: &Kind, u: &Use) -> &'static str {
    let Ok((service, infos)) = catalog().resolve(&u.action.text) else {
        return kind.arn_attr;
    };
    let arn_applies = kind
        .attr(kind.arn_attr)
        .and_then(|a| a.iam)
        .is_some_and(|(s, t)| {
            s == service.prefix
                && infos
                    .iter()
                    .any(|i| service.resource_types_of(i).any(|rt| rt.name == t))
        });
    if arn_applies {
        return kind.arn_attr;
    }
    infos
        .iter()
        .find_map(|i| super::iam::better_attr(kind, service, i))
        .unwrap_or(kind.arn_attr)
}

/// What `f` needs granted: each use on its variable's resource, each `calls`
/// use on any, and what its own configuration and event sources need.
fn needs(f: &Function, stack: &StackDef, scope: &Scope) -> Vec<Need> {
    let mut out = Vec::new();
    let any = |action: &str, shown: String| Need {
        action: action.into(),
        on: None,
        shown,
    };
    for (var, u) in f.contract.uses() {
        out.push(match var.and_then(|v| target_of(f, v, u, scope)) {
            Some((name, attr, shown)) => Need {
                action: u.action.text.clone(),
                on: Some((name, attr)),
                shown,
            },
            None => any(&u.action.text, "*".into()),
        });
    }
    // The function's own configuration (see `kinds/lambda_function.rs`).
    let name = f.decl.name.text.clone();
    for action in ["logs:CreateLogStream", "logs:PutLogEvents"] {
        out.push(Need {
            action: action.into(),
            on: Some((name.clone(), "log_streams".into())),
            shown: format!("{name}.log_streams"),
        });
    }
    if let Some(Value::Path { segments }) = field(&f.decl.fields, "tracing") {
        if segments.first().is_some_and(|s| s.text == "Active") {
            for action in ["xray:PutTraceSegments", "xray:PutTelemetryRecords"] {
                out.push(any(action, "*".into()));
            }
        }
    }
    if let Some(Value::Path { segments }) = field(&f.decl.fields, "dead_letter_queue") {
        match scope.resolve(segments) {
            Ok(Target::Resource { decl, kind, .. }) => {
                let action = if kind.cfn_type == "AWS::SNS::Topic" {
                    "sns:Publish"
                } else {
                    "sqs:SendMessage"
                };
                out.push(Need {
                    action: action.into(),
                    on: Some((decl.name.text.clone(), kind.arn_attr.into())),
                    shown: path_text(segments),
                });
            }
            // A queue or topic passed in: either action, on what it is.
            _ => {
                for action in ["sqs:SendMessage", "sns:Publish"] {
                    out.push(any(action, path_text(segments)));
                }
            }
        }
    }
    out.extend(event_sources(f, stack, scope));
    out
}

/// What Lambda reads an event source with, as the function's role: the
/// actions for each of the function's `events` and each
/// `cfn::Lambda::EventSourceMapping` of it, on its source.
fn event_sources(f: &Function, stack: &StackDef, scope: &Scope) -> Vec<Need> {
    // The reference to each source, and whether it is an `events` item (whose
    // bare `table` means the table's stream, where a mapping's means its ARN).
    let mut sources: Vec<(&[Name], bool)> = Vec::new();
    if let Some(Value::List { items, .. }) = field(&f.decl.fields, "events") {
        for item in items {
            let Value::Object {
                tag: Some(tag),
                fields,
                ..
            } = item
            else {
                continue;
            };
            let key = pollers::source_key(&tag.text);
            if let Some(Value::Path { segments }) = key.and_then(|k| field(fields, k)) {
                sources.push((segments, true));
            }
        }
    }
    let mappings = stack
        .resources()
        .filter(|d| d.kind.text == "cfn::Lambda::EventSourceMapping");
    for d in mappings {
        let mut refs = Vec::new();
        if let Some(v) = field(&d.fields, "FunctionName") {
            scope.referenced(v, &mut refs);
        }
        if !refs.contains(&f.decl.name.text.as_str()) {
            continue;
        }
        if let Some(Value::Path { segments }) = field(&d.fields, "EventSourceArn") {
            sources.push((segments, false));
        }
    }
    let mut out = Vec::new();
    for (segments, from_events) in sources {
        let Ok(Target::Resource { decl, kind, attr }) = scope.resolve(segments) else {
            continue;
        };
        let Some(poller) = pollers::poller(kind.cfn_type) else {
            continue;
        };
        let attr = match attr {
            Some(a) => a.name,
            None if from_events && kind.attr(poller.attr).is_some() => poller.attr,
            None => kind.arn_attr,
        };
        for (a, _) in poller.actions {
            out.push(Need {
                action: a.to_string(),
                on: Some((decl.name.text.clone(), attr.to_string())),
                shown: path_text(segments),
            });
        }
    }
    out
}

/// The role grants each action the code performs, on the resource its variable is bound to.
fn grants(f: &Function, scope: &Scope, diags: &mut Diagnostics) {
    let Some((role, role_loc)) = f.role else {
        return;
    };
    let fname = display_name(&f.decl.name.text);
    let rname = display_name(&role.name.text);
    // Whose code makes a call: the function's, or a crate of it tap cannot read.
    let code_of = |u: &crate::model::contract::Use| match f.contract.crate_of(u) {
        Some(k) => format!("`{fname}`'s dependency `{k}`"),
        None => format!("the code of `{fname}`"),
    };
    for (var, u) in f.contract.uses() {
        let action = &u.action.text;
        match var.and_then(|v| target_of(f, v, u, scope).map(|t| (v, t))) {
            Some((v, (decl, attr, target))) => {
                if role_allows(role, scope, action, &decl, &[attr.as_str()])
                    || grants_within(role, action, &decl)
                {
                    continue;
                }
                let code = code_of(u);
                let why = match &u.needed_for {
                    Some(n) => {
                        format!("which {code} needs for `{}` on ${}", n.text, v.name.text)
                    }
                    None => format!("which {code} calls on ${}", v.name.text),
                };
                diags.push(
                    Diagnostic::new(
                        role_loc,
                        format!(
                            "role `{rname}` lacks `{action}` on `{target}`, {why} ({})",
                            f.contract.at(u.line)
                        ),
                    )
                    .help(format!("add `{action} on {target}` to the role's `allow`")),
                );
            }
            // On no variable: granted on something. (A variable bound to what
            // tap cannot follow, such as a parameter, is not checked.)
            None => {
                if var.is_none() && !grants_anywhere(role, action) {
                    diags.push(
                        Diagnostic::new(
                            role_loc,
                            format!(
                                "role `{rname}` lacks `{action}`, which {} calls ({})",
                                code_of(u),
                                f.contract.at(u.line)
                            ),
                        )
                        .help(format!("add `{action} on …` to the role's `allow`")),
                    );
                }
            }
        }
    }
}

/// The role's Allow statements that grant `action` (by name or pattern).
fn allowing<'a>(role: &'a ResourceDecl, action: &'a str) -> impl Iterator<Item = &'a Statement> {
    let items: &[Value] = match field(&role.fields, "allow") {
        Some(Value::List { items, .. }) => items,
        _ => &[],
    };
    items.iter().filter_map(move |i| match i {
        Value::Statement(s) if super::iam::grants_action(s, action) => Some(&**s),
        _ => None,
    })
}

fn grants_anywhere(role: &ResourceDecl, action: &str) -> bool {
    allowing(role, action).next().is_some()
}

/// A grant on an ARN written out within the resource (`"${uploads.arn}/incoming/*"`):
/// narrower than the resource, and the user's call.
fn grants_within(role: &ResourceDecl, action: &str, resource: &str) -> bool {
    let (dotted, whole) = (format!("${{{resource}."), format!("${{{resource}}}"));
    allowing(role, action).any(|s| {
        !s.not_resources
            && s.resources.iter().any(|r| {
                matches!(r, Value::Str { text, .. } if text.contains(&dotted) || text.contains(&whole))
            })
    })
}

/// A role whose every user is a function with a contract grants nothing that
/// none of them needs, and each action only where one of them needs it.
fn least_privilege(
    stack: &StackDef,
    functions: &[Function],
    scope: &Scope,
    diags: &mut Diagnostics,
) {
    let roles: BTreeSet<&str> = functions
        .iter()
        .filter_map(|f| f.role.map(|(r, _)| r.name.text.as_str()))
        .collect();
    for role_name in roles {
        let users: Vec<&Function> = functions
            .iter()
            .filter(|f| f.role.is_some_and(|(r, _)| r.name.text == role_name))
            .collect();
        // Anything else that refers to the role (a function without a
        // contract, a build project, a raw resource, another role's
        // `iam:PassRole`) may need what the contracts do not say.
        let others = stack.resources().any(|d| {
            if d.name.text == role_name || users.iter().any(|f| f.decl.name.text == d.name.text) {
                return false;
            }
            let mut refs = Vec::new();
            d.fields
                .iter()
                .for_each(|f| scope.referenced(&f.value, &mut refs));
            refs.contains(&role_name)
        });
        let Some((role, _)) = users.first().and_then(|f| f.role) else {
            continue;
        };
        if others {
            continue;
        }
        let needed: Vec<Need> = users.iter().flat_map(|f| needs(f, stack, scope)).collect();
        let names: Vec<String> = users
            .iter()
            .map(|f| format!("`{}`", display_name(&f.decl.name.text)))
            .collect();
        let who = names.join(", ");
        let files: Vec<&str> = users.iter().map(|f| f.contract.file.as_str()).collect();
        let rname = display_name(role_name);
        let Some(Value::List { items, .. }) = field(&role.fields, "allow") else {
            continue;
        };
        for item in items {
            let Value::Statement(s) = item else { continue };
            if s.effect != Effect::Allow || s.reason.is_some() || s.not_actions || s.not_resources {
                continue;
            }
            for a in &s.actions {
                if a.text.contains(['*', '?']) {
                    continue;
                }
                let uses: Vec<&Need> = needed
                    .iter()
                    .filter(|n| n.action.eq_ignore_ascii_case(&a.text))
                    .collect();
                if uses.is_empty() {
                    diags.push(
                        Diagnostic::new(
                            a.loc,
                            format!(
                                "role `{rname}` grants `{}`, which no function using it needs: {who} (contract: {})",
                                a.text,
                                files.join(", ")
                            ),
                        )
                        .help(format!("remove it; if the code needs it for a call it makes, declare that in the contract (`{} for …`); if something else needs it, say what with `because \"…\"`", a.text)),
                    );
                    continue;
                }
                if uses.iter().any(|n| n.on.is_none()) {
                    continue;
                }
                for r in &s.resources {
                    let Value::Path { segments } = r else {
                        continue;
                    };
                    let Ok(Target::Resource { decl, kind, attr }) = scope.resolve(segments) else {
                        continue;
                    };
                    let granted = (
                        decl.name.text.as_str(),
                        attr.map_or(kind.arn_attr, |x| x.name),
                    );
                    let matches = uses.iter().any(|n| {
                        n.on.as_ref()
                            .is_some_and(|(d, at)| (d.as_str(), at.as_str()) == granted)
                    });
                    if !matches {
                        let wanted: Vec<String> =
                            uses.iter().map(|n| format!("`{}`", n.shown)).collect();
                        diags.push(
                            Diagnostic::new(
                                r.loc(),
                                format!(
                                    "role `{rname}` grants `{}` on `{}`, but {who} needs it only on {}",
                                    a.text,
                                    path_text(segments),
                                    wanted.join(", ")
                                ),
                            )
                            .help(format!("grant it on {} instead", wanted.join(", "))),
                        );
                    }
                }
            }
        }
    }
}
