use tap_macros::stack;

stack! {
    stack Demo {
        dlq = sqs::Queue {};
        role = iam::Role { assumed_by: service("lambda.amazonaws.com"), allow: [sqs:SendMessage on dql] };
    }
}

fn main() {}
