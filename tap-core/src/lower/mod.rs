//! The lowering helpers: from a checked declaration to CloudFormation
//! resources. [`Ctx`] is what a kind's lowering writes into; [`values`] turns
//! property values into template expressions, [`policy`] gathers grants and
//! resource policies, [`delivery`] lets a service deliver to a destination, [`shared`] holds what several kinds lower alike, and
//! [`raw`] lowers a raw CloudFormation resource as written. Nothing here
//! judges a stack: the rules have passed before a lowering runs.

pub mod delivery;
pub mod policy;
pub mod raw;
pub mod shared;
pub mod values;

use crate::base::diag::Loc;
use crate::base::ir::*;
use crate::base::template::{Expr, Resource, Template};
use crate::model::bindings::{AssetResolver, Bindings};
use crate::model::resolve::Scope;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct SynthError {
    pub loc: Loc,
    pub message: String,
}

impl std::fmt::Display for SynthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for SynthError {}

pub type Result<T> = std::result::Result<T, SynthError>;

pub fn err<T>(loc: Loc, message: impl Into<String>) -> Result<T> {
    Err(SynthError {
        loc,
        message: message.into(),
    })
}

pub struct Ctx<'a> {
    pub scope: Scope<'a>,
    pub bindings: &'a Bindings,
    pub assets: &'a dyn AssetResolver,
    pub template: Template,
    /// Resource-policy statements by the logical ID of the bucket, queue or topic.
    pub resource_policies: BTreeMap<String, Vec<Expr>>,
    /// Statements tap adds to a role (written as `<Role>DefaultPolicy`).
    pub role_grants: BTreeMap<String, Vec<Expr>>,
    /// Resources that must wait for a role's DefaultPolicy: (resource, role).
    pub waits_for_grants: Vec<(String, String)>,
    /// Logical IDs written twice: a declaration named like another's companion.
    pub collisions: Vec<String>,
}

impl<'a> Ctx<'a> {
    pub fn add(&mut self, id: impl Into<String>, r: Resource) {
        let id = id.into();
        if self.template.resources.contains_key(&id) {
            self.collisions.push(id.clone());
        }
        self.template.resources.insert(id, r);
    }

    /// Whether a declaration is replaced by a bound parameter (`param or kind { … }`).
    pub fn is_replaced(&self, decl: &ResourceDecl) -> bool {
        decl.unless_param
            .as_ref()
            .is_some_and(|p| self.bindings.0.contains_key(&p.text))
    }

    pub fn grant(&mut self, role_id: &str, statement: Expr) {
        let list = self.role_grants.entry(role_id.to_string()).or_default();
        if !list.contains(&statement) {
            list.push(statement);
        }
    }

    pub fn resource_policy(&mut self, id: &str, statement: Expr) {
        let list = self.resource_policies.entry(id.to_string()).or_default();
        if !list.contains(&statement) {
            list.push(statement);
        }
    }
}
