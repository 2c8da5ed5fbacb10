//! The function's configuration, read from the variables its contract
//! declares (`contract.rs`).

use crate::contract::{APPLICATION_BUCKET, APPLICATION_BUCKET_KEY_ARN, APP_ENV, SECRET_ARN};
use crate::failure::Failure;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub bucket: String,
    pub bucket_key_arn: String,
    pub secret_arn: String,
    pub app_env: String,
}

/// A required variable that is not set. The function still starts, and each
/// invocation fails with it (`errorType: MissingVariable`), so that the
/// invocation's error says what is missing, not just the log.
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

impl From<Missing> for Failure {
    fn from(m: Missing) -> Self {
        Failure::new("MissingVariable", m.to_string())
    }
}

impl Config {
    /// Each variable is read by its contract constant: building this crate
    /// holds the contract to what the code reads.
    pub fn from_env() -> Result<Self, Missing> {
        let values = [
            (APPLICATION_BUCKET, std::env::var(APPLICATION_BUCKET).ok()),
            (
                APPLICATION_BUCKET_KEY_ARN,
                std::env::var(APPLICATION_BUCKET_KEY_ARN).ok(),
            ),
            (SECRET_ARN, std::env::var(SECRET_ARN).ok()),
            (APP_ENV, std::env::var(APP_ENV).ok()),
        ];
        Self::from_lookup(|name| {
            values
                .iter()
                .find(|(n, _)| *n == name)
                .and_then(|(_, v)| v.clone())
        })
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Missing> {
        let get = |name: &str| lookup(name).filter(|v| !v.is_empty());
        let required = |name: &'static str| get(name).ok_or(Missing(name));
        Ok(Self {
            bucket: required(APPLICATION_BUCKET)?,
            bucket_key_arn: required(APPLICATION_BUCKET_KEY_ARN)?,
            secret_arn: required(SECRET_ARN)?,
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

    const ALL: [(&str, &str); 4] = [
        (APPLICATION_BUCKET, "data"),
        (APPLICATION_BUCKET_KEY_ARN, "arn:aws:kms:us-east-1:1:key/k"),
        (SECRET_ARN, "arn:aws:secretsmanager:us-east-1:1:secret:s"),
        (APP_ENV, "production"),
    ];

    #[test]
    fn reads_every_variable() {
        let c = Config::from_lookup(lookup(&ALL)).expect("complete");
        assert_eq!(c.bucket, "data");
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
}
