use tap_macros::stack;

stack! {
    stack Demo {
        data = s3::Bucket {};
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [
                s3:GetObject on data.objects when { IpAddress: { "aws:SourceIp": "10.0.0.300/33" } },
            ],
        };
    }
}

fn main() {}
