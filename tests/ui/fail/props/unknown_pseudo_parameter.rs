use tap_macros::stack;

stack! {
    stack Demo {
        data = s3::Bucket { name: "data-${AWS::Regoin}" };
    }
}

fn main() {}
