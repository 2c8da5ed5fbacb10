use tap_macros::stack;

stack! {
    stack Demo {
        stream = cfn::Kinesis::Stream { ShardCount: "2" };
    }
}

fn main() {}
