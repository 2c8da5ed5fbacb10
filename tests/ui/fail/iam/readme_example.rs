// The example in README.md, with its first mistake.
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
                s3:PutObject on data,
                [sqs:ReceiveMessage, sqs:DeleteMessage] on jobs,
            ],
        };
        output JobsUrl { value: jobs.url, export: "${AWS::StackName}-JobsUrl" }
    }
}

fn main() {}
