//! CloudFormation's template quotas, judged on the template tap synthesises
//! (companion resources included), so a stack that would be refused at deploy
//! time is refused at compile time.
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html>

use crate::base::diag::{Diagnostic, Diagnostics, Loc};
use crate::base::template::Template;

pub const MAX_RESOURCES: usize = 500;
pub const MAX_OUTPUTS: usize = 200;
pub const MAX_PARAMETERS: usize = 200;
/// tap writes no `Mappings` (values are bound in Rust), so their limit of 200
/// cannot be reached.
/// A template uploaded to S3 (tap uploads every template over 51,200 bytes).
pub const MAX_TEMPLATE_BYTES: usize = 1_048_576;
pub const MAX_LOGICAL_ID: usize = 255;

/// What is wrong with a logical ID, if anything: CloudFormation takes
/// `[A-Za-z0-9]`, at most 255 characters.
pub fn logical_id_problem(id: &str) -> Option<String> {
    if id.is_empty() {
        return Some("a logical ID cannot be empty".into());
    }
    if let Some(c) = id.chars().find(|c| !c.is_ascii_alphanumeric()) {
        return Some(format!(
            "logical ID `{id}` has `{c}`: CloudFormation takes letters and digits only"
        ));
    }
    if id.len() > MAX_LOGICAL_ID {
        return Some(format!(
            "logical ID `{}…` is {} characters; CloudFormation's limit is {MAX_LOGICAL_ID}",
            &id[..32],
            id.len()
        ));
    }
    None
}

/// Every quota the template exceeds, reported at `loc` (the stack's name).
pub fn check(template: &Template, stack_name: &str, loc: Loc, diags: &mut Diagnostics) {
    let count = |what: &str, n: usize, max: usize, help: &str| {
        (n > max).then(|| {
            Diagnostic::new(
                loc,
                format!("stack `{stack_name}` synthesises {n} {what}; CloudFormation's limit is {max} per stack"),
            )
            .help(help.to_string())
        })
    };
    let found = [
        count(
            "resources (companions included)",
            template.resources.len(),
            MAX_RESOURCES,
            "split the stack in two and pass resources between them as stack parameters",
        ),
        count(
            "outputs",
            template.outputs.len(),
            MAX_OUTPUTS,
            "keep the outputs other stacks or people read",
        ),
        count(
            "parameters",
            template.parameters.len(),
            MAX_PARAMETERS,
            "bind values in Rust instead of template parameters",
        ),
    ];
    for d in found.into_iter().flatten() {
        diags.push(d);
    }
    for id in template
        .resources
        .keys()
        .chain(template.outputs.keys())
        .chain(template.parameters.keys())
    {
        if let Some(problem) = logical_id_problem(id) {
            diags.error(loc, problem);
        }
    }
    let bytes = template.to_json().to_string().len();
    if bytes > MAX_TEMPLATE_BYTES {
        diags.push(
            Diagnostic::new(
                loc,
                format!("stack `{stack_name}`'s template is {bytes} bytes; CloudFormation's limit is {MAX_TEMPLATE_BYTES}"),
            )
            .help("split the stack in two"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::template::Resource;

    #[test]
    fn logical_ids() {
        assert_eq!(logical_id_problem("DataBucket"), None);
        assert!(logical_id_problem("data-bucket").is_some());
        assert!(logical_id_problem(&"A".repeat(256)).is_some());
        assert_eq!(logical_id_problem(&"A".repeat(255)), None);
    }

    #[test]
    fn counts_what_is_synthesised() {
        let mut t = Template::default();
        for i in 0..=MAX_RESOURCES {
            t.resources
                .insert(format!("Q{i}"), Resource::new("AWS::SQS::Queue"));
        }
        let mut d = Diagnostics::default();
        check(&t, "Big", Loc::NONE, &mut d);
        let all = d.into_vec();
        assert_eq!(all.len(), 1, "{all:?}");
        assert!(
            all[0].message.contains("501 resources"),
            "{}",
            all[0].message
        );
        assert!(all[0].message.contains("limit is 500"));
    }
}
