#[path = "../fake_sdk.rs"]
mod fake_sdk;
mod handler;

tap_macros::contract! {
    /// Where each upload is stored.
    env UPLOAD_BUCKET: s3::Bucket.name { s3:PutObject }
}

fn main() {
    let _ = handler::handle;
}
