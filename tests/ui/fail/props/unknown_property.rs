use tap_macros::stack;

stack! {
    stack Demo {
        data = s3::Bucket { versoined: true };
    }
}

fn main() {}
