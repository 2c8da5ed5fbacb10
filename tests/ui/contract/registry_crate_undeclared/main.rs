// The function reads through `s3-cache`, which calls S3 where tap cannot see:
// the contract does not say what it calls.
#[path = "../fake_s3_cache.rs"]
mod s3_cache;

tap_macros::contract! {
    /// The bucket the cache reads.
    env CACHE_BUCKET: s3::Bucket.name;
}

fn main() {
    let bucket = std::env::var(CACHE_BUCKET).unwrap_or_default();
    let _ = s3_cache::Cache(bucket).get("k");
}
