// A default is checked where the parameter is used, as the literal it is.
use tap_macros::stack;

stack! {
    stack Demo(memory: Option<Int> = 20000) {
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [[logs:CreateLogStream, logs:PutLogEvents] on f.log_streams],
        };
        f = lambda::Function { code: asset("."), role: role, memory: memory };
    }
}

fn main() {}
