//! Moves objects out of the way.

pub use tap_fixture_keys::Error;

/// Marks `key` archived, then deletes it: `s3:PutObjectTagging` (in
/// `tap-fixture-keys`) and `s3:DeleteObject`.
pub async fn forget(s3: &blob::Client, bucket: &str, key: &str) -> Result<(), Error> {
    tap_fixture_keys::mark_archived(s3, bucket, key).await?;
    s3.delete_object().bucket(bucket).key(key).send().await?;
    Ok(())
}
