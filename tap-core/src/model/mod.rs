//! The model layer: what a stack means, independent of any one check or
//! lowering. A resource [`kind`] as pure data (its properties, attributes and
//! defaults), the raw kinds built from the CloudFormation catalog ([`raw`]),
//! the values bound to parameters ([`bindings`]), name resolution
//! ([`resolve`]), parameters ([`params`]), constructs ([`constructs`]), a
//! function's contract ([`contract`]), what Lambda's pollers call
//! ([`pollers`]) and CloudFormation's intrinsic
//! functions and deploy-time parameter types ([`intrinsics`]).
//!
//! Lower layers never reach the curated kinds by name: a [`kind::KindTable`]
//! travels in their context (the `kinds` layer provides it), as rustc's
//! queries reach their providers.

pub mod bindings;
pub mod constructs;
pub mod contract;
pub mod intrinsics;
pub mod kind;
pub mod params;
pub mod pollers;
pub mod raw;
pub mod resolve;
pub mod resolved;
