use tap_macros::stack;

// Block Public Access is on: S3 refuses a policy that allows anyone
// (PutBucketPolicy: AccessDenied) unless a condition pins it to fixed values.
stack! {
    stack Demo {
        site = s3::Bucket {
            allow: [
                s3:GetObject on site.objects to any when { Bool: { "aws:SecureTransport": "true" } },
            ],
        };
    }
}

fn main() {}
