tap_macros::contract! {
    /// Where orders are kept, by `id`.
    env ORDERS_TABLE: dynamodb::Table.name {
        dynamodb:PutItem,
        dynamodb:GetItem,
    }
    /// Where each new order's work is queued for `worker`.
    env JOBS_QUEUE_URL: sqs::Queue.url {
        sqs:SendMessage,
    }
}
