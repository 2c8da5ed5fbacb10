//! Message filters: EventBridge's event patterns, Lambda's event filters and
//! SNS's filter policies share a shape. An object of fields, nested as the
//! message is, whose every value to match is a list (`source: ["aws.s3"]`);
//! a bare value is refused when the rule, mapping or subscription is created.

use crate::base::diag::{Diagnostic, Diagnostics, Loc};
use crate::base::ir::*;

/// SNS's limit on the keys of one filter policy.
const SNS_MAX_KEYS: usize = 5;

/// Every finding about one filter; `service` names who reads it, and
/// `nested` whether it matches nested fields (SNS matches a message's
/// attributes, which are flat, unless it filters the body).
pub fn check(v: &Value, service: &str, nested: bool, diags: &mut Diagnostics) {
    if let Some((loc, problem)) = problem(v, service, nested, true) {
        diags.error(loc, problem);
        return;
    }
    if service == "SNS" {
        let keys = leaf_keys(v);
        if keys > SNS_MAX_KEYS {
            diags.error(
                v.loc(),
                format!("SNS takes a filter policy of at most {SNS_MAX_KEYS} keys, and this one has {keys}"),
            );
        }
    }
}

/// A filter written into the template as a JSON string (a rule's `input`,
/// a mapping's filters): CloudFormation does not look inside a string, so
/// a reference or `${…}` there would reach AWS as its own text.
pub fn literal(v: &Value, what: &str, diags: &mut Diagnostics) {
    if let Some(loc) = non_literal(v) {
        diags.push(
            Diagnostic::new(loc, format!("{what} is sent to AWS as JSON text, so it holds values only: a reference or `${{…}}` would arrive as written"))
                .help("write the value itself"),
        );
    }
}

fn non_literal(v: &Value) -> Option<Loc> {
    match v {
        Value::Str { text, loc } if text.contains("${") => Some(*loc),
        Value::Path { .. } | Value::Call { .. } | Value::Statement(_) => Some(v.loc()),
        Value::List { items, .. } => items.iter().find_map(non_literal),
        Value::Object { fields, .. } => fields.iter().find_map(|f| non_literal(&f.value)),
        _ => None,
    }
}

fn leaf_keys(v: &Value) -> usize {
    match v {
        Value::Object { fields, .. } => fields
            .iter()
            .map(|f| match &f.value {
                Value::Object { .. } => leaf_keys(&f.value),
                _ => 1,
            })
            .sum(),
        _ => 0,
    }
}

fn problem(v: &Value, service: &str, nested: bool, top: bool) -> Option<(Loc, String)> {
    match v {
        Value::Object { fields, loc, .. } => {
            if fields.is_empty() {
                return Some((*loc, "a filter matches on at least one field".into()));
            }
            fields.iter().find_map(|f| match &f.value {
                Value::Object { loc, .. } if !nested => Some((
                    *loc,
                    format!("SNS matches a message's attributes, which are not nested: `{}` cannot hold fields (add `filter_body: true` to match the body's)", f.key.text),
                )),
                Value::Object { .. } => problem(&f.value, service, nested, false),
                Value::List { items, loc } if items.is_empty() => Some((
                    *loc,
                    format!("`{}` matches nothing: an empty list", f.key.text),
                )),
                Value::List { .. } => None,
                other => Some((
                    other.loc(),
                    format!(
                        "{service} matches `{}` against a list of values: write `[{}]`",
                        f.key.text,
                        other.describe()
                    ),
                )),
            })
        }
        other if top => Some((
            other.loc(),
            "a filter is an object of fields: `{ source: [\"aws.s3\"] }`".into(),
        )),
        _ => None,
    }
}
