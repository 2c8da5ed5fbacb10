// A stand-in for the registry crate `s3-cache` 0.3.1 that the case's
// Cargo.lock describes (it depends on `aws-sdk-s3`): tap reads neither, as it
// cannot read a registry crate's code.
pub struct Cache(pub String);
impl Cache {
    pub fn get(&self, key: &str) -> Option<String> {
        Some(format!("{}/{key}", self.0))
    }
}
