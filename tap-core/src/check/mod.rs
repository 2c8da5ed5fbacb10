//! The compile-time checks, as plain Rust on the IR. The macro calls [`check`]
//! and turns every finding into a compile error at its span; a stack built at run
//! time can be checked the same way.

pub mod conditions;
mod contract;
pub(crate) mod documents;
pub(crate) mod iam;
mod names;
mod policy_size;
mod principals;
pub(crate) mod props;
mod template;

use crate::constructs;
use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::{ConstructDef, StackDef};
use crate::resolve::Scope;
pub use props::BECAUSE;
use std::path::PathBuf;

/// What the checks need besides the stack.
#[derive(Default, Clone)]
pub struct Options {
    /// Where `asset("…")` paths are relative to (the defining crate's directory);
    /// `None` skips the asset existence check.
    pub base_dir: Option<PathBuf>,
    /// Reads the contract of the function crate in a directory (`Ok(None)`:
    /// it declares none). The macro supplies it; without it, functions are
    /// not held to their code.
    pub contract_of: Option<ContractReader>,
}

/// See [`Options::contract_of`].
pub type ContractReader = fn(&std::path::Path) -> Result<Option<crate::contract::Contract>, String>;

/// A stack that has passed every check, with its parameters' values in place
/// (constructs inlined, bound values where they are used, each absent optional
/// parameter's default or omission applied): the one thing synthesis lowers.
/// Only the checks make one, so the lowering never judges a stack again.
#[derive(Debug, Clone)]
pub struct Resolved {
    stack: StackDef,
    /// The resource handles still to resolve (resource parameters).
    bindings: crate::synth::Bindings,
}

impl Resolved {
    pub fn stack(&self) -> &StackDef {
        &self.stack
    }
    pub fn bindings(&self) -> &crate::synth::Bindings {
        &self.bindings
    }
}

/// Why a stack could not be resolved: the findings, and for each place a bound
/// value was put, the parameters it came from (a finding there is about them).
#[derive(Debug, Default)]
pub struct Unresolved {
    pub diagnostics: Vec<Diagnostic>,
    pub origins: std::collections::BTreeMap<crate::diag::Loc, std::collections::BTreeSet<String>>,
}

/// Binds a checked definition's parameters and checks the result as literals
/// are checked: the model synthesis lowers, or what is wrong with it.
pub fn resolve(
    stack: &StackDef,
    bindings: &crate::synth::Bindings,
) -> Result<Resolved, Unresolved> {
    let missing: Vec<Diagnostic> = stack
        .params
        .iter()
        .filter(|p| !p.optional && !bindings.0.contains_key(&p.name.text))
        .map(|p| {
            Diagnostic::new(
                p.name.loc,
                format!(
                    "stack `{}` needs parameter `{}`",
                    stack.name.text, p.name.text
                ),
            )
        })
        .collect();
    let applied = match crate::params::apply(stack, bindings) {
        Ok(a) => a,
        Err(d) => {
            let mut diagnostics = missing;
            diagnostics.push(d);
            return Err(Unresolved {
                diagnostics,
                origins: Default::default(),
            });
        }
    };
    let found = if missing.is_empty() {
        check_bound(&applied.stack)
    } else {
        missing
    };
    if found.is_empty() {
        Ok(Resolved {
            stack: applied.stack,
            bindings: applied.bindings,
        })
    } else {
        Err(Unresolved {
            diagnostics: found,
            origins: applied.origins,
        })
    }
}

/// The stack with its constructs inlined, and everything wrong with it.
pub struct Checked {
    pub stack: StackDef,
    pub diagnostics: Vec<Diagnostic>,
}

/// Runs every check and collects all findings (never just the first).
pub fn check(stack: &StackDef, constructs: &[ConstructDef], options: &Options) -> Checked {
    let mut diags = Diagnostics::default();
    let stack = constructs::inline(stack, constructs, &mut diags);
    crate::params::check(&stack, &Scope::new(&stack), &mut diags);
    rules(&stack, options, &mut diags);
    defaults(&stack, &mut diags);
    Checked {
        stack,
        diagnostics: diags.into_vec(),
    }
}

/// The checks of a definition whose parameters have their values in place
/// ([`crate::params::apply`]): a bound value is judged as a literal would be.
pub fn check_bound(stack: &StackDef) -> Vec<Diagnostic> {
    let mut diags = Diagnostics::default();
    rules(stack, &Options::default(), &mut diags);
    diags.into_vec()
}

/// Each parameter default judged where it is used, as the literal it is
/// (`m: Option<Int> = 20000` used as `memory: m` is out of range), reported
/// at the default.
fn defaults(stack: &StackDef, diags: &mut Diagnostics) {
    let at: Vec<crate::diag::Loc> = stack
        .params
        .iter()
        .filter(|p| crate::params::default_is_well_typed(p))
        .filter_map(|p| p.default.as_ref().map(|d| d.loc()))
        .collect();
    if at.is_empty() {
        return;
    }
    let Ok(with_defaults) = crate::params::apply_defaults(stack) else {
        return; // the parameter checks have said why
    };
    let mut found = Diagnostics::default();
    props::check(
        &with_defaults,
        &Scope::new(&with_defaults),
        &Options::default(),
        &mut found,
    );
    for d in found.into_vec() {
        if at.contains(&d.loc) && !diags.0.contains(&d) {
            diags.push(d);
        }
    }
}

fn rules(stack: &StackDef, options: &Options, diags: &mut Diagnostics) {
    {
        let scope = Scope::new(stack);
        names::check(stack, &scope, diags);
        props::check(stack, &scope, options, diags);
        iam::check(stack, &scope, diags);
        contract::check(stack, &scope, options, diags);
        // Each kind's own cross-checks, from its file in `kinds/`.
        for decl in stack.resources() {
            if let Some(check) = crate::kinds::kind(&decl.kind.text).and_then(|k| k.check) {
                check(decl, &scope, diags);
            }
        }
    }
    // Then the template the model lowers to: cycles and quotas are exactly
    // what CloudFormation would reject.
    if diags.is_empty() {
        template::check(stack, diags);
    }
}
