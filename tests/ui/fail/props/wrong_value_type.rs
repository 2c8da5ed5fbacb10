use tap_macros::stack;

stack! {
    stack Demo {
        data = s3::Bucket { versioned: "yes" };
    }
}

fn main() {}
