use tap_macros::stack;

stack! {
    stack Demo {
        data = s3::Bucket {};
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [
                s3:GetObject on data.objects when { NullIfExists: { "aws:SourceVpc": "false" } },
            ],
        };
    }
}

fn main() {}
