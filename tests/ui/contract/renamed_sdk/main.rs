// The code calls S3 through the crate as its manifest renames it, `blob`:
// its s3:GetObject is undeclared all the same.
#[path = "../fake_blob.rs"]
mod blob;
mod handler;

tap_macros::contract! {
    /// Where each upload is stored.
    env UPLOAD_BUCKET: s3::Bucket.name { s3:PutObject }
}

fn main() {
    let _ = handler::handle;
}
