//! The seed's Lambda handler, in Rust. (Skeleton: the handler itself is its own issue.)

use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::{json, Value};

async fn handler(event: LambdaEvent<Value>) -> Result<Value, Error> {
    Ok(
        json!({ "statusCode": 200, "body": json!({ "message": "ok", "requestId": event.context.request_id }).to_string() }),
    )
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(handler)).await
}
