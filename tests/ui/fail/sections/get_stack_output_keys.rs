//! `Fn::GetStackOutput` takes `StackName` and `OutputName` (and optionally
//! `Region` and `RoleArn`), nothing else.
use tap_macros::stack;

stack! {
    stack GetStackOutputKeys {
        Topic = cfn::SNS::Topic {
            DisplayName: Fn::GetStackOutput({ StackName: "producer", OutputNam: "TopicName" }),
        };
    }
}

fn main() {}
