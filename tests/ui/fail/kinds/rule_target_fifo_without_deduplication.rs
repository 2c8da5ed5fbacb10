use tap_macros::stack;

// EventBridge sends to a FIFO queue only when the queue deduplicates by
// content: without it every event is dropped, and only a metric says so.
stack! {
    stack Demo {
        in_order = sqs::Queue { fifo: true };
        hourly = events::Rule { schedule: "rate(1 hour)", targets: [in_order] };
    }
}

fn main() {}
