// `{ none }` says a crate that depends on an AWS SDK crate calls nothing with
// the function's role: that is the user's word, and it needs a reason.
tap_macros::contract! {
    env CACHE_BUCKET: s3::Bucket.name;
    uses s3-cache { none }
}

fn main() {
    let _ = std::env::var("CACHE_BUCKET");
}
