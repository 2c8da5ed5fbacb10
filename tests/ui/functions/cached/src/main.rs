mod contract;
#[path = "../registry/s3_cache.rs"]
mod s3_cache;

fn main() {
    let bucket = std::env::var(contract::CACHE_BUCKET).unwrap_or_default();
    println!("{:?}", s3_cache::Cache(bucket).get("latest"));
}
