use tap_macros::stack;

stack! {
    stack Demo {
        dlq = sqs::Queue {};
        output QueueUrl { value: dlq.url, exports: "QueueUrl" }
    }
}

fn main() {}
