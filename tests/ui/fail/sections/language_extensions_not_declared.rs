//! `Fn::Length` without the transform that defines it, and a list function
//! given a string.
use tap_macros::stack;

stack! {
    stack LanguageExtensionsNotDeclared {
        Topic = cfn::SNS::Topic {
            TopicName: Fn::Select(0, "orders"),
            DisplayName: Fn::Length(["a", "b"]),
        };
    }
}

fn main() {}
