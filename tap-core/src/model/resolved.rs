//! The model synthesis lowers: a stack that has passed every check, and why
//! one could not be made.

use crate::base::diag::{Diagnostic, Loc};
use crate::base::ir::StackDef;
use crate::model::bindings::Bindings;
use std::collections::{BTreeMap, BTreeSet};

/// A stack that has passed every check, with its parameters' values in place
/// (constructs inlined, bound values where they are used, each absent optional
/// parameter's default or omission applied): the one thing synthesis lowers.
/// Only the checks make one, so the lowering never judges a stack again.
#[derive(Debug, Clone)]
pub struct Resolved {
    stack: StackDef,
    /// The resource handles still to resolve (resource parameters).
    bindings: Bindings,
}

impl Resolved {
    /// Only the `check` driver calls this, once the rules have passed.
    pub(crate) fn new(stack: StackDef, bindings: Bindings) -> Resolved {
        Resolved { stack, bindings }
    }
    pub fn stack(&self) -> &StackDef {
        &self.stack
    }
    pub fn bindings(&self) -> &Bindings {
        &self.bindings
    }
}

/// Why a stack could not be resolved: the findings, and for each place a bound
/// value was put, the parameters it came from (a finding there is about them).
#[derive(Debug, Default, Clone)]
pub struct Unresolved {
    pub diagnostics: Vec<Diagnostic>,
    pub origins: BTreeMap<Loc, BTreeSet<String>>,
}
