// A wildcard is allowed when the statement says why; resource-less actions need no reason.
use tap_macros::stack;

stack! {
    stack Demo {
        admin = iam::Role {
            assumed_by: service("codebuild.amazonaws.com"),
            allow: [
                cloudformation:* on "arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/Demo-*/*" because "the build creates and deletes preview stacks of any shape",
                xray:PutTraceSegments on *,
            ],
        };
    }
}

fn main() {
    let _ = Demo::new(DemoProps::default()).unwrap();
}
