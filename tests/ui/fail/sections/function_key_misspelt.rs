//! A one-key object whose key starts with `Fn::` is a function call to
//! CloudFormation, wherever it is (here in a custom resource's properties,
//! which are any JSON): `Fn::GetAtt:` is none it has.
use tap_macros::stack;

stack! {
    stack FunctionKeyMisspelt {
        Queue = cfn::SQS::Queue {};
        Hook = cfn::Custom::Hook {
            ServiceToken: "arn:aws:lambda:us-east-1:123456789012:function:hook",
            QueueArn: { "Fn::GetAtt:": ["Queue", "Arn"] },
        };
    }
}

fn main() {}
