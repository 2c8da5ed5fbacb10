//! The seed's Lambda handler (`lambda/serverless-ci-cd-function/handler.ts`), in Rust.
//!
//! Each invocation reads the application's secrets (once per execution
//! environment), stores a record of the request in the application bucket,
//! encrypted with the bucket's own KMS key, and logs a `ProcessedRequests`
//! metric. A failure is returned, named ([`Failure`]); Lambda reports it
//! (see `app.rs`).
//!
//! `main.rs` runs it under `lambda_runtime`; the tests drive [`App::handle`]
//! against a local emulator.

pub mod app;
pub mod config;
pub mod contract;
pub mod failure;
pub mod metrics;
pub mod secrets;
pub mod time;

pub use app::{App, Response};
pub use config::Config;
pub use failure::Failure;
