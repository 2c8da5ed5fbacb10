use tap_macros::stack;

stack! {
    stack Demo {
        data = s3::Bucket {};
    }
}

fn main() {
    // The props type is checked by rustc like any other struct.
    let _ = Demo::new(DemoProps { bucket: None });
}
