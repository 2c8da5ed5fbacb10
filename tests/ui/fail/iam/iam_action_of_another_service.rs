use tap_macros::stack;

stack! {
    stack Demo {
        data = s3::Bucket {};
        role = iam::Role { assumed_by: service("lambda.amazonaws.com"), allow: [sqs:SendMessage on data] };
    }
}

fn main() {}
