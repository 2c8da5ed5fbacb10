use tap_macros::stack;

stack! {
    stack Demo {
        data = s3::Bucket {};
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [
                s3:GetObject on data.objects when { ForAnyValue:StringEquals: { "aws:SourceAccount": "123456789012" } },
            ],
        };
    }
}

fn main() {}
