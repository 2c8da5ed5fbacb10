mod contract;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sdk = aws_config::load_from_env().await;
    let bucket = std::env::var(contract::UPLOAD_BUCKET)?;
    let queue = std::env::var(contract::NOTIFY_QUEUE_URL)?;
    let stage = std::env::var(contract::STAGE)?;
    let key = format!("{stage}/upload.txt");
    aws_sdk_s3::Client::new(&sdk)
        .put_object()
        .bucket(&bucket)
        .key(&key)
        .send()
        .await?;
    aws_sdk_sqs::Client::new(&sdk)
        .send_message()
        .queue_url(&queue)
        .message_body(key)
        .send()
        .await?;
    Ok(())
}
