// A stack's own settings come first in its body, and are checked like properties.
use tap_macros::stack;

stack! {
    stack Demo {
        termination_protectoin: true;
        data = s3::Bucket {};
    }
}

fn main() {}
