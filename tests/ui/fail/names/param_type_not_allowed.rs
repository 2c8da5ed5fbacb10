// A stack's parameters are fields of its props struct: `Any` (which a
// construct's parameters may be) has no Rust type, and a list holds single values.
use tap_macros::stack;

stack! {
    stack Demo(_anything: Any, _groups: [[Str]]) {
        topic = sns::Topic {};
    }
}

fn main() {}
