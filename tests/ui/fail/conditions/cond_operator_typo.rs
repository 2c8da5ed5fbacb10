use tap_macros::stack;

stack! {
    stack Demo {
        data = s3::Bucket {
            deny: [
                s3:PutObject on data.objects to any when {
                    StringNotEqual: { "s3:x-amz-server-side-encryption": "aws:kms" },
                },
            ],
        };
    }
}

fn main() {}
