use tap_macros::stack;

stack! {
    stack Demo {
        data = s3::Bucket { name: "My_Bucket" };
    }
}

fn main() {}
