use tap_macros::stack;

stack! {
    stack Demo {
        data = s3::Bucket {};
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [
                s3:PutObject on data.objects when { ForAllValues:StringEquals: { "aws:TagKeys": ["team", "env"] } },
            ],
        };
    }
}

fn main() {}
