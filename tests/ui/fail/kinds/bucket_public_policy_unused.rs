use tap_macros::stack;

stack! {
    stack Demo {
        site = s3::Bucket {
            public_policy: "the static website's pages",
            allow: [s3:GetObject on site.objects to account("123456789012")],
        };
    }
}

fn main() {}
