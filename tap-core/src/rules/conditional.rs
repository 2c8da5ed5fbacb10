//! Resources that exist only under a condition, used where they may not
//! exist: a resource or output with no condition of its own that refers to
//! one (a `Ref`, an attribute, `${…}`, `DependsOn`) outside any `Fn::If`.
//! When the condition is false, CloudFormation refuses the template
//! ("Unresolved resource dependencies"), so the stack deploys for some
//! parameter values and not others. cfn-lint warns of it (W1001).
//!
//! Only what is certain is refused: a user with a condition of its own, or
//! a reference inside either branch of a `Fn::If`, may well be guarded by
//! it (telling needs the conditions' logic), so those are left alone.

use crate::base::diag::{Diagnostic, Diagnostics};
use crate::base::ir::*;
use crate::model::resolve::Scope;

/// The resource attribute that names a resource's condition, and the
/// output field that names an output's.
const RESOURCE_CONDITION: &str = "Condition";
const OUTPUT_CONDITION: &str = "condition";

pub fn check(stack: &StackDef, scope: &Scope, diags: &mut Diagnostics) {
    for decl in stack.resources() {
        if condition_of(decl).is_some() {
            continue;
        }
        for f in decl.fields.iter().filter(|f| f.key.text != BECAUSE) {
            unguarded(scope, &f.value, &format!("`{}`", decl.name.text), diags);
        }
    }
    for out in stack.outputs() {
        if field(&out.fields, OUTPUT_CONDITION).is_some() {
            continue;
        }
        for f in &out.fields {
            unguarded(
                scope,
                &f.value,
                &format!("output `{}`", out.name.text),
                diags,
            );
        }
    }
}

/// The condition a raw resource is created under, unless its type has a
/// property of that name (`AWS::Events::EventBusPolicy`'s `Condition`).
fn condition_of(decl: &ResourceDecl) -> Option<&Value> {
    let ty = crate::model::raw::cfn_type(&decl.kind.text)?;
    let is_property = crate::data::cfn::catalog::schema(&ty)
        .is_some_and(|s| s.properties.contains_key(RESOURCE_CONDITION));
    if is_property {
        return None;
    }
    field(&decl.fields, RESOURCE_CONDITION)
}

/// Each conditional resource `v` refers to outside a `Fn::If`.
fn unguarded(scope: &Scope, v: &Value, user: &str, diags: &mut Diagnostics) {
    match v {
        Value::Call { func, .. } if func.text == "Fn::If" => {}
        Value::Call { args, .. } => args.iter().for_each(|a| unguarded(scope, a, user, diags)),
        Value::List { items, .. } => items.iter().for_each(|a| unguarded(scope, a, user, diags)),
        Value::Object { fields, .. } => fields
            .iter()
            .for_each(|f| unguarded(scope, &f.value, user, diags)),
        _ => {
            let mut names = Vec::new();
            scope.referenced(v, &mut names);
            for name in names {
                let Some((decl, _)) = scope.resources.get(name) else {
                    continue;
                };
                let Some(condition) = condition_of(decl) else {
                    continue;
                };
                let condition = match condition {
                    Value::Path { segments } if segments.len() == 1 => segments[0].text.clone(),
                    _ => continue,
                };
                // A name that is no identifier is written `Condition("2Tables")`.
                let written = if condition.starts_with(|c: char| c.is_ascii_alphabetic()) {
                    condition.clone()
                } else {
                    format!("Condition(\"{condition}\")")
                };
                diags.push(
                    Diagnostic::new(
                        v.loc(),
                        format!(
                            "`{name}` exists only when condition `{condition}` holds, but {user} has no condition and uses it: when `{condition}` is false, CloudFormation refuses the template (unresolved dependency)"
                        ),
                    )
                    .help(format!(
                        "give {user} the same condition, or use `{name}` inside `Fn::If({written}, …, AWS::NoValue)`"
                    )),
                );
            }
        }
    }
}
