//! The base layer: what every other layer speaks. The stack definition as
//! parsed ([`ir`]), findings ([`diag`]), the CloudFormation [`template`] model,
//! naming, and the project's files on disk. Nothing here knows a resource kind,
//! a check or a lowering.

pub mod crate_graph;
pub mod diag;
pub(crate) mod graph;
pub mod ir;
pub mod naming;
pub mod project;
pub mod template;
