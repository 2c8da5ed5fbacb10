use tap_macros::stack;

stack! {
    stack Demo {
        dlq = sqs::Queue { retention: days(15) };
    }
}

fn main() {}
