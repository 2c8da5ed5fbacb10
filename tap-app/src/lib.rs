//! # tap-app
//!
//! The seed application's stacks written with `stack!`, and the `tap` command
//! line: `synth` writes the CloudFormation templates, `deploy` puts them into
//! an AWS account (or a local emulator) through change sets.
//!
//! Layout: `stacks` (what is deployed), `synth` and `assets` (templates and
//! Lambda packages), `deploy` (CloudFormation through the AWS SDK), `local`
//! (the emulator behind `--local`), `source` (the pipeline's source upload),
//! `tools` (Python tools tap installs), `cli`.

pub mod assets;
pub mod cli;
pub mod deploy;
pub mod fsutil;
pub mod local;
pub mod source;
pub mod stacks;
pub mod synth;
pub mod tools;

use std::path::PathBuf;

/// The project's root (the workspace), where `.tap/` lives.
pub fn project_dir() -> PathBuf {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// tap's working directory: packages, build output, tools and the local emulator.
pub fn tap_dir() -> PathBuf {
    project_dir().join(".tap")
}
