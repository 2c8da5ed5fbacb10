//! The nightly report: how many orders there are in each status, written to
//! `reports/<date>.json` (the date of the schedule's event).
mod contract;

use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::{json, Map, Value};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let sdk = aws_config::load_from_env().await;
    let table = &std::env::var(contract::ORDERS_TABLE)?;
    let bucket = &std::env::var(contract::REPORTS_BUCKET)?;
    let dynamodb = &aws_sdk_dynamodb::Client::new(&sdk);
    let s3 = &aws_sdk_s3::Client::new(&sdk);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        let mut counts = Map::new();
        let mut start = None;
        loop {
            let page = dynamodb
                .scan()
                .table_name(table)
                .projection_expression("#status")
                .expression_attribute_names("#status", "status")
                .set_exclusive_start_key(start)
                .send()
                .await?;
            for item in page.items() {
                let status = item
                    .get("status")
                    .and_then(|v| v.as_s().ok())
                    .map_or("unknown", |s| s.as_str());
                let n = counts.get(status).and_then(Value::as_u64).unwrap_or(0);
                counts.insert(status.to_string(), json!(n + 1));
            }
            start = page.last_evaluated_key().cloned();
            if start.is_none() {
                break;
            }
        }
        let date = event.payload["time"]
            .as_str()
            .and_then(|t| t.get(..10))
            .unwrap_or("undated");
        let key = format!("reports/{date}.json");
        s3.put_object()
            .bucket(bucket)
            .key(&key)
            .content_type("application/json")
            .body(Value::Object(counts).to_string().into_bytes().into())
            .send()
            .await?;
        Ok::<Value, Error>(json!({ "report": key }))
    }))
    .await
}
