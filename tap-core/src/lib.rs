//! # tap-core
//!
//! The model behind tap's `stack!` macro: the stack definition as parsed
//! ([`ir`]), the resource kinds and their properties ([`kinds`]), the IAM action
//! catalog ([`iam`]), the checks ([`check`]) and synthesis to a CloudFormation
//! [`template`] ([`synth`]).
//!
//! Nothing here depends on the AWS SDK or on proc-macro machinery: the macro calls
//! [`check::check`] at compile time, and [`stack::Stack`] synthesises at run time.

pub mod cfn;
pub mod check;
pub mod constructs;
pub mod contract;
pub mod crate_graph;
pub mod diag;
mod graph;
pub mod iam;
pub mod ir;
pub mod kinds;
pub mod params;
pub mod project;
pub mod refs;
pub mod registry;
pub mod resolve;
pub mod stack;
pub mod synth;
pub mod template;

pub use diag::{Diagnostic, Loc};
pub use refs::Ref;
pub use stack::{Export, Stack, StackError};
pub use synth::{AssetLocation, AssetResolver, Bindings, Bound, Handle};
pub use template::{Expr, Template};
