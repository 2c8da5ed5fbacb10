mod contract;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sdk = aws_config::load_from_env().await;
    let bucket = std::env::var(contract::UPLOAD_BUCKET)?;
    let object = aws_sdk_s3::Client::new(&sdk)
        .get_object()
        .bucket(&bucket)
        .key("latest/upload.txt")
        .send()
        .await?;
    println!("{} bytes", object.content_length().unwrap_or_default());
    Ok(())
}
