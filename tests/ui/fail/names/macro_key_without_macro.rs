//! A key beside the properties that only a macro reads (the Count macro's
//! `Count`), in a stack that names no macro: CloudFormation refuses it.
use tap_macros::stack;

stack! {
    stack MacroKeyWithoutMacro {
        Copies = cfn::SQS::Queue { Attributes: { Count: 3 } };
    }
}

fn main() {}
