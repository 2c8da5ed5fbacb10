//! The generated layer's data: every CloudFormation resource type, from AWS's
//! resource provider schemas ([`catalog`]), and CloudFormation's template
//! quotas ([`limits`]). A raw type becomes a kind in `model::raw`; its
//! properties are checked in `rules::schema`.

pub mod catalog;
pub mod limits;
