use tap_macros::stack;

stack! {
    stack Demo {
        topic = cfn::SNS::Topic { TopicArn: "arn:aws:sns:us-east-1:123456789012:t" };
    }
}

fn main() {}
