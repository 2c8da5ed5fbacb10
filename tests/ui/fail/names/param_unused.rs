// A parameter nothing uses is a mistake, as an unused variable is in Rust.
use tap_macros::stack;

stack! {
    stack Demo(stage: Str, memroy: Int, _later: Option<Str>) {
        data = s3::Bucket { name: "tap-data-${stage}" };
    }
}

fn main() {}
