use tap_macros::stack;

stack! {
    stack Demo {
        role = iam::Role { assumed_by: service("lambda.amazonaws.com") };
        function = lambda::Function { code: asset("."), role: role };
    }
}

fn main() {}
