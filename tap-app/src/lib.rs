//! # tap-app
//!
//! The seed application's stacks written with `stack!`, and the `tap` command
//! line: `synth` writes the CloudFormation templates, `list` names the stacks.

pub mod assets;
pub mod stacks;
pub mod synth;
