// A scanner finding is accepted only by its check ID and a written reason.
use tap_macros::stack;

stack! {
    stack Demo {
        data = s3::Bucket {
            because: { CKV_AWS_18: "logs", AWS_21: "versions would keep expired logs" },
        };
    }
}

fn main() {}
