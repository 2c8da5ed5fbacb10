use tap_macros::stack;

// Lambda receives from the queue and reads the stream as the function's role:
// without the grants, CreateEventSourceMapping fails at deploy time.
stack! {
    stack Demo {
        jobs = sqs::Queue {};
        orders = dynamodb::Table { partition_key: { name: "id" }, stream: NewImage };
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [
                [logs:CreateLogStream, logs:PutLogEvents] on worker.log_streams,
                sqs:ReceiveMessage on jobs,
                [dynamodb:GetRecords, dynamodb:GetShardIterator] on orders.stream,
            ],
        };
        worker = lambda::Function {
            code: asset("."),
            role: role,
            events: [sqs { queue: jobs }, dynamodb { table: orders }],
        };
    }
}

fn main() {}
