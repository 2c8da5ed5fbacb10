use tap_macros::stack;

stack! {
    stack Demo {
        role = iam::Role {
            assumed_by: service("codebuild.amazonaws.com"),
            allow: [iam:PassRole on "arn:aws:iam::123456789012:policy/deploy"],
        };
    }
}

fn main() {}
