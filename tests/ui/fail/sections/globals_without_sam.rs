//! SAM's `Globals` section in a stack without SAM's transform: CloudFormation
//! refuses a template section it does not know.
use tap_macros::stack;

stack! {
    stack GlobalsWithoutSam {
        globals: { Function: { Timeout: 10 } };
        Queue = cfn::SQS::Queue {};
    }
}

fn main() {}
