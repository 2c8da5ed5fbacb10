use tap_macros::stack;

stack! {
    stack Demo {
        queue = cfn::SQS::Queue {};
        sg = cfn::EC2::SecurityGroup { GroupDescription: "web", SecurityGroupIngress: queue.Arn };
    }
}

fn main() {}
