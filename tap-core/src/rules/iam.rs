//! IAM statements: every action exists, is granted on resources it applies to,
//! and wildcards (actions or `*` resources) carry a written reason.

use crate::base::diag::{Diagnostic, Diagnostics, Loc};
use crate::base::ir::*;
use crate::data::iam::action::lookup_in_policy as lookup;
use crate::data::iam::arn::{resource_types_for, service_of};
use crate::data::iam::catalog::{catalog, glob_match, ActionInfo, Service};
use crate::model::kind::{Kind, Ty};
use crate::model::resolve::{Scope, Target};

pub fn check(stack: &StackDef, scope: &Scope, diags: &mut Diagnostics) {
    for decl in stack.resources() {
        let Some(kind) = scope.kinds.kind(&decl.kind.text) else {
            continue;
        };
        for f in &decl.fields {
            let Some(prop) = kind.prop(&f.key.text) else {
                continue;
            };
            let (Ty::Statements(effect), Value::List { items, .. }) = (&prop.ty, &f.value) else {
                continue;
            };
            // A role's own policy has no principal; every other is a resource policy.
            let resource_policy = kind.name != "iam::Role";
            for item in items {
                if let Value::Statement(s) = item {
                    statement(s, *effect, resource_policy, scope, diags);
                }
            }
            redundant(items, diags);
        }
    }
}

/// Every rule of one statement, in the order its findings read best: the
/// statement's shape, then its actions, its conditions and its resources.
fn statement(
    s: &Statement,
    effect: Effect,
    resource_policy: bool,
    scope: &Scope,
    diags: &mut Diagnostics,
) {
    effect_matches_its_list(s, effect, diags);
    principal_fits_the_policy(s, effect, resource_policy, diags);
    negations_in_an_allow_have_a_reason(s, effect, diags);
    reasons_are_written_out(s, diags);
    let granted = actions_exist(s, effect, diags);
    let keyed: Vec<(&'static Service, Vec<&'static ActionInfo>)> = granted
        .iter()
        .map(|g| (g.service, g.infos.clone()))
        .collect();
    super::conditions::check(s, &keyed, diags);
    if s.not_actions || s.not_resources {
        negated_resources_resolve(s, scope, diags);
        return;
    }
    for r in &s.resources {
        match r {
            Value::Str { text, loc } if text == "*" => {
                every_resource_has_a_reason(s, effect, &granted, *loc, diags)
            }
            Value::Str { text, loc } => arn_fits_the_actions(text, *loc, &granted, diags),
            Value::Path { segments } => {
                reference_fits_the_actions(r, segments, &granted, scope, diags)
            }
            other => diags.error(
                other.loc(),
                format!(
                    "expected a resource, an ARN or `*`, found {}",
                    other.describe()
                ),
            ),
        }
    }
}

/// An action of a statement, found in the catalog.
struct Granted<'s> {
    action: &'s Action,
    service: &'static Service,
    /// What the action stands for (more than one for a wildcard).
    infos: Vec<&'static ActionInfo>,
    wildcard: bool,
}

/// Rule: a statement is in the list of its effect (`allow` or `deny`).
fn effect_matches_its_list(s: &Statement, effect: Effect, diags: &mut Diagnostics) {
    if s.effect != effect {
        diags.error(
            s.loc,
            "this statement's effect does not match the list it is in",
        );
    }
}

/// Rule: a resource policy's statement names its principal, a role's own
/// policy does not (the role is the principal); the principal is one IAM
/// knows; and `to not …` belongs in a Deny.
fn principal_fits_the_policy(
    s: &Statement,
    effect: Effect,
    resource_policy: bool,
    diags: &mut Diagnostics,
) {
    match (&s.principal, resource_policy) {
        (None, true) => diags.push(
            Diagnostic::new(s.loc, "a resource policy statement needs a principal")
                .help("add `to any`, `to service(\"…\")` or `to account(\"…\")`"),
        ),
        (Some(p), false) => diags.push(
            Diagnostic::new(
                p.loc(),
                "a role's own policy has no principal: the role is the principal",
            )
            .help("remove `to …`"),
        ),
        _ => {}
    }
    if let Some(p) = &s.principal {
        super::principals::check(p, super::principals::Place::ResourcePolicy, diags);
        if s.not_principal && effect == Effect::Allow {
            diags.push(
                Diagnostic::new(p.loc(), "`to not …` in an Allow grants to every principal but one, in every account")
                    .help("name who is allowed (`to service(\"…\")`), or deny everyone else in a Deny: `to not …` belongs in `deny`"),
            );
        }
    }
}

/// Rule: `not ACTIONS` and `on not RESOURCES` in an Allow grant everything
/// else, including what AWS adds later: only with a written reason.
fn negations_in_an_allow_have_a_reason(s: &Statement, effect: Effect, diags: &mut Diagnostics) {
    if effect != Effect::Allow || s.reason.is_some() {
        return;
    }
    if s.not_actions {
        diags.push(
            Diagnostic::new(s.actions.first().map_or(s.loc, |a| a.loc), "`not ACTIONS` in an Allow grants every other action of every service, including actions AWS adds later")
                .help("list the actions the principal calls, or add `because \"…\"`"),
        );
    }
    if s.not_resources {
        diags.push(
            Diagnostic::new(s.resources.first().map_or(s.loc, Value::loc), "`on not RESOURCES` in an Allow grants on every other resource, including ones created later")
                .help("name the resources, or add `because \"…\"`"),
        );
    }
}

/// Rule: a reason is a sentence a reviewer can judge, not a token.
fn reasons_are_written_out(s: &Statement, diags: &mut Diagnostics) {
    if let Some(r) = &s.reason {
        if r.text.trim().len() < 8 {
            diags.push(
                Diagnostic::new(
                    r.loc,
                    "write the reason out: a wildcard is reviewed by the reason it gives",
                )
                .help("`because \"the AWS CDK bootstrap names its roles per qualifier\"`"),
            );
        }
    }
}

/// Rule: every action exists in the catalog, and a wildcard action in an
/// Allow (`*`, `s3:Get*`) has a written reason. Returns the actions found.
fn actions_exist<'s>(
    s: &'s Statement,
    effect: Effect,
    diags: &mut Diagnostics,
) -> Vec<Granted<'s>> {
    let mut granted = Vec::new();
    for a in &s.actions {
        if a.text == "*" {
            if s.reason.is_none() && effect == Effect::Allow {
                diags.push(Diagnostic::new(a.loc, "the wildcard action `*` allows every action on every service").help("list the actions this principal needs, or add `because \"…\"` to say why it needs all of them"));
            }
            continue;
        }
        match lookup(a) {
            Ok((service, infos)) => {
                let wildcard = a.text.contains(['*', '?']);
                // Under `not`, a wildcard narrows what is granted.
                if wildcard && s.reason.is_none() && effect == Effect::Allow && !s.not_actions {
                    let writes = infos.iter().filter(|i| i.is_write()).count();
                    let permissions = infos.iter().filter(|i| i.level.contains('P')).count();
                    let message = format!(
                        "wildcard action `{}` grants {} actions: {writes} that write, {permissions} of them permissions management",
                        a.text,
                        infos.len()
                    );
                    diags.push(Diagnostic::new(a.loc, message).help("list the actions this principal calls, or add `because \"…\"` to say why it needs all of them"));
                }
                granted.push(Granted {
                    action: a,
                    service,
                    infos,
                    wildcard,
                });
            }
            Err(d) => diags.push(d),
        }
    }
    granted
}

/// Rule: under `not …` what is granted is everything else, so there is no
/// resource type to match; the resources named must still exist.
fn negated_resources_resolve(s: &Statement, scope: &Scope, diags: &mut Diagnostics) {
    for r in &s.resources {
        if let Value::Path { segments } = r {
            if let Err(d) = scope.resolve(segments) {
                diags.push(d);
            }
        }
    }
}

/// Rule: `*` as a resource, in an Allow, only for actions without
/// resource-level permissions, or with a written reason.
fn every_resource_has_a_reason(
    s: &Statement,
    effect: Effect,
    granted: &[Granted],
    loc: Loc,
    diags: &mut Diagnostics,
) {
    let scoped: Vec<String> = granted
        .iter()
        .filter(|g| g.infos.iter().any(|i| i.supports_resource_level()))
        .map(|g| g.action.text.clone())
        .collect();
    let any_action = s.actions.iter().any(|a| a.text == "*");
    if (!scoped.is_empty() || any_action) && s.reason.is_none() && effect == Effect::Allow {
        let d = Diagnostic::new(loc, "`*` grants on every resource in the account");
        diags.push(if scoped.is_empty() {
            d.help("name the resources, or add `because \"…\"`")
        } else {
            d.help(format!("`{}` can be scoped to resources: name them (such as `bucket.objects`), or add `because \"…\"`", scoped.join("`, `")))
        });
    }
}

/// Rule: an ARN string is an ARN, of the actions' service, and of a resource
/// type each (non-wildcard) action applies to.
fn arn_fits_the_actions(text: &str, loc: Loc, granted: &[Granted], diags: &mut Diagnostics) {
    let Some(arn_service) = service_of(text) else {
        diags.push(
            Diagnostic::new(loc, format!("`{text}` is not an ARN")).help(
                "grant on a resource of this stack (`bucket.objects`), an ARN string, or `*`",
            ),
        );
        return;
    };
    for g in granted.iter().filter(|g| !g.wildcard) {
        let (a, service) = (g.action, g.service);
        // Some actions apply to another service's resources: `sts:AssumeRole`
        // to an IAM role (`arn:…:iam::…:role/…`), as the catalog's resource
        // types of the action say.
        let theirs = g.infos.iter().any(|info| {
            service
                .resource_types_of(info)
                .filter_map(|t| service_of(t.arn))
                .any(|s| s.eq_ignore_ascii_case(&arn_service))
        });
        if !arn_service.eq_ignore_ascii_case(service.prefix)
            && !arn_service.contains('$')
            && !theirs
        {
            diags.error(
                loc,
                format!(
                    "`{}` cannot be granted on `{text}`: that is an ARN of service `{arn_service}`",
                    a.text
                ),
            );
            continue;
        }
        let Some(arn_svc) = catalog().service(&arn_service) else {
            continue;
        };
        let types = resource_types_for(arn_svc, text);
        let info = g.infos[0];
        if !info.supports_resource_level() {
            diags.push(no_resource_level(a));
        } else if !types.is_empty()
            && !service
                .resource_types_of(info)
                .any(|t| types.iter().any(|u| u.name == t.name))
        {
            let applies: Vec<&str> = service.resource_types_of(info).map(|t| t.name).collect();
            diags.push(
                Diagnostic::new(
                    loc,
                    format!(
                        "`{}` cannot be granted on `{text}`, which is a `{}` ARN",
                        a.text, types[0].name
                    ),
                )
                .help(format!("`{}` applies to: {}", a.text, applies.join(", "))),
            );
        }
    }
}

/// Rule: a reference (`bucket.objects`) names a resource, an attribute of it
/// that is an ARN IAM knows, of the actions' service, and of a resource type
/// each (non-wildcard) action applies to.
fn reference_fits_the_actions(
    r: &Value,
    segments: &[Name],
    granted: &[Granted],
    scope: &Scope,
    diags: &mut Diagnostics,
) {
    let target = match scope.resolve(segments) {
        Ok(Target::Unknown) => return,
        // An ARN string (or list of them) given at run time: checked as a
        // literal ARN when it is bound.
        Ok(Target::Param {
            param, attr: None, ..
        }) if matches!(&param.ty, ParamType::Str)
            || matches!(&param.ty, ParamType::List(t) if **t == ParamType::Str) =>
        {
            return
        }
        Ok(t) => t,
        Err(d) => return diags.push(d),
    };
    let Some(kind) = target.kind() else {
        return diags.error(
            r.loc(),
            format!("`{}` is not a resource", path_text(segments)),
        );
    };
    let attr = target.attr().or_else(|| kind.attr(kind.arn_attr));
    if let Some(d) = raw_without_iam_type(kind, attr, segments) {
        return diags.push(d);
    }
    let Some((arn_service, rtype)) = attr.and_then(|a| a.iam) else {
        let arns = arn_attrs(kind, &segments[0].text);
        let d = Diagnostic::new(
            segments.last().map_or(r.loc(), |s| s.loc),
            format!(
                "`{}` is not an ARN, so nothing can be granted on it",
                path_text(segments)
            ),
        );
        return diags.push(if arns.is_empty() {
            d
        } else {
            d.help(format!("grant on {}", arns.join(" or ")))
        });
    };
    for g in granted.iter().filter(|g| !g.wildcard) {
        let (a, service) = (g.action, g.service);
        let info = g.infos[0];
        let what = format!("`{}` (a `{}`)", path_text(segments), kind.name);
        if !info.supports_resource_level() {
            diags.push(no_resource_level(a));
        } else if !service.prefix.eq_ignore_ascii_case(arn_service) {
            diags.push(
                Diagnostic::new(a.loc, format!("`{}` cannot be granted on {what}: it is an action of `{}`, not `{arn_service}`", a.text, service.prefix))
                    .help(suggest_action(arn_service, &a.text)),
            );
        } else if !service.resource_types_of(info).any(|t| t.name == rtype) {
            let applies: Vec<&str> = service.resource_types_of(info).map(|t| t.name).collect();
            let d = Diagnostic::new(r.loc(), format!("`{}` cannot be granted on {what}: that is a `{rtype}` ARN, and `{}` applies to {}", a.text, a.text, applies.join(", ")));
            diags.push(match better_attr(kind, service, info) {
                Some(attr) => d.help(format!("grant it on `{}.{attr}`", segments[0].text)),
                None => d,
            });
        }
    }
}

/// The attributes of a resource that are ARNs IAM knows, as written (`data.arn`).
fn arn_attrs(kind: &Kind, name: &str) -> Vec<String> {
    kind.attrs
        .iter()
        .filter(|a| a.iam.is_some())
        .map(|a| format!("`{name}.{}`", a.name))
        .collect()
}

/// A raw resource IAM has no resource type for (a bucket policy, a route):
/// nothing can be granted on it by reference.
fn raw_without_iam_type(
    kind: &Kind,
    attr: Option<&crate::model::kind::Attr>,
    segments: &[Name],
) -> Option<Diagnostic> {
    let schema = crate::model::raw::schema_of(kind)?;
    if attr.is_some_and(|a| a.iam.is_some()) {
        return None;
    }
    let loc = segments.last().map_or(Loc::NONE, |s| s.loc);
    let what = path_text(segments);
    if schema.no_iam != 0 && schema.iam.is_empty() {
        return Some(
            Diagnostic::new(
                loc,
                format!("`{what}`: IAM has no resource type for `{}`, so nothing can be granted on it", kind.cfn_type),
            )
            .help("grant on the resource it configures, or on `*` with `because \"…\"` if the actions take no resource"),
        );
    }
    let arns = arn_attrs(kind, &segments[0].text);
    let d = Diagnostic::new(
        loc,
        format!("`{what}` is not an ARN IAM knows for `{}`", kind.cfn_type),
    );
    Some(if arns.is_empty() {
        d.help("write the ARN as a string (`\"arn:${AWS::Partition}:…\"`): its IAM resource type is then read from it")
    } else {
        d.help(format!("grant on {}", arns.join(" or ")))
    })
}

/// A statement whose actions and resources another statement of the same
/// effect, principal and condition already covers hides what the policy means.
fn redundant(items: &[Value], diags: &mut Diagnostics) {
    // Principal and condition as written, wherever written: computed once.
    let statements: Vec<(&Statement, serde_json::Value)> = items
        .iter()
        .filter_map(|i| match i {
            Value::Statement(s) => Some((&**s, where_free(s))),
            _ => None,
        })
        .collect();
    for (i, (a, ka)) in statements.iter().enumerate() {
        let covering = statements.iter().enumerate().find(|(j, (b, kb))| {
            *j != i
                && ka == kb
                && covers(b, a)
                // Two identical statements: the later one is the redundant one.
                && !(covers(a, b) && *j > i)
        });
        if let Some((_, (b, _))) = covering {
            let first = b.actions.first().map_or("*", |x| x.text.as_str());
            diags.push(
                Diagnostic::new(a.loc, format!(
                    "this statement grants nothing more than the one starting `{first}`, which covers its actions and resources"
                ))
                .help("remove it, or merge what differs into one statement"),
            );
        }
    }
}

/// Whether statement `b` allows (or denies) everything statement `a` does,
/// their principals and conditions being the same.
fn covers(b: &Statement, a: &Statement) -> bool {
    if a.effect != b.effect
        || a.not_actions
        || b.not_actions
        || a.not_resources
        || b.not_resources
        || a.not_principal != b.not_principal
    {
        return false;
    }
    // A pattern covers what it matches; a pattern is covered only by the same
    // pattern (or `*`): `s3:GetObject?` does not cover `s3:GetObject*`.
    let literal = |t: &str| !t.contains(['*', '?']);
    let actions = a.actions.iter().all(|x| {
        b.actions.iter().any(|y| {
            y.text == "*"
                || y.text.eq_ignore_ascii_case(&x.text)
                || (literal(&x.text)
                    && glob_match(&y.text.to_ascii_lowercase(), &x.text.to_ascii_lowercase()))
        })
    });
    let resources = a.resources.iter().all(|x| {
        b.resources.iter().any(|y| match (y, x) {
            (Value::Str { text: t, .. }, _) if t == "*" => true,
            (Value::Str { text: p, .. }, Value::Str { text: q, .. }) => {
                p == q || (literal(q) && glob_match(p, q))
            }
            (Value::Path { segments: p }, Value::Path { segments: q }) => {
                path_text(p) == path_text(q)
            }
            _ => false,
        })
    });
    actions && resources
}

/// A statement's principal and condition without the places they were
/// written: equal for two statements that say the same.
fn where_free(s: &Statement) -> serde_json::Value {
    serde_json::json!([
        s.principal.as_ref().map(strip),
        s.condition.as_ref().map(strip)
    ])
}

fn strip(v: &Value) -> serde_json::Value {
    let mut j = serde_json::to_value(v).unwrap_or_default();
    fn clear(j: &mut serde_json::Value) {
        match j {
            serde_json::Value::Object(m) => {
                m.remove("loc");
                m.values_mut().for_each(clear);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(clear),
            _ => {}
        }
    }
    clear(&mut j);
    j
}

fn no_resource_level(a: &Action) -> Diagnostic {
    Diagnostic::new(
        a.loc,
        format!("`{}` supports no resource-level permissions", a.text),
    )
    .help(format!(
        "grant it in a statement of its own: `{} on *` (no reason needed)",
        a.text
    ))
}

/// An attribute of the same kind whose ARN type the action applies to (`bucket.objects`).
pub(crate) fn better_attr(
    kind: &Kind,
    service: &Service,
    info: &ActionInfo,
) -> Option<&'static str> {
    kind.attrs
        .iter()
        .find(|attr| {
            attr.iam.is_some_and(|(s, t)| {
                s == service.prefix && service.resource_types_of(info).any(|rt| rt.name == t)
            })
        })
        .map(|a| a.name)
}

fn suggest_action(service: &str, action: &str) -> String {
    format!("grant an action of `{service}` on it, or grant `{action}` on a resource of its own service")
}

/// Whether statement `s` covers `action` (by name or pattern; `not ACTIONS`
/// covers every action it does not name).
pub(crate) fn grants_action(s: &Statement, action: &str) -> bool {
    let action = action.to_ascii_lowercase();
    let named = s
        .actions
        .iter()
        .any(|a| a.text == "*" || glob_match(&a.text.to_ascii_lowercase(), &action));
    named != s.not_actions
}

/// Does `role` allow `action` on the resource named `target` (an attribute of it, or `*`)?
pub(crate) fn role_allows(
    role: &ResourceDecl,
    scope: &Scope,
    action: &str,
    target: &str,
    attrs: &[&str],
) -> bool {
    let Some(Value::List { items, .. }) = field(&role.fields, "allow") else {
        return false;
    };
    items.iter().any(|item| {
        let Value::Statement(s) = item else {
            return false;
        };
        let action_ok = grants_action(s, action);
        let on_target = s.resources.iter().any(|r| match r {
            Value::Str { text, .. } => text == "*",
            Value::Path { segments } => match scope.resolve(segments) {
                Ok(Target::Resource { decl, kind, attr }) => {
                    decl.name.text == target
                        && (attrs.is_empty()
                            || attrs.contains(&attr.map_or(kind.arn_attr, |a| a.name)))
                }
                _ => false,
            },
            _ => false,
        });
        // `on not RESOURCES` allows on every resource it does not name; what
        // it names may be the target itself, so only a clear miss counts.
        let resource_ok = if s.not_resources {
            !on_target && s.resources.iter().all(|r| matches!(r, Value::Path { .. }))
        } else {
            on_target
        };
        action_ok && resource_ok
    })
}
