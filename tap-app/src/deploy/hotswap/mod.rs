//! `tap deploy --hotswap`: for development, a function's new code or
//! environment goes straight to Lambda, without a change set or CodeDeploy's
//! canary. Stages: `plan` (which template changes can be hotswapped),
//! `resolve` (their values, worked out before CloudFormation would),
//! `lambda` (the calls, each waited for). Anything else falls back to a
//! change set, or with `--hotswap-only` is listed and skipped. The next plain
//! deploy reconciles the stack with its template.
//!
//! Hotswap skips no check: the template it reads was made by the same
//! `stack!` checks and contract as any deploy's (`synth` refuses a program
//! built before its functions' contracts were edited).

#[cfg(feature = "dev")]
mod lambda;
#[cfg(feature = "dev")]
pub mod plan;
#[cfg(feature = "dev")]
mod record;
#[cfg(feature = "dev")]
pub mod resolve;
#[cfg(feature = "dev")]
mod run;

#[cfg(feature = "dev")]
pub use run::{deploy, reconcile};

/// How `--hotswap` goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// `--hotswap-only`: list and skip what cannot be hotswapped, instead of
    /// deploying it through a change set.
    pub only: bool,
    /// `--force`: hotswap a stack with termination protection too.
    pub force: bool,
}

/// Without the `dev` feature there is no hotswap: this `tap` was built for a
/// pipeline, where every change goes through CloudFormation.
#[cfg(not(feature = "dev"))]
pub async fn deploy(
    _: &super::Session,
    req: &super::stack::Request<'_>,
    _: Options,
    _: Option<bool>,
) -> anyhow::Result<super::stack::Deployment> {
    anyhow::bail!(
        "{}: this tap was built without its `dev` feature (as a pipeline's is), so it cannot hotswap: deploy without --hotswap",
        req.name
    )
}
