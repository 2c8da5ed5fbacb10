//! The function's `bootstrap`: the Lambda runtime loop around [`tap_lambda::App`].

use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::Value;
use tap_lambda::{App, Config, Failure};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let sdk = aws_config::load_from_env().await;
    // A missing variable does not stop the runtime: each invocation fails
    // with it, so the invocation's error says what is missing (exiting here
    // would show only `Runtime.ExitError`, and the message only in the log).
    let app = match Config::from_env() {
        Ok(config) => Ok(App::new(
            config,
            aws_sdk_s3::Client::new(&sdk),
            aws_sdk_secretsmanager::Client::new(&sdk),
        )),
        Err(missing) => {
            eprintln!("{missing}");
            Err(Failure::from(missing))
        }
    };
    let app = &app;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        match app {
            Ok(app) => app.handle(event.payload, &event.context.request_id).await,
            Err(failure) => Err(failure.clone()),
        }
    }))
    .await
}
