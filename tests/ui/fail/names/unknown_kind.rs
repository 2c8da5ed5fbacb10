use tap_macros::stack;

stack! {
    stack Demo {
        data = s3::Buckt {};
    }
}

fn main() {}
