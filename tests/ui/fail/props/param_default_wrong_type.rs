// A default must be a value of the parameter's type, and only optional parameters have one.
use tap_macros::stack;

stack! {
    stack Demo(memory: Option<Int> = "large", versioned: Bool = true, logs: Option<s3::Bucket> = "x") {
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [[logs:CreateLogStream, logs:PutLogEvents] on f.log_streams],
        };
        f = lambda::Function { code: asset("."), role: role, memory: memory };
        data = s3::Bucket { versioned: versioned, access_logs: logs };
    }
}

fn main() {}
