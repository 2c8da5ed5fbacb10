//! The rules: every check, as plain Rust on the model. Each module is one
//! family of rules, opened by what it enforces; the `check` driver runs them
//! in order and collects every finding. Rules never lower: a rule about the
//! lowered template ([`template`]) is given the template.

pub mod attributes;
pub mod conditional;
pub mod conditions;
pub mod contract;
pub mod delivery;
pub mod documents;
pub mod iam;
pub mod intrinsics;
pub mod names;
pub mod patterns;
pub mod policy_size;
pub mod principals;
pub mod props;
pub mod public_policy;
pub mod schedule;
pub mod schema;
pub mod sections;
pub mod template;

/// What the checks need besides the stack.
#[derive(Default, Clone)]
pub struct Options {
    /// Where `asset("…")` paths are relative to (the defining crate's directory);
    /// `None` skips the asset existence check.
    pub base_dir: Option<std::path::PathBuf>,
    /// Reads the contract of the function crate in a directory (`Ok(None)`:
    /// it declares none). The macro supplies it; without it, functions are
    /// not held to their code.
    pub contract_of: Option<ContractReader>,
}

/// See [`Options::contract_of`].
pub type ContractReader =
    fn(&std::path::Path) -> Result<Option<crate::model::contract::Contract>, String>;
