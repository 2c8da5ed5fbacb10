use tap_macros::stack;

stack! {
    stack Demo {
        role = iam::Role { assumed_by: service("codebuild.amazonaws.com"), allow: [s3:* on * because "ok"] };
    }
}

fn main() {}
