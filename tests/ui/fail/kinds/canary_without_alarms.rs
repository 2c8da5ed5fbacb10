use tap_macros::stack;

stack! {
    stack Demo {
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [[logs:CreateLogStream, logs:PutLogEvents] on function.log_streams],
        };
        function = lambda::Function { code: asset("."), role: role };
        live = lambda::Alias { name: "live", function: function };
        app = codedeploy::LambdaApplication {};
        group = codedeploy::LambdaDeploymentGroup { application: app, alias: live, config: Canary10Percent5Minutes };
    }
}

fn main() {}
