//! What the handler tests share: one LocalStack per test binary, and the
//! bucket, key and secret the stack gives the function.

// Each test file uses its own subset.
#![allow(dead_code)]

use aws_config::{BehaviorVersion, Region, SdkConfig};
use std::sync::OnceLock;
use tap_app::local::{Emulator, LocalDir};

pub fn emulator() -> &'static Emulator {
    static EMULATOR: OnceLock<Emulator> = OnceLock::new();
    EMULATOR.get_or_init(|| {
        LocalDir::new(tap_app::tap_dir().join("local"))
            .start_owned()
            .expect("LocalStack starts")
    })
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Path-style: no DNS for `<bucket>.127.0.0.1`.
pub fn s3(sdk: &SdkConfig) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(true)
            .build(),
    )
}

/// A bucket, its key and a secret in LocalStack, as the stack gives the function.
pub struct Resources {
    pub sdk: SdkConfig,
    pub bucket: String,
    pub key_arn: String,
    pub secret_arn: String,
}

/// The resources, named `<prefix>-<name>`.
pub async fn resources(prefix: &str, name: &str) -> Resources {
    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(emulator().endpoint())
        .region(Region::new("us-east-1"))
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "test", "test", None, None, "test",
        ))
        .load()
        .await;
    let key = aws_sdk_kms::Client::new(&sdk)
        .create_key()
        .description(name)
        .send()
        .await
        .expect("key");
    let bucket = format!("{prefix}-{name}");
    s3(&sdk)
        .create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .expect("bucket");
    let secret = aws_sdk_secretsmanager::Client::new(&sdk)
        .create_secret()
        .name(format!("{prefix}-{name}"))
        .secret_string(r#"{"apiKey":"placeholder","password":"generated"}"#)
        .send()
        .await
        .expect("secret");
    Resources {
        bucket,
        key_arn: key
            .key_metadata()
            .and_then(|m| m.arn())
            .expect("key arn")
            .to_string(),
        secret_arn: secret.arn().expect("secret arn").to_string(),
        sdk,
    }
}
