use tap_macros::stack;

stack! {
    stack Demo {
        param = cfn::SSM::Parameter { Type: "String", Value: 42 };
    }
}

fn main() {}
