use tap_macros::stack;

stack! {
    stack Demo {
        logs = logs::LogGroup { retention: days(31) };
    }
}

fn main() {}
