//! A SAM type in a stack without SAM's transform: CloudFormation has no such
//! type until the transform expands it.
use tap_macros::stack;

stack! {
    stack SamTypeWithoutTransform {
        Handler = cfn::Serverless::Function {
            Runtime: "python3.13",
            Handler: "index.handler",
            InlineCode: "def handler(event, context):\n    return None\n",
        };
    }
}

fn main() {}
