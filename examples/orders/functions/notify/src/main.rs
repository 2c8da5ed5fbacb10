//! Publishes each order the table's stream shows inserted. A record that
//! fails is reported (`batchItemFailures`): Lambda retries from it.
mod contract;

use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::{json, Value};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let sdk = aws_config::load_from_env().await;
    let topic = &std::env::var(contract::ORDER_EVENTS_TOPIC_ARN)?;
    let sns = &aws_sdk_sns::Client::new(&sdk);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        let records = event.payload["Records"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for record in records.iter().filter(|r| r["eventName"] == "INSERT") {
            let image = &record["dynamodb"]["NewImage"];
            let published = sns
                .publish()
                .topic_arn(topic)
                .subject("New order")
                .message(image.to_string())
                .send()
                .await;
            if published.is_err() {
                let sequence = &record["dynamodb"]["SequenceNumber"];
                return Ok::<Value, Error>(
                    json!({ "batchItemFailures": [{ "itemIdentifier": sequence }] }),
                );
            }
        }
        Ok(json!({ "batchItemFailures": [] }))
    }))
    .await
}
