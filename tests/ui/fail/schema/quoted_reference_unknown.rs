//! `Ref("…")` names a resource, a parameter or a condition of the stack,
//! checked as the bare name would be.
use tap_macros::stack;

stack! {
    stack QuotedReferenceUnknown {
        "2Queue" = cfn::SQS::Queue {};
        Topic = cfn::SNS::Topic { DisplayName: Fn::GetAtt("3Queue", "QueueName") };
        output Url { value: Ref("2Queu") };
    }
}

fn main() {}
