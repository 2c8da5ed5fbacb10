// The KMS check across stacks: the consumer's role writes to the producer's
// bucket, which is encrypted with a key the role may not use. Within one stack
// `stack!` says so; across stacks the consumer's parameter type says it, and
// rustc refuses the producer's bucket at the hand-over.
use tap_macros::stack;

stack! {
    pub stack Data {
        data_key = kms::Key { description: "the data bucket's key", rotation: true };
        records = s3::Bucket { versioned: true, encryption: kms(data_key) };
    }
}

stack! {
    pub stack Ingest(target: s3::Bucket) {
        writer = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [s3:PutObject on target.objects],
        };
    }
}

fn main() {
    let data = Data::new(DataProps::default()).expect("data");
    let _ = Ingest::new(IngestProps { target: data.records() });
}
