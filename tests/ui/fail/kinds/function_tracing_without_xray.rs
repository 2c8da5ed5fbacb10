use tap_macros::stack;

stack! {
    stack Demo {
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [[logs:CreateLogStream, logs:PutLogEvents] on function.log_streams],
        };
        function = lambda::Function { code: asset("."), role: role, tracing: Active };
    }
}

fn main() {}
