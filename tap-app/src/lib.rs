//! # tap-app
//!
//! tap's engine: the `tap` command line for any app's stacks. `synth` writes
//! the CloudFormation templates, `deploy` puts them into an AWS account (or a
//! local emulator) through change sets. An app's `main.rs` builds an [`App`]
//! and hands it to [`main`]; the seed's own app is `tap-app/seed`.
//!
//! Layout: `app` (what a program hands the engine), `synth` and `assets`
//! (templates and Lambda packages), `deploy` (CloudFormation through the AWS
//! SDK), `local` (the emulator behind `--local`), `source` (the pipeline's
//! source upload), `migrate` (a CloudFormation template as `stack!` source),
//! `tools` (Python tools tap installs), `watch` (deploys on every change),
//! `cli`, `error`.

pub mod app;
pub mod assets;
pub mod cli;
pub mod deploy;
pub mod error;
pub mod fsutil;
pub mod local;
pub mod migrate;
pub mod security_properties;
pub mod source;
pub mod synth;
pub mod tools;
#[cfg(feature = "dev")]
pub mod watch;

pub use app::{main, App};
pub use deploy::stack_set::{RegionOrder, StackSet, Tolerance};
pub use error::Error;
pub use source::SourceTarget;
/// Where a stack deploys: `Env::new("prod").account("…").region("…")`, pinned with `.in_env(&env)`.
pub use tap_core::Env;

use std::path::PathBuf;
use std::sync::OnceLock;

static WORK_DIR: OnceLock<PathBuf> = OnceLock::new();

/// The project's root: the Cargo workspace (or package) around the current
/// directory, found as cargo finds it. Asset paths are relative to it, and
/// `.tap/` lives in it.
pub fn project_dir() -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    tap_core::project::root_of(&cwd).unwrap_or(cwd)
}

/// tap's working directory: packages, build output, tools and the local
/// emulator. `.tap/` in the project's root, unless `--work-dir` says otherwise.
pub fn tap_dir() -> PathBuf {
    WORK_DIR
        .get()
        .cloned()
        .unwrap_or_else(|| project_dir().join(".tap"))
}

/// `--work-dir`: where [`tap_dir`] is for the rest of this process (the first
/// call wins).
pub fn set_work_dir(dir: PathBuf) {
    let dir = if dir.is_relative() {
        std::env::current_dir().map(|c| c.join(&dir)).unwrap_or(dir)
    } else {
        dir
    };
    let _ = WORK_DIR.set(dir);
}
