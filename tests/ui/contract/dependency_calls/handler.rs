use crate::fake_sdk::aws_sdk_s3;

pub async fn handle(s3: &aws_sdk_s3::Client) -> Result<(), String> {
    let bucket = std::env::var(crate::ARCHIVE_BUCKET).map_err(|e| e.to_string())?;
    s3.put_object().bucket(&bucket).key("k").send().await
    // …then `tap_fixture_store::forget(s3, &bucket, "k")`, in the real crate.
}
