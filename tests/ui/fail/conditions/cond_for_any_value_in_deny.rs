use tap_macros::stack;

stack! {
    stack Demo {
        data = s3::Bucket {
            deny: [
                s3:PutObject on data.objects to any when { ForAnyValue:StringEquals: { "aws:TagKeys": "public" } },
            ],
        };
    }
}

fn main() {}
