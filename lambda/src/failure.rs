//! Why an invocation failed, named so that the invocation's `errorType` says
//! it: the AWS error code when AWS refused (`NoSuchBucket`, `AccessDenied`),
//! else what went wrong (`MissingVariable`, `InvalidSecret`).

use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The invocation's `errorType`.
    pub kind: String,
    /// What failed, in words.
    pub message: String,
}

impl Failure {
    pub fn new(kind: impl Into<String>, message: impl Into<String>) -> Self {
        Failure {
            kind: kind.into(),
            message: message.into(),
        }
    }

    /// An AWS SDK error: its error code names it, AWS's message says it (a
    /// request that never reached AWS is a `ServiceUnavailable`, with the
    /// client's whole error chain).
    pub fn aws<E>(what: &str, error: E) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        match (error.code(), error.message()) {
            (Some(code), Some(message)) => Failure::new(code, format!("{what}: {message}")),
            (Some(code), None) => Failure::new(code, format!("{what}: {code}")),
            _ => Failure::new(
                "ServiceUnavailable",
                format!("{what}: {}", DisplayErrorContext(error)),
            ),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for Failure {}

impl From<Failure> for lambda_runtime::Diagnostic {
    fn from(f: Failure) -> Self {
        lambda_runtime::Diagnostic {
            error_type: f.kind,
            error_message: f.message,
        }
    }
}
