use tap_macros::stack;

stack! {
    stack Demo {
        role = iam::Role { assumed_by: service("lambda.amazonaws.com"), allow: [s3:PutObject on *] };
    }
}

fn main() {}
