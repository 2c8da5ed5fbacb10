use tap_macros::stack;

stack! {
    stack Demo {
        data = s3::Bucket { removal: Retian };
    }
}

fn main() {}
