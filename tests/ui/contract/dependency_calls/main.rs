// The function puts objects; the local crate it depends on deletes and tags
// them. The contract declares only what the function's own file calls.
#[path = "../fake_sdk.rs"]
mod fake_sdk;
mod handler;

tap_macros::contract! {
    /// Where archived objects go.
    env ARCHIVE_BUCKET: s3::Bucket.name { s3:PutObject on objects }
}

fn main() {
    let _ = handler::handle;
}
