// The processor's contract grants on its bucket's key (`on key`), a write
// narrower than the bucket (`"arn:…:s3:::${results.name}/results/*"`) is accepted, and
// what Lambda needs to poll the queue (an event source) counts as used.
use tap_macros::stack;

stack! {
    stack Demo {
        key = kms::Key { description: "results" };
        results = s3::Bucket { encryption: kms(key) };
        jobs = sqs::Queue { encryption: KmsManaged };
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [
                s3:PutObject on "arn:${AWS::Partition}:s3:::${results.name}/results/*",
                kms:GenerateDataKey on results.key,
                [sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes] on jobs,
                [logs:CreateLogStream, logs:PutLogEvents] on processor.log_streams,
            ],
        };
        processor = lambda::Function {
            code: asset("functions/processor"),
            role: role,
            environment: { OUTPUT_BUCKET: results.name },
        };
        trigger = cfn::Lambda::EventSourceMapping {
            FunctionName: processor.name,
            EventSourceArn: jobs.arn,
            BatchSize: 10,
        };
    }
}

fn main() {}
