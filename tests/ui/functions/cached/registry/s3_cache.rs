// Stands in for the registry crate `s3-cache` 0.3.1 that Cargo.lock
// describes, which reads objects with `s3:GetObject`. Outside `src/`: tap
// does not read it, as it cannot read a registry crate's code.
pub struct Cache(pub String);
impl Cache {
    pub fn get(&self, key: &str) -> Option<String> {
        Some(format!("{}/{key}", self.0))
    }
}
