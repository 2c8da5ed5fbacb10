use tap_macros::stack;

stack! {
    stack Demo {
        queue = cfn::SQS::Queue { DeletionPolicy: "Keep" };
    }
}

fn main() {}
