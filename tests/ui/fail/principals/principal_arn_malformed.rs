use tap_macros::stack;

stack! {
    stack Demo {
        data = s3::Bucket {
            allow: [s3:GetObject on data.objects to account("arn:aws:iam:us-east-1:123456789012:root")],
        };
    }
}

fn main() {}
