// The handler reads back what it wrote: s3:GetObject, which the contract does not declare.
use crate::fake_sdk::aws_sdk_s3;

pub async fn handle(s3: &aws_sdk_s3::Client) -> Result<(), String> {
    let bucket = std::env::var(crate::UPLOAD_BUCKET).map_err(|e| e.to_string())?;
    s3.put_object().bucket(&bucket).key("k").send().await?;
    s3.get_object().bucket(&bucket).key("k").send().await
}
