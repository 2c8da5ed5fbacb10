// The handler reads a variable the contract does not declare.
use crate::fake_sdk::aws_sdk_s3;

pub async fn handle(s3: &aws_sdk_s3::Client) -> Result<(), String> {
    let bucket = std::env::var(crate::UPLOAD_BUCKET).map_err(|e| e.to_string())?;
    let prefix = std::env::var("UPLOAD_PREFIX").unwrap_or_default();
    s3.put_object().bucket(&bucket).key(&prefix).send().await
}
