//! One invocation: secrets, the record in S3, the metric.
//!
//! A failure is reported once, by Lambda, not by the handler: an
//! asynchronous invocation that still fails after Lambda's retries goes to
//! the function's dead-letter queue (the event, with the error in the
//! message's attributes), and a synchronous caller gets the error in its
//! response. (The seed's handler also sent its own report on every failed
//! attempt: four messages in two formats for one failed event.)

use crate::failure::Failure;
use crate::time::{iso8601_millis, millis};
use crate::{config::Config, metrics, secrets::AppSecrets};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::SystemTime;
use tokio::sync::OnceCell;

/// What API Gateway's Lambda proxy integration expects back.
#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Response {
    pub status_code: u16,
    pub body: String,
    pub headers: BTreeMap<String, String>,
}

pub struct App {
    config: Config,
    s3: aws_sdk_s3::Client,
    secretsmanager: aws_sdk_secretsmanager::Client,
    /// Read once per execution environment, as the seed's module-level cache.
    secrets: OnceCell<AppSecrets>,
}

impl App {
    pub fn new(
        config: Config,
        s3: aws_sdk_s3::Client,
        secretsmanager: aws_sdk_secretsmanager::Client,
    ) -> Self {
        Self {
            config,
            s3,
            secretsmanager,
            secrets: OnceCell::new(),
        }
    }

    /// Handles one event; a failure is logged and returned, named (see [`Failure`]).
    pub async fn handle(&self, event: Value, request_id: &str) -> Result<Response, Failure> {
        println!("received event {request_id}: {event}");
        self.process(request_id).await.inspect_err(|error| {
            eprintln!("error processing request {request_id}: {error}");
        })
    }

    async fn process(&self, request_id: &str) -> Result<Response, Failure> {
        self.secrets().await?;

        let record = json!({
            "timestamp": iso8601_millis(SystemTime::now()),
            "requestId": request_id,
            "processed": true,
        });
        let key = format!("processed/{request_id}.json");
        self.s3
            .put_object()
            .bucket(&self.config.bucket)
            .key(&key)
            .content_type("application/json")
            .body(ByteStream::from(record.to_string().into_bytes()))
            // The bucket refuses uploads not encrypted with KMS; naming its
            // key keeps them off the account's `aws/s3` key.
            .server_side_encryption(ServerSideEncryption::AwsKms)
            .ssekms_key_id(&self.config.bucket_key_arn)
            .send()
            .await
            .map_err(|e| Failure::aws(&format!("storing s3://{}/{key}", self.config.bucket), e))?;

        println!(
            "{}",
            metrics::processed_request(&self.config.app_env, millis(SystemTime::now()))
        );

        Ok(Response {
            status_code: 200,
            body: json!({
                "message": "Successfully processed request",
                "requestId": request_id,
            })
            .to_string(),
            headers: BTreeMap::from([("Content-Type".into(), "application/json".into())]),
        })
    }

    async fn secrets(&self) -> Result<&AppSecrets, Failure> {
        self.secrets
            .get_or_try_init(|| async {
                let arn = &self.config.secret_arn;
                let out = self
                    .secretsmanager
                    .get_secret_value()
                    .secret_id(arn)
                    .send()
                    .await
                    .map_err(|e| Failure::aws(&format!("reading secret {arn}"), e))?;
                let text = out.secret_string().ok_or_else(|| {
                    Failure::new("InvalidSecret", format!("secret {arn} has no SecretString"))
                })?;
                AppSecrets::parse(text)
                    .map_err(|e| Failure::new("InvalidSecret", format!("secret {arn}: {e}")))
            })
            .await
    }
}
