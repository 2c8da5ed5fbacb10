use tap_macros::stack;

stack! {
    stack Demo {
        data = s3::Bucket {
            allow: [s3:GetObject on data.objects to account("12345")],
        };
    }
}

fn main() {}
