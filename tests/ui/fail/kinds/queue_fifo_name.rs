use tap_macros::stack;

stack! {
    stack Demo {
        orders = sqs::Queue { name: "orders", fifo: true };
        events = sqs::Queue { name: "events.fifo" };
        jobs = sqs::Queue { content_based_deduplication: true };
    }
}

fn main() {}
