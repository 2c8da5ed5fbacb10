use tap_macros::stack;

stack! {
    stack Demo {
        role = iam::Role { allow: [] };
    }
}

fn main() {}
