use tap_macros::stack;

stack! {
    stack Demo {
        data = s3::Bucket {
            deny: [
                s3:PutObject on data.objects to any when {
                    StringNotEquals: { "s3:x-amz-server-side-encryptionn": "aws:kms" },
                },
            ],
        };
    }
}

fn main() {}
