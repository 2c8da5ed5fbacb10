tap_macros::contract! {
    /// The bucket whose uploads are audited.
    env UPLOAD_BUCKET: s3::Bucket.name { s3:GetObject }
}
