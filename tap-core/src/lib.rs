//! # tap-core
//!
//! The model behind tap's `stack!` macro, in layers; each uses only the ones
//! below it, and `tests/layers.rs` holds that:
//!
//! | layer | what | folder |
//! |---|---|---|
//! | base | the stack definition as parsed, findings, the template model, naming | [`base`] |
//! | data | CloudFormation's schemas and quotas, the IAM catalog | [`data`] |
//! | model | kinds as data, raw kinds, bindings, resolution, parameters, constructs, contracts | [`model`] |
//! | rules, lower | every check; every lowering helper (siblings: neither uses the other) | [`rules`], [`lower`] |
//! | kinds | each curated kind: its table, its own checks and lowering | [`kinds`] |
//! | drivers | [`check::check`], [`synth::lower`], [`Stack`], [`refs`], [`Env`] | the files at the root |
//!
//! Nothing here depends on the AWS SDK or on proc-macro machinery: the macro calls
//! [`check::check`] at compile time, and [`stack::Stack`] synthesises at run time.
//! The paths of earlier versions (`tap_core::ir`, `tap_core::cfn::catalog`, …)
//! are kept as re-exports below.

pub mod base;
pub mod data;
pub mod kinds;
pub mod lower;
pub mod model;
pub mod rules;

pub mod check;
pub mod env;
pub mod refs;
pub mod stack;
pub mod synth;

pub use base::{crate_graph, diag, ir, project, template};
pub use data::{iam, registry};
pub use model::{constructs, contract, params, resolve};

/// CloudFormation's resource types: the catalog and quotas (data), raw kinds
/// (model), and their property checks (rules), under their earlier paths.
pub mod cfn {
    pub use crate::data::cfn::{catalog, limits};
    pub use crate::model::raw as kind;
    pub use crate::rules::schema as validate;
}

pub use diag::{Diagnostic, Loc};
pub use env::Env;
pub use refs::Ref;
pub use stack::{Export, Stack, StackError};
pub use synth::{AssetLocation, AssetResolver, Bindings, Bound, Handle};
pub use template::{Expr, Template};
