// A parameter stands for a value of its declared type, wherever it is used.
use tap_macros::stack;

stack! {
    stack Demo(memory: Str, timeout: Int, keep: Duration) {
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [[logs:CreateLogStream, logs:PutLogEvents] on f.log_streams],
        };
        f = lambda::Function { code: asset("."), role: role, memory: memory, timeout: timeout };
        data = s3::Bucket { versioned: keep };
    }
}

fn main() {}
