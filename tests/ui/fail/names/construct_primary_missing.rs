// A construct stands for one of its resources, named after `->`.
use tap_macros::construct;

construct! {
    LoggedBucket(logs_prefix: Str) -> bucket {
        logs = s3::Bucket {};
        data = s3::Bucket { access_logs: logs, access_logs_prefix: logs_prefix };
    }
}

fn main() {}
