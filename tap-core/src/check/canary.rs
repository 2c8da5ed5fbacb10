//! A canary or linear deployment exists to roll back when something goes wrong;
//! without an alarm it never can.

use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::*;
use crate::resolve::Scope;

pub fn check(stack: &StackDef, _scope: &Scope, diags: &mut Diagnostics) {
    for group in stack
        .resources()
        .filter(|d| d.kind.text == "codedeploy::LambdaDeploymentGroup")
    {
        let Some(Value::Path { segments }) = field(&group.fields, "config") else {
            continue;
        };
        let Some(config) = segments.first() else {
            continue;
        };
        if config.text == "AllAtOnce" {
            continue;
        }
        let alarms = match field(&group.fields, "alarms") {
            Some(Value::List { items, .. }) => items.len(),
            Some(_) => 1, // a parameter: checked where it is given
            None => 0,
        };
        if alarms == 0 {
            let loc = match field(&group.fields, "alarms") {
                Some(v) => v.loc(),
                None => config.loc,
            };
            diags.push(
                Diagnostic::new(loc, format!("the `{}` deployment has no alarm to roll back on, so a bad version always reaches all traffic", config.text))
                    .help("give the deployment group `alarms: [error_alarm]` (an alarm on the function's errors)"),
            );
        }
    }
}
