//! The handler against real service APIs: LocalStack, started on a free
//! 127.0.0.1 port as `tap deploy --local` would, with the bucket, key and
//! secret the stack gives the function. (LocalStack in host mode does not
//! run Lambda functions, so the handler is called here; `runtime.rs` drives
//! the `bootstrap` through the Lambda runtime API.)

use aws_config::{BehaviorVersion, Region, SdkConfig};
use serde_json::{json, Value};
use std::sync::OnceLock;
use tap_app::local::{Emulator, LocalDir};
use tap_lambda::{App, Config};

fn emulator() -> &'static Emulator {
    static EMULATOR: OnceLock<Emulator> = OnceLock::new();
    EMULATOR.get_or_init(|| {
        LocalDir::new(tap_app::tap_dir().join("local"))
            .start_owned()
            .expect("LocalStack starts")
    })
}

struct Fixture {
    sdk: SdkConfig,
    config: Config,
}

impl Fixture {
    /// What TapStack gives the function, named after the test.
    async fn new(name: &str) -> Self {
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
        let key_arn = key
            .key_metadata()
            .and_then(|m| m.arn())
            .expect("key arn")
            .to_string();
        let bucket = format!("tap-handler-{name}");
        s3(&sdk)
            .create_bucket()
            .bucket(&bucket)
            .send()
            .await
            .expect("bucket");
        let secret = aws_sdk_secretsmanager::Client::new(&sdk)
            .create_secret()
            .name(format!("tap-handler-{name}"))
            .secret_string(r#"{"apiKey":"placeholder","password":"generated"}"#)
            .send()
            .await
            .expect("secret");
        let config = Config {
            bucket,
            bucket_key_arn: key_arn,
            secret_arn: secret.arn().expect("secret arn").to_string(),
            app_env: "test".into(),
        };
        Self { sdk, config }
    }

    fn app(&self, config: Config) -> App {
        App::new(
            config,
            s3(&self.sdk),
            aws_sdk_secretsmanager::Client::new(&self.sdk),
        )
    }
}

/// Path-style: no DNS for `<bucket>.127.0.0.1`.
fn s3(sdk: &SdkConfig) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(true)
            .build(),
    )
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn a_request_is_stored_under_its_id_encrypted_with_the_buckets_key() {
    runtime().block_on(async {
        let f = Fixture::new("stored").await;
        let app = f.app(f.config.clone());

        let response = app
            .handle(json!({ "test": "data" }), "req-1")
            .await
            .expect("handled");
        assert_eq!(response.status_code, 200);
        assert_eq!(response.headers["Content-Type"], "application/json");
        let body: Value = serde_json::from_str(&response.body).expect("JSON body");
        assert_eq!(body["requestId"], "req-1");

        let object = s3(&f.sdk)
            .get_object()
            .bucket(&f.config.bucket)
            .key("processed/req-1.json")
            .send()
            .await
            .expect("the record is stored");
        assert_eq!(
            object.server_side_encryption().map(|e| e.as_str()),
            Some("aws:kms")
        );
        assert_eq!(
            object.ssekms_key_id(),
            Some(f.config.bucket_key_arn.as_str())
        );
        let bytes = object.body.collect().await.expect("body").into_bytes();
        let record: Value = serde_json::from_slice(&bytes).expect("JSON record");
        assert_eq!(record["requestId"], "req-1");
        assert_eq!(record["processed"], true);
        let ts = record["timestamp"].as_str().expect("timestamp");
        // `2026-11-26T02:45:56.120Z`: the seed's `toISOString()`, always milliseconds.
        assert_eq!(ts.len(), 24, "{ts}");
        assert!(ts.ends_with('Z') && ts.as_bytes()[19] == b'.', "{ts}");
        assert!(
            aws_sdk_s3::primitives::DateTime::from_str(
                ts,
                aws_sdk_s3::primitives::DateTimeFormat::DateTime
            )
            .is_ok(),
            "not an ISO 8601 timestamp: {ts}"
        );
    });
}

#[test]
fn the_secret_is_read_once_per_execution_environment() {
    runtime().block_on(async {
        let f = Fixture::new("cached").await;
        let app = f.app(f.config.clone());
        app.handle(json!({}), "first").await.expect("first request");

        aws_sdk_secretsmanager::Client::new(&f.sdk)
            .delete_secret()
            .secret_id(&f.config.secret_arn)
            .force_delete_without_recovery(true)
            .send()
            .await
            .expect("secret deleted");
        app.handle(json!({}), "second")
            .await
            .expect("the cached secret serves the second request");
        // A new execution environment reads it again, and finds it gone.
        let err = f
            .app(f.config.clone())
            .handle(json!({}), "third")
            .await
            .expect_err("no secret");
        assert_eq!(err.kind, "ResourceNotFoundException", "{err}");
        assert!(err.message.contains("reading secret"), "{err}");
    });
}

#[test]
fn a_failure_is_returned_named_by_the_aws_error() {
    runtime().block_on(async {
        let f = Fixture::new("failed").await;
        let config = Config {
            bucket: "tap-handler-no-such-bucket".into(),
            ..f.config.clone()
        };
        let err = f
            .app(config)
            .handle(json!({ "test": "data" }), "req-9")
            .await
            .expect_err("the bucket does not exist");
        assert_eq!(err.kind, "NoSuchBucket", "{err}");
        assert!(
            err.message
                .starts_with("storing s3://tap-handler-no-such-bucket/processed/req-9.json: "),
            "{err}"
        );
        // What the invocation's error shows.
        let d = lambda_runtime::Diagnostic::from(err);
        assert_eq!(d.error_type, "NoSuchBucket");
    });
}
