use tap_macros::stack;

stack! {
    stack Demo {
        data = s3::Bucket { auto_delete_objects: true };
    }
}

fn main() {}
