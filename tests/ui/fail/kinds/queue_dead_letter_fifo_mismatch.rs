use tap_macros::stack;

stack! {
    stack Demo {
        failed = sqs::Queue { retention: days(14) };
        orders = sqs::Queue {
            fifo: true,
            dead_letter: { queue: failed, max_receives: 3 },
        };
    }
}

fn main() {}
