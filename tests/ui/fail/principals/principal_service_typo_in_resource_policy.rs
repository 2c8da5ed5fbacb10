use tap_macros::stack;

stack! {
    stack Demo {
        data = s3::Bucket {
            allow: [s3:PutObject on data.objects to service("cloudtrial.amazonaws.com")],
        };
    }
}

fn main() {}
