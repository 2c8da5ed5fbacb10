//! Marks an object as archived.

use aws_sdk_s3::types::{Tag, Tagging};

pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// Tags `key` in `bucket` as archived: `s3:PutObjectTagging`.
pub async fn mark_archived(s3: &aws_sdk_s3::Client, bucket: &str, key: &str) -> Result<(), Error> {
    let tag = Tag::builder().key("state").value("archived").build()?;
    let tagging = Tagging::builder().tag_set(tag).build()?;
    s3.put_object_tagging()
        .bucket(bucket)
        .key(key)
        .tagging(tagging)
        .send()
        .await?;
    Ok(())
}
