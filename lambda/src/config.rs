//! What the function reads from its environment, all in one place: the stack
//! must set each of these (`tests/tests/templates.rs` holds it to that).

use std::fmt;

pub const APPLICATION_BUCKET: &str = "APPLICATION_BUCKET";
/// The bucket's KMS key. S3 encrypts an `aws:kms` upload without a key ID
/// with the account's `aws/s3` key, not the bucket's; the seed's uploads did.
pub const APPLICATION_BUCKET_KEY_ARN: &str = "APPLICATION_BUCKET_KEY_ARN";
pub const SECRET_ARN: &str = "SECRET_ARN";
pub const DEAD_LETTER_QUEUE_URL: &str = "DEAD_LETTER_QUEUE_URL";
/// The `Environment` dimension of the metric (the seed's `NODE_ENV`).
pub const APP_ENV: &str = "APP_ENV";

/// Every variable the handler reads.
pub const READS: [&str; 5] = [
    APPLICATION_BUCKET,
    APPLICATION_BUCKET_KEY_ARN,
    SECRET_ARN,
    DEAD_LETTER_QUEUE_URL,
    APP_ENV,
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub bucket: String,
    pub bucket_key_arn: String,
    pub secret_arn: String,
    /// Optional, as in the seed: without it a failure is only logged.
    pub dead_letter_queue_url: Option<String>,
    pub app_env: String,
}

/// A required variable that is not set: the function fails at start, naming
/// it, instead of at the first request that needs it.
#[derive(Debug, PartialEq, Eq)]
pub struct Missing(pub &'static str);

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "environment variable {} is not set; the stack sets it on the function",
            self.0
        )
    }
}

impl std::error::Error for Missing {}

impl Config {
    pub fn from_env() -> Result<Self, Missing> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Missing> {
        let get = |name: &str| lookup(name).filter(|v| !v.is_empty());
        let required = |name: &'static str| get(name).ok_or(Missing(name));
        Ok(Self {
            bucket: required(APPLICATION_BUCKET)?,
            bucket_key_arn: required(APPLICATION_BUCKET_KEY_ARN)?,
            secret_arn: required(SECRET_ARN)?,
            dead_letter_queue_url: get(DEAD_LETTER_QUEUE_URL),
            app_env: required(APP_ENV)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    const ALL: [(&str, &str); 5] = [
        (APPLICATION_BUCKET, "data"),
        (APPLICATION_BUCKET_KEY_ARN, "arn:aws:kms:us-east-1:1:key/k"),
        (SECRET_ARN, "arn:aws:secretsmanager:us-east-1:1:secret:s"),
        (DEAD_LETTER_QUEUE_URL, "https://sqs/q"),
        (APP_ENV, "production"),
    ];

    #[test]
    fn reads_every_variable() {
        let c = Config::from_lookup(lookup(&ALL)).expect("complete");
        assert_eq!(c.bucket, "data");
        assert_eq!(c.dead_letter_queue_url.as_deref(), Some("https://sqs/q"));
        assert_eq!(c.app_env, "production");
    }

    #[test]
    fn a_missing_or_empty_required_variable_is_named() {
        let without: Vec<_> = ALL.into_iter().filter(|(k, _)| *k != SECRET_ARN).collect();
        let err = Config::from_lookup(lookup(&without)).expect_err("incomplete");
        assert_eq!(err, Missing(SECRET_ARN));
        assert!(err.to_string().contains("SECRET_ARN is not set"));

        let mut empty = ALL;
        empty[0].1 = "";
        assert_eq!(
            Config::from_lookup(lookup(&empty)),
            Err(Missing(APPLICATION_BUCKET))
        );
    }

    #[test]
    fn the_dead_letter_queue_is_optional() {
        let without: Vec<_> = ALL
            .into_iter()
            .filter(|(k, _)| *k != DEAD_LETTER_QUEUE_URL)
            .collect();
        let c = Config::from_lookup(lookup(&without)).expect("complete enough");
        assert_eq!(c.dead_letter_queue_url, None);
    }
}
