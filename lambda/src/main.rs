//! The function's `bootstrap`: the Lambda runtime loop around [`tap_lambda::App`].

use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::Value;
use tap_lambda::{App, Config};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    // Checked before the first request: a missing variable fails the init,
    // and Lambda reports it with this message.
    let config = Config::from_env()?;
    let sdk = aws_config::load_from_env().await;
    let app = &App::new(
        config,
        aws_sdk_s3::Client::new(&sdk),
        aws_sdk_secretsmanager::Client::new(&sdk),
        aws_sdk_sqs::Client::new(&sdk),
    );
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        app.handle(event.payload, &event.context.request_id).await
    }))
    .await
}
