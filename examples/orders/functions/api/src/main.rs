//! The orders API behind the HTTP API's routes (payload format 2.0):
//! `POST /orders` stores the order and queues its work, `GET /orders/{id}`
//! reads it back.
mod contract;

use aws_sdk_dynamodb::types::AttributeValue;
use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::{json, Value};

struct Api {
    table: String,
    queue: String,
    dynamodb: aws_sdk_dynamodb::Client,
    sqs: aws_sdk_sqs::Client,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let sdk = aws_config::load_from_env().await;
    let api = &Api {
        table: std::env::var(contract::ORDERS_TABLE)?,
        queue: std::env::var(contract::JOBS_QUEUE_URL)?,
        dynamodb: aws_sdk_dynamodb::Client::new(&sdk),
        sqs: aws_sdk_sqs::Client::new(&sdk),
    };
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        api.handle(&event.payload, &event.context.request_id).await
    }))
    .await
}

impl Api {
    async fn handle(&self, request: &Value, request_id: &str) -> Result<Value, Error> {
        match request["routeKey"].as_str() {
            Some("POST /orders") => self.create(request, request_id).await,
            Some("GET /orders/{id}") => match request["pathParameters"]["id"].as_str() {
                Some(id) => self.read(id).await,
                None => Ok(response(400, json!({ "error": "no order id" }))),
            },
            other => Ok(response(
                404,
                json!({ "error": format!("no route {other:?}") }),
            )),
        }
    }

    async fn create(&self, request: &Value, id: &str) -> Result<Value, Error> {
        let body = request["body"].as_str().unwrap_or("{}");
        let Ok(order) = serde_json::from_str::<Value>(body) else {
            return Ok(response(400, json!({ "error": "the body is not JSON" })));
        };
        self.dynamodb
            .put_item()
            .table_name(&self.table)
            .item("id", AttributeValue::S(id.to_string()))
            .item("order", AttributeValue::S(order.to_string()))
            .item("status", AttributeValue::S("received".into()))
            .send()
            .await?;
        self.sqs
            .send_message()
            .queue_url(&self.queue)
            .message_body(json!({ "id": id }).to_string())
            .send()
            .await?;
        Ok(response(201, json!({ "id": id })))
    }

    async fn read(&self, id: &str) -> Result<Value, Error> {
        let found = self
            .dynamodb
            .get_item()
            .table_name(&self.table)
            .key("id", AttributeValue::S(id.to_string()))
            .send()
            .await?;
        let Some(item) = found.item() else {
            return Ok(response(404, json!({ "error": format!("no order {id}") })));
        };
        let text = |k: &str| item.get(k).and_then(|v| v.as_s().ok()).cloned();
        Ok(response(
            200,
            json!({ "id": id, "status": text("status"), "order": text("order") }),
        ))
    }
}

fn response(status: u16, body: Value) -> Value {
    json!({
        "statusCode": status,
        "headers": { "content-type": "application/json" },
        "body": body.to_string(),
    })
}
