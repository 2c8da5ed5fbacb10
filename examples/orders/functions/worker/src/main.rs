//! Takes the queued work of new orders and marks each order processed. A
//! message that fails is reported (`batchItemFailures`) and returns to the
//! queue; after five receives it moves to the dead-letter queue.
mod contract;

use aws_sdk_dynamodb::types::AttributeValue;
use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::{json, Value};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let sdk = aws_config::load_from_env().await;
    let table = &std::env::var(contract::ORDERS_TABLE)?;
    let dynamodb = &aws_sdk_dynamodb::Client::new(&sdk);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        let mut failures = Vec::new();
        for message in event.payload["Records"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            let body: Value =
                serde_json::from_str(message["body"].as_str().unwrap_or("")).unwrap_or(Value::Null);
            let done = match body["id"].as_str() {
                Some(id) => dynamodb
                    .update_item()
                    .table_name(table)
                    .key("id", AttributeValue::S(id.to_string()))
                    .update_expression("SET #status = :processed")
                    .expression_attribute_names("#status", "status")
                    .expression_attribute_values(
                        ":processed",
                        AttributeValue::S("processed".into()),
                    )
                    .send()
                    .await
                    .is_ok(),
                None => false,
            };
            if !done {
                failures.push(json!({ "itemIdentifier": message["messageId"] }));
            }
        }
        Ok::<Value, Error>(json!({ "batchItemFailures": failures }))
    }))
    .await
}
