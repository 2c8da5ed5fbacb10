use tap_macros::stack;

stack! {
    stack Demo {
        dlq = sqs::Queue {};
        topic = sns::Topic {};
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [[logs:CreateLogStream, logs:PutLogEvents] on function.log_streams],
        };
        function = lambda::Function { code: asset("."), role: dlq };
    }
}

fn main() {}
