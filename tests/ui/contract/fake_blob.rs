// A stand-in for `aws_sdk_s3` under another name (`blob = { package =
// "aws-sdk-s3" }` in the case's manifest), so that the case builds without
// the SDK: the contract's check knows `blob` is the S3 crate from the manifest.
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
    pub async fn send(self) -> Result<(), String> {
        Ok(())
    }
}
