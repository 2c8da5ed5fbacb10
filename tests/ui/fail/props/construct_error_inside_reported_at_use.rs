use tap_macros::{construct, stack};

construct! {
    Worker(retention: Any) -> queue {
        queue = sqs::Queue { retention: retention };
    }
}

stack! {
    stack Demo {
        jobs = Worker { retention: days(30) };
    }
}

fn main() {}
