//! The generated layer: every CloudFormation resource type, from AWS's
//! resource provider schemas. [`catalog`] holds the data, [`kind`] makes a raw
//! type usable in a stack, [`validate`] checks a raw resource's properties
//! against its schema, and [`limits`] holds CloudFormation's template quotas.

pub mod catalog;
pub mod kind;
pub mod limits;
pub mod validate;
