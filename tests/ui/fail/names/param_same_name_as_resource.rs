// A parameter and a resource cannot share a name.
use tap_macros::stack;

stack! {
    stack Demo(data: Str) {
        data = s3::Bucket { name: data };
    }
}

fn main() {}
