use tap_macros::stack;

// The AWS managed key's policy cannot be changed: EventBridge cannot encrypt
// for the queue, and every event it sends is lost.
stack! {
    stack Demo {
        jobs = sqs::Queue { encryption: KmsManaged };
        hourly = events::Rule { schedule: "rate(1 hour)", targets: [jobs] };
    }
}

fn main() {}
