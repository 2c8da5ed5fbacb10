//! A logical ID written as a string may be any CloudFormation accepts, and
//! CloudFormation takes letters and digits only.
use tap_macros::stack;

stack! {
    stack QuotedNameNotAlphanumeric {
        "my-queue" = cfn::SQS::Queue {};
    }
}

fn main() {}
