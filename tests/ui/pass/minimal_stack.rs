// A stack with no parameters synthesises to a template with its secure defaults.
use tap_core::synth::PlaceholderAssets;
use tap_macros::stack;

stack! {
    /// A queue and a bucket.
    pub stack Demo {
        data = s3::Bucket { versioned: true };
        jobs = sqs::Queue { retention: days(14) };
        worker = iam::Role {
            assumed_by: service("ecs-tasks.amazonaws.com"),
            allow: [
                [s3:GetObject, s3:PutObject] on data.objects,
                s3:ListBucket on data,
                [sqs:ReceiveMessage, sqs:DeleteMessage] on jobs,
            ],
        };
        output JobsUrl { value: jobs.url, export: "${AWS::StackName}-JobsUrl" }
    }
}

fn main() {
    let stack = Demo::new(DemoProps::default()).expect("stack");
    let template = stack.synth(&PlaceholderAssets).expect("template").to_json();
    assert_eq!(template["Description"], "A queue and a bucket.");
    assert_eq!(template["Resources"]["Data"]["Properties"]["VersioningConfiguration"]["Status"], "Enabled");
    assert!(template["Resources"]["DataPolicy"].is_object(), "TLS-only bucket policy");
    assert_eq!(template["Outputs"]["JobsUrl"]["Export"]["Name"]["Fn::Sub"], "${AWS::StackName}-JobsUrl");
}
