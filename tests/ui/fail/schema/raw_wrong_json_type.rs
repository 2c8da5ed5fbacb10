use tap_macros::stack;

stack! {
    stack Demo {
        stream = cfn::Kinesis::Stream { ShardCount: true };
    }
}

fn main() {}
