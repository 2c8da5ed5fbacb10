//! # tap-example-orders
//!
//! An orders service, written as a team would write it with the AWS CDK's
//! serverless L2s, and checked at compile time:
//!
//! - `POST /orders` and `GET /orders/{id}` on an HTTP API invoke `api`, which
//!   writes and reads the `orders` table and queues each new order's work;
//! - the table's stream invokes `notify`, which publishes each new order to a
//!   topic that mails the team;
//! - `worker` takes the queued work, and a message that keeps failing moves to
//!   a dead-letter queue;
//! - every night a schedule invokes `report`, which writes a report to a
//!   bucket, and the bucket tells the topic.
//!
//! Each function is a crate under `functions/` whose `contract!` says what it
//! needs: `stack!` holds the stack to it (every variable set, every action
//! granted on the right resource, nothing more).

use tap_app::{App, Error};
use tap_macros::stack;

stack! {
    /// The orders service: an HTTP API over a DynamoDB table, its stream to a topic, a work queue and a nightly report.
    pub stack Orders {
        orders = dynamodb::Table {
            partition_key: { name: "id" },
            stream: NewImage,
            ttl: "expires_at",
            removal: Destroy,
        };

        failed_jobs = sqs::Queue { retention: days(14) };
        // Hidden longer than `worker` may run, or Lambda refuses the mapping.
        jobs = sqs::Queue {
            visibility_timeout: minutes(3),
            dead_letter: { queue: failed_jobs, max_receives: 5 },
        };

        order_events = sns::Topic {
            display_name: "New orders",
            subscriptions: [email { address: "orders@example.com" }],
        };

        // The team hears of each report as it lands.
        reports = s3::Bucket {
            name: "tap-orders-reports-${AWS::AccountId}-${AWS::Region}",
            removal: Destroy,
            auto_delete_objects: true,
            notifications: [{ events: ["s3:ObjectCreated:*"], prefix: "reports/", suffix: ".json", to: order_events }],
        };

        api_role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [
                [logs:CreateLogStream, logs:PutLogEvents] on api.log_streams,
                [dynamodb:PutItem, dynamodb:GetItem] on orders,
                sqs:SendMessage on jobs,
            ],
        };
        api = lambda::Function {
            code: asset("functions/api"),
            role: api_role,
            environment: { ORDERS_TABLE: orders.name, JOBS_QUEUE_URL: jobs.url },
        };
        http = apigatewayv2::HttpApi {
            routes: { "POST /orders": api, "GET /orders/{id}": api },
        };

        notify_role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [
                [logs:CreateLogStream, logs:PutLogEvents] on notify.log_streams,
                [dynamodb:DescribeStream, dynamodb:GetRecords, dynamodb:GetShardIterator] on orders.stream,
                dynamodb:ListStreams on * because "ListStreams has no resource-level permissions; Lambda lists the table's streams",
                sns:Publish on order_events,
            ],
        };
        notify = lambda::Function {
            code: asset("functions/notify"),
            role: notify_role,
            environment: { ORDER_EVENTS_TOPIC_ARN: order_events.arn },
            events: [dynamodb { table: orders, starting_position: TrimHorizon, retries: 3, report_failures: true }],
        };

        worker_role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [
                [logs:CreateLogStream, logs:PutLogEvents] on worker.log_streams,
                [sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes] on jobs,
                dynamodb:UpdateItem on orders,
            ],
        };
        worker = lambda::Function {
            code: asset("functions/worker"),
            role: worker_role,
            timeout: seconds(30),
            environment: { ORDERS_TABLE: orders.name },
            events: [sqs { queue: jobs, batch_size: 10, report_failures: true }],
        };

        report_role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [
                [logs:CreateLogStream, logs:PutLogEvents] on report.log_streams,
                dynamodb:Scan on orders,
                s3:PutObject on reports.objects,
            ],
        };
        report = lambda::Function {
            code: asset("functions/report"),
            role: report_role,
            timeout: minutes(1),
            environment: { ORDERS_TABLE: orders.name, REPORTS_BUCKET: reports.name },
        };
        nightly = events::Rule {
            description: "The nightly orders report",
            schedule: "cron(0 3 * * ? *)",
            targets: [report],
        };

        output ApiUrl { value: http.url, description: "The orders API" }
        output OrdersTable { value: orders.name }
    }
}

/// The orders service's app.
pub fn app() -> Result<App, Error> {
    Ok(App::new().stack(Orders::new(OrdersProps::default())?))
}
