tap_macros::contract! {
    /// Where each job's result is written, encrypted with the bucket's key.
    env OUTPUT_BUCKET: s3::Bucket.name {
        s3:PutObject,
        // S3 asks KMS for a data key with the caller's rights.
        kms:GenerateDataKey on key for s3:PutObject,
    }
}
