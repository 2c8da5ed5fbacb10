//! # tap-seed
//!
//! The seed application (`../shared/seed/tap-cdk-app.md`) on tap's engine:
//! its two stacks written with `stack!` and wired by a typed reference, the
//! `tap` binary (`src/main.rs`, the engine's command line for this app), and
//! `tap-bench`.
//!
//! With `TAP_STAGING_ACCOUNT` and `TAP_PROD_ACCOUNT` set when the app is
//! built ([`stacks::environments`]), TapStack is also pinned to a staging and
//! a production environment, and the pipeline deploys to those, with a
//! manual approval between them, instead of to its own account.

pub mod stacks;

pub use stacks::app;
