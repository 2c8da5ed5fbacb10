use tap_macros::stack;

stack! {
    stack Demo {
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [[logs:CreateLogStream, logs:PutLogEvents] on function.log_streams],
        };
        function = lambda::Function { code: asset("."), role: role };
        alarm = cloudwatch::Alarm { metric: function.arn, threshold: 1 };
    }
}

fn main() {}
