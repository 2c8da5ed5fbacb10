use tap_macros::stack;

stack! {
    stack Demo {
        data = s3::Bucket {};
        data_policy = cfn::SNS::Topic {};
    }
}

fn main() {}
