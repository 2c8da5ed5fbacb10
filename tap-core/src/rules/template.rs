//! The last stage of the checks: the template itself. What CloudFormation
//! refuses about a whole template (a dependency cycle, more than 500
//! resources) depends on what the kinds lower to (a function waits for its
//! role's policy; a bucket brings its policy), so it is judged on the lowered
//! template, after the model checks have passed, and by the same lowering the
//! deploy uses.

use crate::base::diag::{Diagnostic, Diagnostics};
use crate::base::ir::*;
use crate::base::naming::{display_name, logical_id};
use crate::base::template::Template;
use std::collections::BTreeMap;

/// Judges the template a checked stack lowers to: dependency cycles, at the
/// declaration that starts them, and CloudFormation's quotas.
pub fn check(stack: &StackDef, template: &Template, diags: &mut Diagnostics) {
    let by_id: BTreeMap<String, &ResourceDecl> = stack
        .resources()
        .map(|d| (logical_id(&d.name.text), d))
        .collect();
    crate::data::cfn::limits::check(template, &stack.name.text, stack.name.loc, diags);
    for o in super::policy_size::check(template) {
        // The declaration that writes the policy: the resource itself,
        // or the one whose companion it is (`DataPolicy`, `RoleDefaultPolicy`).
        let decl = by_id
            .iter()
            .filter(|(id, _)| o.owner.starts_with(id.as_str()))
            .max_by_key(|(id, _)| id.len())
            .map(|(_, d)| *d);
        let loc = decl.map_or(stack.name.loc, |d| d.name.loc);
        let who = decl.map_or(o.owner.clone(), |d| display_name(&d.name.text));
        diags.push(
                    Diagnostic::new(loc, format!(
                        "`{who}`: {} of at least {} characters; IAM's limit is {}",
                        o.what, o.size, o.limit
                    ))
                    .help("merge statements with the same effect and resources, or split the grants over two roles"),
                );
    }
    if let Some(cycle) = template.find_cycle() {
        let decl = cycle.iter().find_map(|id| by_id.get(id));
        let names: Vec<String> = cycle
            .iter()
            .map(|id| {
                by_id
                    .get(id)
                    .map_or(id.clone(), |d| display_name(&d.name.text))
            })
            .collect();
        let loc = decl.map_or(stack.name.loc, |d| d.name.loc);
        diags.push(
                    Diagnostic::new(loc, format!("dependency cycle: {}", names.join(" → ")))
                        .help("CloudFormation cannot create resources that wait on each other; break the cycle by referring to one of them by a literal name"),
                );
    }
}
