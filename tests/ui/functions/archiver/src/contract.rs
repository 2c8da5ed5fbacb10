tap_macros::contract! {
    /// Where archived objects go. The function puts them; `tap-fixture-store`
    /// deletes what it archived, and `tap-fixture-keys` (through it) tags it.
    env ARCHIVE_BUCKET: s3::Bucket.name {
        s3:PutObject on objects,
        s3:DeleteObject on objects,
        s3:PutObjectTagging on objects,
    }
}
