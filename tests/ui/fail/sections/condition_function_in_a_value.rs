//! `Fn::Equals` where a value is asked for, and a branch of `Fn::If` that
//! does not fit the property: both branches are checked, whichever is taken.
use tap_macros::stack;

stack! {
    stack ConditionFunctionInAValue {
        parameter EnvType { Type: "String", Default: "test" };
        condition IsProd = Fn::Equals(EnvType, "prod");
        Queue = cfn::SQS::Queue {
            FifoQueue: Fn::Equals(EnvType, "prod"),
            DelaySeconds: Fn::If(IsProd, 0, "later"),
        };
    }
}

fn main() {}
