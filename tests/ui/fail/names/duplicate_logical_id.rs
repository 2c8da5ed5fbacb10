use tap_macros::stack;

stack! {
    stack Demo {
        my_queue = sqs::Queue {};
        my__queue = sqs::Queue {};
    }
}

fn main() {}
