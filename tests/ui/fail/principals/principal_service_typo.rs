use tap_macros::stack;

stack! {
    stack Demo {
        role = iam::Role { assumed_by: service("lamda.amazonaws.com") };
    }
}

fn main() {}
