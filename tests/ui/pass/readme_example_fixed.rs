// The example in README.md with both mistakes fixed, as the README says it compiles.
use tap_core::synth::PlaceholderAssets;
use tap_macros::stack;

stack! {
    /// Orders: a bucket, a queue, and a worker that may use exactly them.
    pub stack Orders {
        key    = kms::Key { description: "orders data" };
        data   = s3::Bucket { versioned: true, encryption: kms(key) };
        jobs   = sqs::Queue { retention: days(14) };
        worker = iam::Role {
            assumed_by: service("ecs-tasks.amazonaws.com"),
            allow: [
                s3:PutObject on data.objects,
                kms:GenerateDataKey on data.key,
                [sqs:ReceiveMessage, sqs:DeleteMessage] on jobs,
            ],
        };
        output JobsUrl { value: jobs.url, export: "${AWS::StackName}-JobsUrl" }
    }
}

fn main() {
    let t = Orders::new(OrdersProps {}).unwrap().synth(&PlaceholderAssets).unwrap().to_json();
    let statements = t["Resources"]["Worker"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"].as_array().unwrap().len();
    assert_eq!(statements, 3);
    assert_eq!(t["Resources"]["Key"]["Properties"]["EnableKeyRotation"], true);
}
