// One construct, two stacks, two instances in one of them.
use tap_core::synth::PlaceholderAssets;
use tap_macros::{construct, stack};

mod constructs {
    use tap_macros::construct;
    construct! {
        /// A bucket with its own KMS key.
        pub(crate) EncryptedBucket(label: Str) -> bucket {
            key = kms::Key { description: "Key for ${label}" };
            bucket = s3::Bucket { encryption: kms(key) };
        }
    }
}
use constructs::EncryptedBucket;

construct! {
    Reader(bucket: s3::Bucket) -> role {
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [s3:GetObject on bucket.objects, kms:Decrypt on bucket.key],
        };
    }
}

stack! {
    stack First {
        raw = EncryptedBucket { label: "raw" };
        clean = EncryptedBucket { label: "clean" };
        reader = Reader { bucket: clean };
    }
}

stack! {
    stack Second {
        archive = EncryptedBucket { label: "archive" };
    }
}

fn main() {
    let first = First::new(FirstProps::default()).unwrap().synth(&PlaceholderAssets).unwrap();
    for id in ["Raw", "RawKey", "Clean", "CleanKey", "Reader"] {
        assert!(first.resources.contains_key(id), "{id}");
    }
    let second = Second::new(SecondProps::default()).unwrap().synth(&PlaceholderAssets).unwrap();
    assert!(second.resources.contains_key("ArchiveKey"));
}
