// A producer's queue handed to a consumer's bucket parameter: a rustc error
// at the hand-over, before anything is synthesised.
use tap_macros::stack;

stack! {
    pub stack Producer {
        jobs = sqs::Queue { retention: days(4) };
        uploads = s3::Bucket { versioned: true };
    }
}

stack! {
    pub stack Consumer(source: s3::Bucket) {
        output SourceName { value: source.name }
    }
}

fn main() {
    let producer = Producer::new(ProducerProps::default()).expect("producer");
    let _ = Consumer::new(ConsumerProps { source: producer.jobs() });
}
