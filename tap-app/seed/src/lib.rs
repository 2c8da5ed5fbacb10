//! # tap-seed
//!
//! The seed application (`../shared/seed/tap-cdk-app.md`) on tap's engine:
//! its two stacks written with `stack!` and wired by a typed reference, the
//! `tap` binary (`src/main.rs`, the engine's command line for this app), and
//! `tap-bench`.

pub mod stacks;

pub use stacks::app;
