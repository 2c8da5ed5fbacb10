use tap_macros::stack;

stack! {
    stack Demo {
        dlq = sqs::Queue {};
        output Command { value: "aws sqs receive-message --queue-url ${dql.url}" }
    }
}

fn main() {}
