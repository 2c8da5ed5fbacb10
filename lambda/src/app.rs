//! One invocation: secrets, the record in S3, the metric; on failure, the
//! dead-letter queue.

use crate::{config::Config, metrics, secrets::AppSecrets};
use aws_sdk_s3::primitives::{ByteStream, DateTime, DateTimeFormat};
use aws_sdk_s3::types::ServerSideEncryption;
use aws_sdk_secretsmanager::error::DisplayErrorContext;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::SystemTime;
use tokio::sync::OnceCell;

pub type Error = lambda_runtime::Error;

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
    sqs: aws_sdk_sqs::Client,
    /// Read once per execution environment, as the seed's module-level cache.
    secrets: OnceCell<AppSecrets>,
}

impl App {
    pub fn new(
        config: Config,
        s3: aws_sdk_s3::Client,
        secretsmanager: aws_sdk_secretsmanager::Client,
        sqs: aws_sdk_sqs::Client,
    ) -> Self {
        Self {
            config,
            s3,
            secretsmanager,
            sqs,
            secrets: OnceCell::new(),
        }
    }

    /// Handles one event. A failure goes to the dead-letter queue (when there
    /// is one) and is then returned, so Lambda records the invocation as failed.
    pub async fn handle(&self, event: Value, request_id: &str) -> Result<Response, Error> {
        println!("received event {request_id}: {event}");
        match self.process(request_id).await {
            Ok(response) => Ok(response),
            Err(error) => {
                eprintln!("error processing request {request_id}: {error}");
                if let Some(url) = &self.config.dead_letter_queue_url {
                    // The original failure is what the caller needs to see;
                    // a failed report is only logged.
                    if let Err(e) = self.report(url, &error, &event).await {
                        eprintln!("could not report request {request_id} to {url}: {e}");
                    }
                }
                Err(error)
            }
        }
    }

    async fn process(&self, request_id: &str) -> Result<Response, Error> {
        self.secrets().await?;

        let record = json!({
            "timestamp": now_iso8601(),
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
            .map_err(|e| {
                format!(
                    "storing s3://{}/{key}: {}",
                    self.config.bucket,
                    DisplayErrorContext(e)
                )
            })?;

        println!(
            "{}",
            metrics::processed_request(&self.config.app_env, now_millis())
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

    async fn secrets(&self) -> Result<&AppSecrets, Error> {
        self.secrets
            .get_or_try_init(|| async {
                let arn = &self.config.secret_arn;
                let out = self
                    .secretsmanager
                    .get_secret_value()
                    .secret_id(arn)
                    .send()
                    .await
                    .map_err(|e| format!("reading secret {arn}: {}", DisplayErrorContext(e)))?;
                let text = out
                    .secret_string()
                    .ok_or_else(|| format!("secret {arn} has no SecretString"))?;
                AppSecrets::parse(text).map_err(|e| Error::from(format!("secret {arn}: {e}")))
            })
            .await
    }

    async fn report(&self, queue_url: &str, error: &Error, event: &Value) -> Result<(), Error> {
        let body = json!({
            "error": error.to_string(),
            "event": event,
            "timestamp": now_iso8601(),
        });
        self.sqs
            .send_message()
            .queue_url(queue_url)
            .message_body(body.to_string())
            .send()
            .await
            .map_err(|e| DisplayErrorContext(e).to_string())?;
        Ok(())
    }
}

fn now_iso8601() -> String {
    DateTime::from(SystemTime::now())
        .fmt(DateTimeFormat::DateTime)
        .unwrap_or_default()
}

fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}
