//! Getting files to where CloudFormation reads them: Lambda packages and
//! templates too large to send inline, both in the toolkit's asset bucket.

use super::aws::{explain, Aws};
use super::ui::Ui;
use crate::assets::{hex_sha256, Asset};
use anyhow::{anyhow, Result};
use aws_sdk_s3::primitives::ByteStream;

/// CloudFormation's limit for an inline `TemplateBody`.
pub const MAX_TEMPLATE_BODY: usize = 51_200;

/// How a template reaches CloudFormation.
#[derive(Debug, Clone, PartialEq)]
pub enum TemplateSource {
    Body(String),
    Url(String),
}

/// Uploads an asset unless its key is already in the bucket (the key is the
/// package's hash, so an object there is this very package). Returns whether
/// it uploaded.
pub async fn upload_asset(aws: &Aws, ui: &Ui, bucket: &str, asset: &Asset) -> Result<bool> {
    let key = &asset.location.key;
    if exists(aws, bucket, key).await? {
        ui.line(format!("assets: s3://{bucket}/{key} is already uploaded"));
        return Ok(false);
    }
    let body = ByteStream::from_path(&asset.package.zip)
        .await
        .map_err(|e| anyhow!("reading {}: {e}", asset.package.zip.display()))?;
    aws.s3
        .put_object()
        .bucket(bucket)
        .key(key)
        .body(body)
        .content_type("application/zip")
        .send()
        .await
        .map_err(|e| anyhow!("uploading {key} to {bucket}: {}", explain(&e, aws)))?;
    ui.line(format!(
        "assets: uploaded {} to s3://{bucket}/{key} ({:.1} MB)",
        asset.source.display(),
        asset.package.size as f64 / 1e6
    ));
    Ok(true)
}

/// The template inline when it fits, otherwise uploaded to the asset bucket
/// (keyed by its hash) and passed by URL.
pub async fn place_template(
    aws: &Aws,
    ui: &Ui,
    bucket: Option<&str>,
    stack: &str,
    body: String,
) -> Result<TemplateSource> {
    if body.len() <= MAX_TEMPLATE_BODY {
        return Ok(TemplateSource::Body(body));
    }
    let Some(bucket) = bucket else {
        return Err(anyhow!(
            "the template of {stack} is {} bytes, over CloudFormation's {MAX_TEMPLATE_BODY}-byte limit for inline templates, and there is no asset bucket to upload it to: run `tap bootstrap`",
            body.len()
        ));
    };
    let key = format!("templates/{stack}-{}.json", hex_sha256(body.as_bytes()));
    if !exists(aws, bucket, &key).await? {
        aws.s3
            .put_object()
            .bucket(bucket)
            .key(&key)
            .body(ByteStream::from(body.clone().into_bytes()))
            .content_type("application/json")
            .send()
            .await
            .map_err(|e| anyhow!("uploading the template of {stack}: {}", explain(&e, aws)))?;
    }
    ui.line(format!(
        "{stack}: template is {} bytes (over {MAX_TEMPLATE_BODY}): passed to CloudFormation from s3://{bucket}/{key}",
        body.len()
    ));
    Ok(TemplateSource::Url(template_url(&aws.region, bucket, &key)))
}

/// The S3 address CloudFormation reads a template from. Always AWS's own
/// form: emulators map it to their S3.
pub fn template_url(region: &str, bucket: &str, key: &str) -> String {
    let suffix = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    format!("https://{bucket}.s3.{region}.{suffix}/{key}")
}

async fn exists(aws: &Aws, bucket: &str, key: &str) -> Result<bool> {
    match aws.s3.head_object().bucket(bucket).key(key).send().await {
        Ok(_) => Ok(true),
        Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => Ok(false),
        Err(e) => Err(anyhow!(
            "checking s3://{bucket}/{key}: {}",
            explain(&e, aws)
        )),
    }
}
