//! `2Queue` lexes as the number 2 with a suffix: it is never taken for 2.
use tap_macros::stack;

stack! {
    stack NumberWithASuffix {
        "2Queue" = cfn::SQS::Queue {};
        Copy = cfn::SSM::Parameter { Type: "String", Value: 2Queue };
    }
}

fn main() {}
