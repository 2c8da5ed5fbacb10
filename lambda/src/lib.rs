//! The seed's Lambda handler (`lambda/serverless-ci-cd-function/handler.ts`), in Rust.
//!
//! Each invocation reads the application's secrets (once per execution
//! environment), stores a record of the request in the application bucket,
//! encrypted with the bucket's own KMS key, and logs a `ProcessedRequests`
//! metric. A failure is reported to the dead-letter queue, then returned.
//!
//! `main.rs` runs it under `lambda_runtime`; the tests drive [`App::handle`]
//! against a local emulator.

pub mod app;
pub mod config;
pub mod contract;
pub mod metrics;
pub mod secrets;

pub use app::{App, Response};
pub use config::Config;
