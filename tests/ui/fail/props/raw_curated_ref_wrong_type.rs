use tap_macros::stack;

stack! {
    stack Demo {
        key = cfn::SQS::Queue {};
        topic = sns::Topic { key: key };
    }
}

fn main() {}
