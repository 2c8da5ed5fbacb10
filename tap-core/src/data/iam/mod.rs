//! IAM: the embedded catalog of every AWS action, and matching ARNs against the
//! resource types an action can be granted on.

pub mod action;
pub mod arn;
pub mod catalog;
pub mod execution;
pub mod sdk;

pub use catalog::{catalog, ActionInfo, Catalog, Service};
