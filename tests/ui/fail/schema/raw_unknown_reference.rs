use tap_macros::stack;

stack! {
    stack Demo {
        queue = cfn::SQS::Queue {};
        param = cfn::SSM::Parameter { Type: "String", Value: queu.Arn };
    }
}

fn main() {}
