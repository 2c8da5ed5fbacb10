//! The function's `bootstrap` as Lambda runs it: driven through the Lambda
//! runtime API, which cargo-lambda's `watch` emulates (the cargo-lambda tap
//! installs to build packages), against LocalStack's S3, KMS and Secrets
//! Manager. What a caller sees: the response JSON, the request id Lambda
//! gave the invocation, a start-up failure, and the error's type.

mod common;

use common::{emulator, resources, runtime, s3};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// cargo-lambda's runtime API emulator (`watch --only-lambda-apis`) and the
/// `bootstrap` cargo built for this test, running against it.
struct Function {
    port: u16,
    processes: Vec<Child>,
}

impl Drop for Function {
    fn drop(&mut self) {
        for p in &mut self.processes {
            let _ = p.kill();
            let _ = p.wait();
        }
    }
}

impl Function {
    /// The function with these variables (and LocalStack for AWS).
    fn start(variables: &[(&str, &str)]) -> Function {
        let bin = tap_app::tools::CARGO_LAMBDA
            .ensure(&tap_app::tap_dir().join("tools/cargo-lambda"))
            .expect("cargo-lambda installs");
        let port = TcpListener::bind(("127.0.0.1", 0))
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let watch = Command::new(bin.join("cargo-lambda"))
            .args([
                "lambda",
                "watch",
                "--only-lambda-apis",
                "--invoke-address",
                "127.0.0.1",
            ])
            .args(["--invoke-port", &port.to_string()])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cargo lambda watch starts");
        let mut f = Function {
            port,
            processes: vec![watch],
        };
        // The emulator listens once it is up; the function connects to it.
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "cargo lambda watch did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let function = Command::new(env!("CARGO_BIN_EXE_bootstrap"))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            // What `watch --only-lambda-apis` says the function needs.
            .env(
                "AWS_LAMBDA_RUNTIME_API",
                format!("http://127.0.0.1:{port}/.rt"),
            )
            .env("AWS_LAMBDA_FUNCTION_NAME", "_")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env("AWS_ENDPOINT_URL", emulator().endpoint())
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .envs(variables.iter().copied())
            .stdin(Stdio::null())
            .spawn()
            .expect("the bootstrap starts");
        f.processes.push(function);
        f
    }

    /// Invokes the function as `cargo lambda invoke` does: (HTTP status, body).
    fn invoke(&self, event: &Value) -> (u16, Value) {
        let body = event.to_string();
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(60)))
            .expect("timeout");
        write!(
            s,
            "POST /2015-03-31/functions/_/invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .expect("request");
        let mut response = String::new();
        s.read_to_string(&mut response).expect("response");
        let (head, payload) = response.split_once("\r\n\r\n").expect("an HTTP response");
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .expect("a status");
        let payload = serde_json::from_str(payload).unwrap_or_else(|e| panic!("{e}: {payload}"));
        (status, payload)
    }
}

#[test]
fn an_invocation_answers_as_api_gateway_expects_under_its_request_id() {
    runtime().block_on(async {
        let r = resources("tap-runtime", "answered").await;
        let f = Function::start(&[
            ("APPLICATION_BUCKET", &r.bucket),
            ("APPLICATION_BUCKET_KEY_ARN", &r.key_arn),
            ("SECRET_ARN", &r.secret_arn),
            ("APP_ENV", "test"),
        ]);
        let (status, response) = f.invoke(&json!({ "test": "data" }));
        assert_eq!(status, 200, "{response}");
        assert_eq!(response["statusCode"], 200, "{response}");
        assert_eq!(response["headers"]["Content-Type"], "application/json");
        let body: Value =
            serde_json::from_str(response["body"].as_str().expect("a body")).expect("JSON body");
        assert_eq!(body["message"], "Successfully processed request");
        // The request id is the one the runtime API gave this invocation: the
        // record is stored under it.
        let id = body["requestId"].as_str().expect("a request id");
        assert_eq!(id.len(), 36, "not the runtime's UUID: {id}");
        let object = s3(&r.sdk)
            .get_object()
            .bucket(&r.bucket)
            .key(format!("processed/{id}.json"))
            .send()
            .await
            .expect("the record is stored under the request id");
        let record: Value =
            serde_json::from_slice(&object.body.collect().await.expect("body").into_bytes())
                .expect("JSON record");
        assert_eq!(record["requestId"], id);

        // A second invocation gets a request id of its own.
        let (_, again) = f.invoke(&json!({}));
        let again: Value =
            serde_json::from_str(again["body"].as_str().expect("a body")).expect("JSON");
        assert_ne!(again["requestId"], id);
    });
}

#[test]
fn a_missing_variable_is_the_invocations_error_and_the_runtime_stays_up() {
    let f = Function::start(&[("APP_ENV", "test")]);
    for _ in 0..2 {
        let (status, error) = f.invoke(&json!({}));
        assert_eq!(status, 500, "{error}");
        assert_eq!(error["errorType"], "MissingVariable", "{error}");
        assert_eq!(
            error["errorMessage"],
            "environment variable APPLICATION_BUCKET is not set; the stack sets it on the function"
        );
    }
}

#[test]
fn a_failed_invocation_is_named_by_the_aws_error() {
    runtime().block_on(async {
        let r = resources("tap-runtime", "failed").await;
        let f = Function::start(&[
            ("APPLICATION_BUCKET", "tap-runtime-no-such-bucket"),
            ("APPLICATION_BUCKET_KEY_ARN", &r.key_arn),
            ("SECRET_ARN", &r.secret_arn),
            ("APP_ENV", "test"),
        ]);
        let (status, error) = f.invoke(&json!({ "test": "data" }));
        assert_eq!(status, 500, "{error}");
        assert_eq!(error["errorType"], "NoSuchBucket", "{error}");
        let message = error["errorMessage"].as_str().expect("a message");
        assert!(
            message.starts_with("storing s3://tap-runtime-no-such-bucket/processed/")
                && message.ends_with(".json: The specified bucket does not exist"),
            "{message}"
        );
    });
}
