use tap_macros::stack;

stack! {
    stack Demo {
        dlq = sqs::Queue {};
        output QueueArn { value: dlq.arnn }
    }
}

fn main() {}
