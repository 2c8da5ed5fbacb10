use tap_macros::stack;

stack! {
    stack Demo {
        data = s3::Bucket { deny: [s3:DeleteObject on data.objects] };
    }
}

fn main() {}
