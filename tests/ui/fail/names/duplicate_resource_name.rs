use tap_macros::stack;

stack! {
    stack Demo {
        data = s3::Bucket {};
        data = sqs::Queue {};
    }
}

fn main() {}
