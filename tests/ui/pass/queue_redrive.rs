//! Redrive to a dead-letter queue, for a standard queue (whose dead-letter
//! queue keeps messages longer) and a FIFO queue.
use tap_macros::stack;

stack! {
    stack Queues {
        failed = sqs::Queue { retention: days(14) };
        jobs = sqs::Queue { dead_letter: { queue: failed, max_receives: 5 } };
        // A FIFO message starts a new retention period in its dead-letter queue.
        failed_orders = sqs::Queue { fifo: true, retention: days(1) };
        orders = sqs::Queue {
            name: "orders.fifo",
            fifo: true,
            content_based_deduplication: true,
            dead_letter: { queue: failed_orders, max_receives: 3 },
        };
    }
}

fn main() {
    let t = Queues::new(QueuesProps {})
        .expect("stack")
        .synth(&tap_core::synth::PlaceholderAssets)
        .expect("template")
        .to_json();
    let jobs = &t["Resources"]["Jobs"]["Properties"];
    assert_eq!(jobs["RedrivePolicy"]["maxReceiveCount"], 5);
    assert_eq!(
        jobs["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0],
        "Failed"
    );
    assert!(jobs.get("FifoQueue").is_none());
    let orders = &t["Resources"]["Orders"]["Properties"];
    assert_eq!(orders["FifoQueue"], true);
    assert_eq!(orders["ContentBasedDeduplication"], true);
    assert_eq!(t["Resources"]["FailedOrders"]["Properties"]["FifoQueue"], true);
}
