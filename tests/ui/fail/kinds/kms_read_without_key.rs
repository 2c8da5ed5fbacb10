use tap_macros::stack;

stack! {
    stack Demo {
        key = kms::Key {};
        data = s3::Bucket { encryption: kms(key) };
        role = iam::Role { assumed_by: service("lambda.amazonaws.com"), allow: [s3:GetObject on data.objects] };
    }
}

fn main() {}
