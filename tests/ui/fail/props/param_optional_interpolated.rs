// `${param}` needs a value: an optional parameter with no default may have none.
use tap_macros::stack;

stack! {
    stack Demo(stage: Option<Str>) {
        data = s3::Bucket { name: "tap-data-${stage}" };
    }
}

fn main() {}
