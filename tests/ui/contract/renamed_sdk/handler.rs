pub async fn handle(s3: &crate::blob::Client) -> Result<(), String> {
    let bucket = std::env::var(crate::UPLOAD_BUCKET).map_err(|e| e.to_string())?;
    s3.put_object().bucket(&bucket).send().await?;
    s3.get_object().bucket(&bucket).send().await
}
