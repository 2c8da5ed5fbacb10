// Typed references between stacks: the consumer takes the producer's
// KMS-encrypted bucket, grants its role the key (through the reference), and
// every attribute it uses is an import of the producer's deterministic export.
use tap_core::synth::PlaceholderAssets;
use tap_core::Expr;
use tap_macros::stack;

stack! {
    pub stack Data {
        data_key = kms::Key { description: "the data bucket's key", rotation: true };
        records = s3::Bucket { versioned: true, encryption: kms(data_key) };
        jobs = sqs::Queue { retention: days(4) };
    }
}

stack! {
    pub stack Ingest(target: s3::Bucket, jobs: sqs::Queue) {
        writer = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [
                s3:PutObject on target.objects,
                kms:GenerateDataKey on target.key,
                sqs:SendMessage on jobs,
            ],
        };
        output Target { value: target.name }
    }
}

// Deleting objects needs no key: this stack takes any bucket, KMS or not.
stack! {
    pub stack Cleaner(target: s3::Bucket) {
        cleaner = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [s3:DeleteObject on target.objects],
        };
    }
}

fn main() {
    Cleaner::new(CleanerProps { target: Data::new(DataProps::default()).expect("data").records() })
        .expect("a KMS bucket for a stack that only deletes objects");
    let data = Data::new(DataProps::default()).expect("data");
    let ingest = Ingest::new(IngestProps { target: data.records(), jobs: data.jobs() }).expect("ingest");
    let t = ingest.synth(&PlaceholderAssets).expect("template");
    let import = |name: &str| Expr::ImportValue(Box::new(Expr::str(name)));
    assert_eq!(t.outputs["Target"].value, import("Data:Records:Ref"));
    assert_eq!(
        t.imports(),
        vec!["Data:DataKey:Arn", "Data:Jobs:Arn", "Data:Records:Ref"]
    );
}
