use tap_macros::stack;

stack! {
    stack Demo(retention: Duration) {
        queue = cfn::SQS::Queue { MessageRetentionPeriod: retention };
    }
}

fn main() {}
