tap_macros::contract! {
    /// Where each new order is published.
    env ORDER_EVENTS_TOPIC_ARN: sns::Topic.arn {
        sns:Publish,
    }
}
