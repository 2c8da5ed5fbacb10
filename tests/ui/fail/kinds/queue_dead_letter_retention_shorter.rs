use tap_macros::stack;

// A message moved to the dead-letter queue keeps its original enqueue time:
// with a shorter retention there, it can expire before anyone inspects it.
stack! {
    stack Demo {
        failed = sqs::Queue { retention: days(1) };
        jobs = sqs::Queue {
            retention: days(4),
            dead_letter: { queue: failed, max_receives: 5 },
        };
    }
}

fn main() {}
