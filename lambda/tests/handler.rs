//! The handler against real service APIs: LocalStack, started on a free
//! 127.0.0.1 port as `tap deploy --local` would, with the bucket, key and
//! secret the stack gives the function. (LocalStack in host mode does not
//! run Lambda functions, so the handler is called here; `runtime.rs` drives
//! the `bootstrap` through the Lambda runtime API.)

mod common;

use aws_config::SdkConfig;
use common::{runtime, s3};
use serde_json::{json, Value};
use tap_lambda::{App, Config};

struct Fixture {
    sdk: SdkConfig,
    config: Config,
}

impl Fixture {
    /// What TapStack gives the function, named after the test.
    async fn new(name: &str) -> Self {
        let r = common::resources("tap-handler", name).await;
        let config = Config {
            bucket: r.bucket,
            bucket_key_arn: r.key_arn,
            secret_arn: r.secret_arn,
            app_env: "test".into(),
        };
        let sdk = r.sdk;
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
