// `param or kind { … }`: the stack creates the bucket unless it is given one.
use tap_core::{synth::PlaceholderAssets, Expr, Ref};
use tap_macros::stack;

stack! {
    stack Demo(source: Option<s3::Bucket>) {
        bucket = source or s3::Bucket { versioned: true };
        reader = iam::Role { assumed_by: service("lambda.amazonaws.com"), allow: [s3:GetObject on bucket.objects] };
        output SourceName { value: bucket.name }
    }
}

fn main() {
    let own = Demo::new(DemoProps::default()).unwrap().synth(&PlaceholderAssets).unwrap();
    assert!(own.resources.contains_key("Bucket"));
    let given = DemoProps { source: Some(Ref::bucket_named("existing-bucket")) };
    let given = Demo::new(given).unwrap().synth(&PlaceholderAssets).unwrap();
    assert!(!given.resources.contains_key("Bucket"));
    assert_eq!(given.outputs["SourceName"].value, Expr::str("existing-bucket"));
}
