use tap_macros::stack;

stack! {
    stack Demo {
        data = s3::Bucket {
            allow: [s3:GetObject on data.objects to not account("123456789012")],
        };
    }
}

fn main() {}
