//! The Lambda calls of a hotswap, each followed until Lambda says the
//! function is ready again: an update that is still in progress would refuse
//! the next one, and "done" must mean the new code runs.

use crate::deploy::aws::{call_error, Aws};
use crate::deploy::backoff::Backoff;
use anyhow::{bail, Result};
use aws_sdk_lambda::types::{Environment, LastUpdateStatus, State};
use std::collections::BTreeMap;

/// Where a function's new code is.
#[derive(Debug, Clone, PartialEq)]
pub enum Code {
    S3 {
        bucket: String,
        key: String,
        version: Option<String>,
    },
    Image(String),
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Code::S3 { bucket, key, .. } => write!(f, "s3://{bucket}/{key}"),
            Code::Image(uri) => write!(f, "{uri}"),
        }
    }
}

/// The function's configuration as Lambda has it now.
async fn configuration(
    aws: &Aws,
    function: &str,
) -> Result<aws_sdk_lambda::operation::get_function_configuration::GetFunctionConfigurationOutput> {
    aws.lambda
        .get_function_configuration()
        .function_name(function)
        .send()
        .await
        .map_err(|e| call_error(&format!("reading function {function}"), &e, aws))
}

/// The deployed function's variables.
pub async fn environment(aws: &Aws, function: &str) -> Result<BTreeMap<String, String>> {
    let c = configuration(aws, function).await?;
    Ok(c.environment()
        .and_then(|e| e.variables())
        .map(|v| v.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default())
}

pub async fn update_code(aws: &Aws, function: &str, code: &Code) -> Result<String> {
    let mut call = aws.lambda.update_function_code().function_name(function);
    call = match code {
        Code::S3 {
            bucket,
            key,
            version,
        } => call
            .s3_bucket(bucket)
            .s3_key(key)
            .set_s3_object_version(version.clone()),
        Code::Image(uri) => call.image_uri(uri),
    };
    call.send()
        .await
        .map_err(|e| call_error(&format!("updating the code of {function}"), &e, aws))?;
    settled(aws, function).await
}

pub async fn update_environment(
    aws: &Aws,
    function: &str,
    variables: &BTreeMap<String, String>,
) -> Result<String> {
    aws.lambda
        .update_function_configuration()
        .function_name(function)
        .environment(
            Environment::builder()
                .set_variables(Some(variables.clone().into_iter().collect()))
                .build(),
        )
        .send()
        .await
        .map_err(|e| call_error(&format!("updating the environment of {function}"), &e, aws))?;
    settled(aws, function).await
}

/// Publishes the function's code and configuration as they are now; the version's number.
pub async fn publish(aws: &Aws, function: &str) -> Result<String> {
    let v = aws
        .lambda
        .publish_version()
        .function_name(function)
        .description("tap deploy --hotswap")
        .send()
        .await
        .map_err(|e| call_error(&format!("publishing a version of {function}"), &e, aws))?;
    match v.version() {
        Some(n) => Ok(n.to_string()),
        None => bail!("publishing a version of {function}: Lambda named no version"),
    }
}

/// Points the alias at `version` with all of the traffic: a canary's
/// weighted routing, if one was under way, is cleared.
pub async fn point_alias(aws: &Aws, function: &str, alias: &str, version: &str) -> Result<()> {
    aws.lambda
        .update_alias()
        .function_name(function)
        .name(alias)
        .function_version(version)
        .routing_config(aws_sdk_lambda::types::AliasRoutingConfiguration::builder().build())
        .send()
        .await
        .map_err(|e| {
            call_error(
                &format!("pointing alias {alias} of {function} at version {version}"),
                &e,
                aws,
            )
        })?;
    Ok(())
}

/// Waits until the function is `Active` and its last update `Successful`;
/// its code's SHA-256 (base64, as Lambda gives it).
async fn settled(aws: &Aws, function: &str) -> Result<String> {
    let mut backoff = Backoff::new();
    // A function update takes seconds; minutes mean something is wrong.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(600);
    loop {
        let c = configuration(aws, function).await?;
        let failed = c.last_update_status() == Some(&LastUpdateStatus::Failed)
            || c.state() == Some(&State::Failed);
        if failed {
            bail!(
                "{function}: Lambda could not apply the update: {}",
                c.last_update_status_reason()
                    .or(c.state_reason())
                    .unwrap_or("no reason given")
            );
        }
        let updating = c.last_update_status() == Some(&LastUpdateStatus::InProgress)
            || c.state() == Some(&State::Pending);
        if !updating {
            return Ok(c.code_sha256().unwrap_or_default().to_string());
        }
        if std::time::Instant::now() > deadline {
            bail!("{function}: still updating after 10 minutes");
        }
        backoff.wait().await;
    }
}
