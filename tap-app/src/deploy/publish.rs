//! Getting files to where CloudFormation reads them: Lambda packages and
//! templates too large to send inline, both in the toolkit's asset bucket.

use super::aws::Aws;
use super::ui::Ui;
use crate::assets::{hex_sha256, Asset};
use anyhow::{anyhow, Result};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ChecksumMode;

/// CloudFormation's limit for an inline `TemplateBody`.
pub const MAX_TEMPLATE_BODY: usize = 51_200;

/// How a template reaches CloudFormation.
#[derive(Debug, Clone, PartialEq)]
pub enum TemplateSource {
    Body(String),
    Url(String),
}

/// Uploads an asset unless its key is already in the bucket with the
/// package's own SHA-256 (the key is that hash, so a matching object is this
/// very package; one that does not match is replaced). Returns whether it uploaded.
pub async fn upload_asset(aws: &Aws, ui: &Ui, bucket: &str, asset: &Asset) -> Result<bool> {
    let key = &asset.location.key;
    let owner = aws.account().await?;
    let checksum = base64_of_hex(&asset.package.sha256)?;
    match stored(aws, bucket, key, &owner, &checksum).await? {
        Stored::Same => {
            ui.line(format!("assets: s3://{bucket}/{key} is already uploaded"));
            return Ok(false);
        }
        Stored::Different => ui.line(format!(
            "assets: s3://{bucket}/{key} does not hold this package (its checksum differs): uploading it again"
        )),
        Stored::Missing => {}
    }
    let body = ByteStream::from_path(&asset.package.zip)
        .await
        .map_err(|e| anyhow!("reading {}: {e}", asset.package.zip.display()))?;
    aws.s3
        .put_object()
        .bucket(bucket)
        .key(key)
        .expected_bucket_owner(&owner)
        .checksum_sha256(&checksum)
        .body(body)
        .content_type("application/zip")
        .send()
        .await
        .map_err(|e| {
            crate::deploy::aws::call_error(&format!("uploading {key} to {bucket}"), &e, aws)
        })?;
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
    let hash = hex_sha256(body.as_bytes());
    let key = format!("templates/{stack}-{hash}.json");
    let owner = aws.account().await?;
    let checksum = base64_of_hex(&hash)?;
    if stored(aws, bucket, &key, &owner, &checksum).await? != Stored::Same {
        aws.s3
            .put_object()
            .bucket(bucket)
            .key(&key)
            .expected_bucket_owner(&owner)
            .checksum_sha256(&checksum)
            .body(ByteStream::from(body.clone().into_bytes()))
            .content_type("application/json")
            .send()
            .await
            .map_err(|e| {
                crate::deploy::aws::call_error(
                    &format!("uploading the template of {stack}"),
                    &e,
                    aws,
                )
            })?;
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

/// What the bucket holds under a key, against the SHA-256 the object should have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stored {
    Missing,
    Same,
    /// Another object, or one stored without a SHA-256 checksum to prove it.
    Different,
}

async fn stored(aws: &Aws, bucket: &str, key: &str, owner: &str, checksum: &str) -> Result<Stored> {
    match aws
        .s3
        .head_object()
        .bucket(bucket)
        .key(key)
        .expected_bucket_owner(owner)
        .checksum_mode(ChecksumMode::Enabled)
        .send()
        .await
    {
        Ok(o) if o.checksum_sha256() == Some(checksum) => Ok(Stored::Same),
        Ok(_) => Ok(Stored::Different),
        Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => Ok(Stored::Missing),
        Err(e) => Err(crate::deploy::aws::call_error(
            &format!("checking s3://{bucket}/{key}"),
            &e,
            aws,
        )),
    }
}

/// A hex digest as S3 wants a checksum header: base64 of the bytes.
pub fn base64_of_hex(hex: &str) -> Result<String> {
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
        })
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(|| anyhow!("`{hex}` is not a hex digest"))?;
    Ok(aws_smithy_types::base64::encode(bytes))
}
