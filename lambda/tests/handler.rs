//! The handler against real service APIs: LocalStack, started on a free
//! 127.0.0.1 port as `tap deploy --local` would, with the bucket, key, secret
//! and queue the stack gives the function. (LocalStack in host mode does not
//! run Lambda functions, so the handler is called here, not invoked.)

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
        let queue = aws_sdk_sqs::Client::new(&sdk)
            .create_queue()
            .queue_name(format!("tap-handler-{name}-dlq"))
            .send()
            .await
            .expect("queue");
        let config = Config {
            bucket,
            bucket_key_arn: key_arn,
            secret_arn: secret.arn().expect("secret arn").to_string(),
            dead_letter_queue_url: queue.queue_url().map(str::to_string),
            app_env: "test".into(),
        };
        Self { sdk, config }
    }

    fn app(&self, config: Config) -> App {
        App::new(
            config,
            s3(&self.sdk),
            aws_sdk_secretsmanager::Client::new(&self.sdk),
            aws_sdk_sqs::Client::new(&self.sdk),
        )
    }

    async fn dead_letters(&self) -> Vec<Value> {
        let url = self.config.dead_letter_queue_url.as_deref().expect("queue");
        let got = aws_sdk_sqs::Client::new(&self.sdk)
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .expect("receive");
        got.messages()
            .iter()
            .map(|m| serde_json::from_str(m.body().unwrap_or_default()).expect("JSON body"))
            .collect()
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
        assert!(
            aws_sdk_s3::primitives::DateTime::from_str(
                ts,
                aws_sdk_s3::primitives::DateTimeFormat::DateTime
            )
            .is_ok(),
            "not an ISO 8601 timestamp: {ts}"
        );
        assert!(f.dead_letters().await.is_empty());
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
        assert!(err.to_string().contains("reading secret"), "{err}");
    });
}

#[test]
fn a_failure_is_sent_to_the_dead_letter_queue_and_returned() {
    runtime().block_on(async {
        let f = Fixture::new("failed").await;
        let config = Config {
            bucket: "tap-handler-no-such-bucket".into(),
            ..f.config.clone()
        };
        let event = json!({ "test": "data" });
        let err = f
            .app(config)
            .handle(event.clone(), "req-9")
            .await
            .expect_err("the bucket does not exist");
        let err = err.to_string();
        assert!(
            err.contains("storing s3://tap-handler-no-such-bucket/processed/req-9.json")
                && err.contains("NoSuchBucket"),
            "{err}"
        );

        let letters = f.dead_letters().await;
        assert_eq!(letters.len(), 1, "{letters:?}");
        assert_eq!(letters[0]["error"], err);
        assert_eq!(letters[0]["event"], event);
        assert!(letters[0]["timestamp"].is_string());
    });
}
