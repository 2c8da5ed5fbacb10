//! What this function needs from its stack, in one place. `stack!` holds every
//! function whose code is this crate to it (each variable set and bound to the
//! declared kind of resource, each action granted there and nothing more), and
//! building this crate holds the code to it (every SDK call and variable read
//! declared, every declaration used).

tap_macros::contract! {
    /// The bucket each request's record is written to.
    env APPLICATION_BUCKET: s3::Bucket.name {
        s3:PutObject on objects,
    }
    /// The bucket's KMS key. S3 encrypts an `aws:kms` upload without a key ID
    /// with the account's `aws/s3` key, not the bucket's; the seed's uploads did.
    env APPLICATION_BUCKET_KEY_ARN: kms::Key.arn {
        // S3 asks KMS for a data key with the caller's rights.
        kms:GenerateDataKey for s3:PutObject,
    }
    /// The application's secrets (a JSON object).
    env SECRET_ARN: secretsmanager::Secret.arn {
        secretsmanager:GetSecretValue,
    }
    /// The `Environment` dimension of the metric (the seed's `NODE_ENV`).
    env APP_ENV;
}
