// The handler neither reads UPLOAD_BUCKET nor calls s3:PutObject: both are declared.
use crate::fake_sdk::aws_sdk_s3;

pub async fn handle(_s3: &aws_sdk_s3::Client) -> Result<(), String> {
    Ok(())
}
