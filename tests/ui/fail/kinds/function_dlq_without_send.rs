use tap_macros::stack;

stack! {
    stack Demo {
        dlq = sqs::Queue {};
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [[logs:CreateLogStream, logs:PutLogEvents] on function.log_streams],
        };
        function = lambda::Function { code: asset("."), role: role, dead_letter_queue: dlq };
    }
}

fn main() {}
