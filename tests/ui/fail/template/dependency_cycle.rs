use tap_macros::stack;

stack! {
    stack Demo {
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [[logs:CreateLogStream, logs:PutLogEvents] on function.log_streams],
        };
        function = lambda::Function { code: asset("."), role: role, environment: { LIVE_ALIAS: live.arn } };
        live = lambda::Alias { name: "live", function: function };
    }
}

fn main() {}
