use tap_macros::stack;

// A queue that hides a message for less than the function may run (Lambda
// refuses the mapping), batching a FIFO queue, more than 10 messages without a
// window, and a table without a stream.
stack! {
    stack Demo {
        jobs = sqs::Queue {};
        orders = sqs::Queue { fifo: true, visibility_timeout: minutes(10) };
        table = dynamodb::Table { partition_key: { name: "id" } };
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [
                [logs:CreateLogStream, logs:PutLogEvents] on worker.log_streams,
                [sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes] on [jobs, orders],
                [dynamodb:DescribeStream, dynamodb:GetRecords, dynamodb:GetShardIterator] on table.stream,
                dynamodb:ListStreams on * because "ListStreams has no resource-level permissions",
            ],
        };
        worker = lambda::Function {
            code: asset("."),
            role: role,
            timeout: minutes(1),
            events: [
                sqs { queue: jobs, batch_size: 50 },
                sqs { queue: orders, batching_window: seconds(5) },
                dynamodb { table: table },
            ],
        };
    }
}

fn main() {}
