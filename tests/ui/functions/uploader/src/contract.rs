tap_macros::contract! {
    /// Where each upload is stored.
    env UPLOAD_BUCKET: s3::Bucket.name { s3:PutObject }
    /// Who hears of each upload.
    env NOTIFY_QUEUE_URL: sqs::Queue.url { sqs:SendMessage }
    env STAGE;
    for_libraries { RUST_LOG }
}
