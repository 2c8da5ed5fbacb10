// Within a construct too, a parameter and a resource cannot share a name.
use tap_macros::construct;

construct! {
    LoggedBucket(logs: Str) -> bucket {
        logs = s3::Bucket {};
        bucket = s3::Bucket { access_logs: logs };
    }
}

fn main() {}
