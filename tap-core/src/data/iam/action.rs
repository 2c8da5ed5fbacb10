//! An action as a stack or a contract writes it, looked up in the catalog:
//! the service and the actions it names, or why it is not one.

use crate::base::diag::Diagnostic;
use crate::base::ir::Action;
use crate::data::iam::catalog::{catalog, ActionInfo, LookupError, Service};

/// An action in the IAM catalog, or why it is not one (with did-you-mean).
pub fn lookup(a: &Action) -> Result<(&'static Service, Vec<&'static ActionInfo>), Diagnostic> {
    match catalog().resolve(&a.text) {
        Ok(found) => Ok(found),
        Err(LookupError::Malformed) => Err(Diagnostic::new(
            a.loc,
            format!("`{}` is not an IAM action", a.text),
        )
        .help("IAM actions are written `service:Action`, such as `s3:GetObject`")),
        Err(LookupError::UnknownService(sugg)) => {
            let prefix = a.text.split(':').next().unwrap_or_default();
            let d = Diagnostic::new(
                a.loc,
                format!("unknown AWS service prefix `{prefix}` in `{}`", a.text),
            );
            Err(match sugg {
                Some(s) => d.help(format!(
                    "did you mean `{s}:{}`?",
                    a.text.split_once(':').map_or("", |x| x.1)
                )),
                None => d,
            })
        }
        Err(LookupError::UnknownAction(sugg)) => {
            let d = Diagnostic::new(a.loc, format!("`{}` is not an IAM action", a.text));
            Err(match sugg {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => d.help(format!(
                    "see the service's actions in the IAM reference (catalog: {})",
                    catalog().source
                )),
            })
        }
        Err(LookupError::NoMatch) => Err(Diagnostic::new(
            a.loc,
            format!("`{}` matches no IAM action", a.text),
        )),
    }
}

/// [`lookup`] for an action in a stack's policy, where tap is deliberately
/// stricter than CloudFormation: its message says so, and why.
pub fn lookup_in_policy(
    a: &Action,
) -> Result<(&'static Service, Vec<&'static ActionInfo>), Diagnostic> {
    lookup(a).map_err(|mut d| {
        d.message
            .push_str(": CloudFormation would accept it, and the policy would never grant it");
        d
    })
}
