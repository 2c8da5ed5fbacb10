//! A function fed by a queue, a table's stream and a Kinesis stream, with the
//! grants Lambda's pollers need and nothing more.
use tap_macros::stack;

stack! {
    stack Sources {
        jobs = sqs::Queue { visibility_timeout: minutes(3) };
        failures = sqs::Queue { retention: days(14) };
        orders = dynamodb::Table { partition_key: { name: "id" }, stream: NewAndOldImages };
        clicks = cfn::Kinesis::Stream { ShardCount: 1 };
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [
                [logs:CreateLogStream, logs:PutLogEvents] on worker.log_streams,
                [sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes] on jobs,
                sqs:SendMessage on failures,
                [dynamodb:DescribeStream, dynamodb:GetRecords, dynamodb:GetShardIterator] on orders.stream,
                dynamodb:ListStreams on * because "ListStreams has no resource-level permissions",
                [kinesis:DescribeStream, kinesis:DescribeStreamSummary, kinesis:GetRecords, kinesis:GetShardIterator, kinesis:ListShards] on clicks,
            ],
        };
        worker = lambda::Function {
            code: asset("."),
            role: role,
            timeout: seconds(30),
            events: [
                sqs {
                    queue: jobs,
                    batch_size: 100,
                    batching_window: seconds(2),
                    report_failures: true,
                    filters: [{ body: { kind: ["order"] } }],
                },
                dynamodb { table: orders, starting_position: TrimHorizon, retries: 3, on_failure: failures },
                kinesis { stream: clicks },
            ],
        };
    }
}

fn main() {
    let t = Sources::new(SourcesProps {})
        .expect("stack")
        .synth(&tap_core::synth::PlaceholderAssets)
        .expect("template")
        .to_json();
    let r = &t["Resources"];
    let jobs = &r["WorkerJobsSource"];
    assert_eq!(jobs["Type"], "AWS::Lambda::EventSourceMapping");
    let p = &jobs["Properties"];
    assert_eq!(p["EventSourceArn"]["Fn::GetAtt"][0], "Jobs");
    assert_eq!(p["FunctionName"]["Ref"], "Worker");
    assert_eq!(p["BatchSize"], 100);
    assert_eq!(p["MaximumBatchingWindowInSeconds"], 2);
    assert_eq!(p["FunctionResponseTypes"][0], "ReportBatchItemFailures");
    let pattern: serde_json::Value =
        serde_json::from_str(p["FilterCriteria"]["Filters"][0]["Pattern"].as_str().expect("a string"))
            .expect("JSON");
    assert_eq!(pattern["body"]["kind"][0], "order");
    let stream = &r["WorkerOrdersSource"]["Properties"];
    assert_eq!(stream["EventSourceArn"]["Fn::GetAtt"][1], "StreamArn");
    assert_eq!(stream["StartingPosition"], "TRIM_HORIZON");
    assert_eq!(stream["MaximumRetryAttempts"], 3);
    assert_eq!(stream["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0], "Failures");
    let kinesis = &r["WorkerClicksSource"]["Properties"];
    assert_eq!(kinesis["EventSourceArn"]["Fn::GetAtt"], serde_json::json!(["Clicks", "Arn"]));
    assert_eq!(kinesis["StartingPosition"], "LATEST");
}
