//! Message filters: EventBridge's event patterns and SNS's filter policies
//! share a shape. An object of fields, nested as the message is, whose every
//! value to match is a list (`source: ["aws.s3"]`); a bare value is refused
//! when the rule or subscription is created.

use crate::base::diag::{Diagnostics, Loc};
use crate::base::ir::*;

/// Every finding about one pattern; `service` names who reads it.
pub fn check(v: &Value, service: &str, diags: &mut Diagnostics) {
    if let Some((loc, problem)) = problem(v, service, true) {
        diags.error(loc, problem);
    }
}

fn problem(v: &Value, service: &str, top: bool) -> Option<(Loc, String)> {
    match v {
        Value::Object { fields, loc, .. } => {
            if fields.is_empty() {
                return Some((*loc, "a filter matches on at least one field".into()));
            }
            fields.iter().find_map(|f| match &f.value {
                Value::Object { .. } => problem(&f.value, service, false),
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
