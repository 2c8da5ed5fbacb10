//! The check driver: runs every rule on a stack and collects all findings.
//! The macro calls [`check`] and turns every finding into a compile error at
//! its span; at run time [`resolve`] judges the definition with its
//! parameters in place by the same rules (for a stack built at run time, all
//! of them but the asset and contract checks, which need the macro). The rules
//! themselves live in `rules/`, one module per family, and each curated kind's
//! own cross-checks in its file in `kinds/`.

pub use crate::base::ir::BECAUSE;
pub use crate::model::resolved::{Resolved, Unresolved};
pub use crate::rules::{conditions, ContractReader, Options};

use crate::base::diag::{Diagnostic, Diagnostics};
use crate::base::ir::{ConstructDef, StackDef};
use crate::kinds;
use crate::model::bindings::Bindings;
use crate::model::resolve::Scope;
use crate::model::{constructs, params};
use crate::rules::{self, props};

/// How much of the rule set a stack's run-time resolution needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provenance {
    /// `stack!` checked this definition at compile time: only what the caller
    /// binds at run time is new.
    Checked,
    /// As [`Provenance::Checked`], and `stack!` also judged the definition
    /// with every parameter omitted, by every rule the run time would run
    /// ([`passes_with_every_parameter_omitted`]): `new()` with nothing bound
    /// (`XProps::default()`) is that model, and needs no rule at run time.
    CheckedWithParametersOmitted,
    /// Built at run time (a program assembling a [`StackDef`]): nothing has
    /// judged it yet.
    Unchecked,
}

/// Binds a definition's parameters and checks the result as literals are
/// checked: the model synthesis lowers, or what is wrong with it. A
/// definition `stack!` checked that has no parameters is that model already:
/// no rule runs ([`rules_needed`]).
pub fn resolve(
    stack: &StackDef,
    bindings: &Bindings,
    provenance: Provenance,
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
    let applied = match params::apply(stack, bindings) {
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
    let found = if !missing.is_empty() {
        missing
    } else if !rules_needed(stack, bindings, provenance) {
        Vec::new()
    } else {
        let mut diags = Diagnostics::default();
        rules(&applied.stack, &Options::default(), &mut diags);
        diags.into_vec()
    };
    if found.is_empty() {
        Ok(Resolved::new(applied.stack, applied.bindings))
    } else {
        Err(Unresolved {
            diagnostics: found,
            origins: applied.origins,
        })
    }
}

/// Whether resolving a definition must run the rules. A definition `stack!`
/// checked with no parameters is exactly what the compile-time check judged,
/// and so is one it also judged with every parameter omitted, when nothing is
/// bound. Otherwise a parameter's value, its default or its omission is put
/// in place at run time, and the rules judge the result as they judge
/// literals.
pub fn rules_needed(stack: &StackDef, bindings: &Bindings, provenance: Provenance) -> bool {
    match provenance {
        Provenance::Unchecked => true,
        Provenance::Checked => !stack.params.is_empty(),
        Provenance::CheckedWithParametersOmitted => !bindings.0.is_empty(),
    }
}

/// Whether the definition, every parameter omitted (each default in place),
/// passes the rules run time would run on it: then `new()` with nothing
/// bound needs none. `stack!` asks this of a checked stack whose parameters
/// are all optional; the seed's TapStack spent most of a `tap list` being
/// judged again at run time for want of it.
pub fn passes_with_every_parameter_omitted(stack: &StackDef) -> bool {
    !stack.params.is_empty()
        && stack.params.iter().all(|p| p.optional)
        && resolve(stack, &Bindings::default(), Provenance::Unchecked).is_ok()
}

/// The stack with its constructs inlined, and everything wrong with it.
pub struct Checked {
    pub stack: StackDef,
    pub diagnostics: Vec<Diagnostic>,
}

/// The rules of a construct's definition on its own (`construct!` runs them
/// where it is written).
pub fn construct(def: &ConstructDef) -> Vec<Diagnostic> {
    let mut diags = Diagnostics::default();
    rules::names::construct(def, &mut diags);
    diags.into_vec()
}

/// Runs every check and collects all findings (never just the first).
pub fn check(stack: &StackDef, constructs: &[ConstructDef], options: &Options) -> Checked {
    let mut diags = Diagnostics::default();
    for def in constructs {
        rules::names::construct(def, &mut diags);
    }
    let stack = constructs::inline(stack, constructs, &kinds::Table, &mut diags);
    params::check(&stack, &Scope::new(&stack, &kinds::Table), &mut diags);
    rules(&stack, options, &mut diags);
    defaults(&stack, &mut diags);
    Checked {
        stack,
        diagnostics: diags.into_vec(),
    }
}

/// Each parameter default judged where it is used, as the literal it is
/// (`m: Option<Int> = 20000` used as `memory: m` is out of range), reported
/// at the default.
fn defaults(stack: &StackDef, diags: &mut Diagnostics) {
    let at: Vec<crate::base::diag::Loc> = stack
        .params
        .iter()
        .filter(|p| params::default_is_well_typed(p))
        .filter_map(|p| p.default.as_ref().map(|d| d.loc()))
        .collect();
    if at.is_empty() {
        return;
    }
    let Ok(with_defaults) = params::apply_defaults(stack) else {
        return; // the parameter checks have said why
    };
    let mut found = Diagnostics::default();
    props::check(
        &with_defaults,
        &Scope::new(&with_defaults, &kinds::Table),
        &Options::default(),
        &mut found,
    );
    for d in found.into_vec() {
        if at.contains(&d.loc) && !diags.contains(&d) {
            diags.push(d);
        }
    }
}

fn rules(stack: &StackDef, options: &Options, diags: &mut Diagnostics) {
    model_rules(stack, options, diags);
    // Then the template the model lowers to: cycles and quotas are exactly
    // what CloudFormation would reject.
    if diags.is_empty() {
        template(stack, diags);
    }
}

/// Every rule about the model: names, properties, IAM, contracts, and each
/// curated kind's own cross-checks.
fn model_rules(stack: &StackDef, options: &Options, diags: &mut Diagnostics) {
    {
        let scope = Scope::new(stack, &kinds::Table);
        rules::names::check(stack, &scope, diags);
        props::check(stack, &scope, options, diags);
        rules::sections::check(stack, &scope, diags);
        rules::conditional::check(stack, &scope, diags);
        rules::iam::check(stack, &scope, diags);
        rules::contract::check(stack, &scope, options, diags);
        // Each kind's own cross-checks, from its file in `kinds/`.
        for decl in stack.resources() {
            if let Some(curated) = kinds::curated(&decl.kind.text) {
                curated.check(decl, &scope, diags);
            }
        }
    }
}

/// Lowers the checked stack (required parameters stand in by their declared
/// types, so this is the model the deploy would lower) and judges the
/// template by the rules about whole templates.
fn template(stack: &StackDef, diags: &mut Diagnostics) {
    let placeholders = Bindings::placeholders(stack, &kinds::Table);
    let model = match params::apply(stack, &placeholders) {
        Ok(applied) => Resolved::new(applied.stack, applied.bindings),
        Err(d) => return diags.push(d),
    };
    match crate::synth::lower(&model, &crate::synth::PlaceholderAssets) {
        Err(e) => diags.error(e.loc, e.message),
        Ok(template) => rules::template::check(stack, &template, diags),
    }
}
