//! What the replay tests share: a small stack, CloudFormation's answers in
//! the Query protocol's XML (as the CloudFormation API reference documents
//! them), and a session whose SDK clients get their HTTP responses from a
//! static replay client instead of the network.

// Each test file uses its own subset.
#![allow(dead_code)]

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_cloudformation::config::Credentials;
use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_types::body::SdkBody;
use tap_app::deploy::aws::Aws;
use tap_app::deploy::ui::Ui;
use tap_app::deploy::Session;
use tap_app::synth::Synthesized;
use tap_core::synth::PlaceholderAssets;
use tap_macros::stack;

stack! {
    pub stack Queues {
        queue = sqs::Queue { retention: days(4) };
        output QueueUrl { value: queue.url }
    }
}

pub const STACK: &str = "Queues";
pub const STACK_ID: &str =
    "arn:aws:cloudformation:us-east-1:123456789012:stack/Queues/5b5c3a10-ca7f-11ee-8f4c-0a1b2c3d4e5f";
pub const CHANGE_SET_ID: &str =
    "arn:aws:cloudformation:us-east-1:123456789012:changeSet/tap-1/2d1f5d7a-4d0e-4a11-9d3a-1f2e3d4c5b6a";
pub const NS: &str = "http://cloudformation.amazonaws.com/doc/2010-05-15/";

pub fn synthesized() -> Synthesized {
    let stack = Queues::new(QueuesProps::default()).expect("stack");
    Synthesized {
        name: STACK.into(),
        template: stack.synth(&PlaceholderAssets).expect("template"),
        dependencies: vec![],
        assets: vec![],
        termination_protection: stack.termination_protection(),
        ..Synthesized::new(STACK, Default::default())
    }
}

pub fn request() -> http::Request<SdkBody> {
    http::Request::builder()
        .uri("https://cloudformation.us-east-1.amazonaws.com/")
        .body(SdkBody::empty())
        .expect("request")
}

pub fn ok(action: &str, result: &str) -> ReplayEvent {
    ok_in(NS, action, result)
}

/// [`ok`] of another Query-protocol service (STS), by its XML namespace.
pub fn ok_in(ns: &str, action: &str, result: &str) -> ReplayEvent {
    let xml = format!(
        r#"<{action}Response xmlns="{ns}"><{action}Result>{result}</{action}Result><ResponseMetadata><RequestId>5f1f3e0c-0000-4000-8000-000000000000</RequestId></ResponseMetadata></{action}Response>"#
    );
    ReplayEvent::new(
        request(),
        http::Response::builder()
            .status(200)
            .header("content-type", "text/xml")
            .body(SdkBody::from(xml))
            .expect("response"),
    )
}

pub fn error(code: &str, message: &str) -> ReplayEvent {
    error_in(NS, 400, code, message)
}

/// [`error`] of another Query-protocol service, with its HTTP status.
pub fn error_in(ns: &str, status: u16, code: &str, message: &str) -> ReplayEvent {
    let xml = format!(
        r#"<ErrorResponse xmlns="{ns}"><Error><Type>Sender</Type><Code>{code}</Code><Message>{}</Message></Error><RequestId>5f1f3e0c-0000-4000-8000-000000000001</RequestId></ErrorResponse>"#,
        escape(message)
    );
    ReplayEvent::new(
        request(),
        http::Response::builder()
            .status(status)
            .header("content-type", "text/xml")
            .body(SdkBody::from(xml))
            .expect("response"),
    )
}

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn not_found() -> ReplayEvent {
    error(
        "ValidationError",
        &format!("Stack with id {STACK} does not exist"),
    )
}

pub fn get_template(template: &serde_json::Value) -> ReplayEvent {
    ok(
        "GetTemplate",
        &format!(
            "<TemplateBody>{}</TemplateBody><StagesAvailable><member>Original</member><member>Processed</member></StagesAvailable>",
            escape(&template.to_string())
        ),
    )
}

pub fn create_change_set() -> ReplayEvent {
    ok(
        "CreateChangeSet",
        &format!("<Id>{CHANGE_SET_ID}</Id><StackId>{STACK_ID}</StackId>"),
    )
}

/// A session whose every request (CloudFormation's, S3's, STS's) is answered by `client`.
pub async fn replay_session(client: &StaticReplayClient) -> Session {
    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .http_client(client.clone())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "AKIDEXAMPLE",
            "secret",
            None,
            None,
            "replay",
        ))
        .retry_config(RetryConfig::disabled())
        .load()
        .await;
    Session::new(Aws::from_sdk_config(&sdk).expect("clients"), Ui::buffer())
}
