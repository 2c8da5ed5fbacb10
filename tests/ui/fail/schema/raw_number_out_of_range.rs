use tap_macros::stack;

stack! {
    stack Demo {
        queue = cfn::SQS::Queue { DelaySeconds: 901 };
    }
}

fn main() {}
