use tap_macros::stack;

stack! {
    stack Demo {
        queue = cfn::SQS::Queue { MessageRetentionPeriod: days(4) };
    }
}

fn main() {}
