use tap_macros::stack;

stack! {
    stack Demo {
        deployer = iam::Role {
            assumed_by: service("codebuild.amazonaws.com"),
            // A user cannot be assumed: AssumeRole applies to roles.
            allow: [sts:AssumeRole on "arn:aws:iam::222222222222:user/deployer"],
        };
    }
}

fn main() {}
