// A stand-in for `aws_sdk_s3`'s fluent client, so that these fixtures build
// without the SDK in the UI tests' dependencies: the contract's check reads
// the code, and the code reads the same as with the real crate.
pub mod aws_sdk_s3 {
    pub struct Client;
    pub struct Request;
    impl Client {
        pub fn put_object(&self) -> Request {
            Request
        }
        pub fn get_object(&self) -> Request {
            Request
        }
    }
    impl Request {
        pub fn bucket(self, _: &str) -> Self {
            self
        }
        pub fn key(self, _: &str) -> Self {
            self
        }
        pub async fn send(self) -> Result<(), String> {
            Ok(())
        }
    }
}
