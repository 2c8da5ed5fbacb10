use tap_macros::stack;

stack! {
    stack Demo {
        data = s3::Bucket { name: "tap-application-data-archive-bucket-v2-${AWS::AccountId}-${AWS::Region}" };
    }
}

fn main() {}
