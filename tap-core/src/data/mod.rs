//! The data layer: AWS's own facts, embedded and indexed. CloudFormation's
//! resource type schemas and quotas ([`cfn`]), the IAM action catalog and ARN
//! matching ([`iam`]), and the resource types the registry knows
//! ([`registry`]). Built on the base layer only.

pub mod cfn;
pub mod iam;
pub mod registry;
