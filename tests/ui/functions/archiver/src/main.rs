mod contract;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), tap_fixture_store::Error> {
    let sdk = aws_config::load_from_env().await;
    let s3 = objects::Client::new(&sdk);
    let bucket = std::env::var(contract::ARCHIVE_BUCKET)?;
    s3.put_object()
        .bucket(&bucket)
        .key("archive/latest.txt")
        .send()
        .await?;
    tap_fixture_store::forget(&s3, &bucket, "incoming/latest.txt").await?;
    Ok(())
}
