tap_macros::contract! {
    /// The bucket the cache reads: only `s3-cache` does anything with it.
    env CACHE_BUCKET: s3::Bucket.name;
    uses s3-cache { s3:GetObject on CACHE_BUCKET.objects }
}
