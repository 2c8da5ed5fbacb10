//! What the deploy tests share: running the `tap` binary against an endpoint,
//! and SDK clients for reading back what it created.

// Each test file uses its own subset.
#![allow(dead_code)]

use aws_config::{BehaviorVersion, Region, SdkConfig};
use std::process::{Command, Output};

/// `tap` against the endpoint with dummy credentials and nothing from the
/// user's own AWS configuration.
pub fn tap_command(endpoint: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tap"));
    cmd.args(args)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_MAX_ATTEMPTS", "1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .env_remove("AWS_PROFILE");
    cmd
}

/// Runs `tap` (see [`tap_command`]); its output is echoed for failed tests.
pub fn tap(endpoint: &str, args: &[&str]) -> Output {
    let out = tap_command(endpoint, args).output().expect("tap runs");
    eprintln!("$ tap {}\n{}{}", args.join(" "), stdout(&out), stderr(&out));
    out
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// SDK configuration for an emulator at `endpoint`.
pub async fn sdk(endpoint: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(aws_sdk_cloudformation::config::Credentials::new(
            "test", "test", None, None, "test",
        ))
        .load()
        .await
}

/// An S3 client that addresses buckets by path (no DNS for `<bucket>.127.0.0.1`).
pub fn s3(sdk: &SdkConfig) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(true)
            .build(),
    )
}
