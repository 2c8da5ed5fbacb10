use tap_macros::{construct, stack};

construct! {
    LoggedBucket(logs_prefix: Str) -> bucket {
        logs = s3::Bucket {};
        bucket = s3::Bucket { access_logs: logs, access_logs_prefix: logs_prefix };
    }
}

stack! {
    stack Demo {
        data = LoggedBucket {};
    }
}

fn main() {}
