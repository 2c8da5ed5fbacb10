//! IAM policy documents written as data, in raw resources' properties
//! (`cfn::IAM::ManagedPolicy { PolicyDocument: { … } }`, a raw key's
//! `KeyPolicy`): the checks that need no DSL, held to the same catalog as
//! statements: every action exists, every condition is IAM's, every service
//! principal names a service and every account is one.

use super::principals;
use crate::base::diag::{Diagnostic, Diagnostics};
use crate::base::ir::*;

/// Every policy document inside a raw property value; `trust` for a role's
/// `AssumeRolePolicyDocument`, where `"*"` would let every account in.
pub fn check(v: &Value, trust: bool, diags: &mut Diagnostics) {
    match v {
        Value::Object { fields, .. } => match field(fields, "Statement") {
            Some(Value::List { items, .. }) if items.iter().any(iam_shaped) => {
                for s in items {
                    if let Value::Object { fields, loc, .. } = s {
                        statement(fields, *loc, trust, diags);
                    }
                }
            }
            // One statement may stand alone, not in a list.
            Some(s @ Value::Object { fields, loc, .. }) if iam_shaped(s) => {
                statement(fields, *loc, trust, diags)
            }
            // Another service's `Statement` (a WAF rule's): data like any other.
            _ => fields.iter().for_each(|f| check(&f.value, trust, diags)),
        },
        Value::List { items, .. } => items.iter().for_each(|i| check(i, trust, diags)),
        _ => {}
    }
}

/// Whether a `Statement` is an IAM policy statement: it has one of the keys
/// only IAM's statements have. A WAF rule's `Statement`
/// (`{ ByteMatchStatement: … }`) has none and is not judged as one.
fn iam_shaped(v: &Value) -> bool {
    const IAM_KEYS: &[&str] = &[
        "Effect",
        "Action",
        "NotAction",
        "Principal",
        "NotPrincipal",
        "Resource",
        "NotResource",
        "Condition",
        "Sid",
    ];
    matches!(v, Value::Object { fields, .. } if fields.iter().any(|f| IAM_KEYS.contains(&f.key.text.as_str())))
}

fn strings(v: Option<&Value>) -> Vec<(&str, crate::base::diag::Loc)> {
    match v {
        Some(Value::Str { text, loc }) => vec![(text.as_str(), *loc)],
        Some(Value::List { items, .. }) => items
            .iter()
            .filter_map(|i| match i {
                Value::Str { text, loc } => Some((text.as_str(), *loc)),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn statement(fields: &[Field], loc: crate::base::diag::Loc, trust: bool, diags: &mut Diagnostics) {
    let effect = match field(fields, "Effect") {
        Some(Value::Str { text, .. }) if text == "Allow" => Effect::Allow,
        Some(Value::Str { text, .. }) if text == "Deny" => Effect::Deny,
        // A parameter, or text known at deploy time: not judged here.
        Some(Value::Path { .. }) => return,
        Some(Value::Str { text, .. }) if text.contains("${") => return,
        Some(other) => {
            diags.push(
                Diagnostic::new(other.loc(), "`Effect` is `\"Allow\"` or `\"Deny\"`")
                    .suggest(&other.describe().replace('"', ""), ["Allow", "Deny"]),
            );
            return;
        }
        None => {
            diags.error(loc, "a policy statement needs `Effect`");
            return;
        }
    };
    let not_actions = field(fields, "Action").is_none() && field(fields, "NotAction").is_some();
    let actions: Vec<Action> = strings(field(fields, "Action").or(field(fields, "NotAction")))
        .into_iter()
        .filter(|(t, _)| !t.contains("${"))
        .map(|(t, l)| Action {
            text: t.to_string(),
            loc: l,
        })
        .collect();
    let mut keyed = Vec::new();
    for a in actions.iter().filter(|a| a.text != "*") {
        match crate::data::iam::action::lookup_in_policy(a) {
            Ok(found) => keyed.push(found),
            Err(d) => diags.push(d),
        }
    }
    if effect == Effect::Allow {
        if let Some(p) = field(fields, "NotPrincipal") {
            diags.push(
                Diagnostic::new(p.loc(), "`NotPrincipal` in an Allow grants to every principal but these, in every account")
                    .help("name who is allowed in `Principal`; `NotPrincipal` belongs in a Deny"),
            );
        }
    }
    for key in ["Principal", "NotPrincipal"] {
        if let Some(Value::Object { fields: p, .. }) = field(fields, key) {
            for (text, l) in strings(field(p, "Service")) {
                principals::service(text, l, diags);
            }
            for (text, l) in strings(field(p, "AWS")) {
                if text == "*" && trust && key == "Principal" && effect == Effect::Allow {
                    diags.push(
                        Diagnostic::new(
                            l,
                            "`\"AWS\": \"*\"` lets every AWS account assume this role",
                        )
                        .help("name who assumes it: an account, a role ARN, or a `Service`"),
                    );
                }
                if text != "*" {
                    principals::account(text, l, diags);
                }
            }
        }
    }
    let s = Statement {
        effect,
        actions,
        not_actions,
        resources: Vec::new(),
        not_resources: false,
        principal: None,
        not_principal: false,
        condition: field(fields, "Condition").cloned(),
        // Data carries no `because`: what needs a written reason (the set
        // operators' pitfalls) is left to the author, as for wildcards.
        reason: Some(Name::new("policy document written as data", loc)),
        loc,
    };
    super::conditions::check(&s, &keyed, diags);
}
