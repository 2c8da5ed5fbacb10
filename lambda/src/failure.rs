//! Why an invocation failed, named so that the invocation's `errorType` says
//! it: the AWS error code when AWS refused (`NoSuchBucket`, `AccessDenied`),
//! else what went wrong (`MissingVariable`, `InvalidSecret`).

use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
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

    /// An AWS SDK error: the error code AWS answered with names it, and AWS's
    /// message says it; a request that got no such answer is named by what
    /// happened to it (`Timeout`, `DispatchFailure`: the endpoint, the network
    /// or the credentials), with the client's whole error chain.
    pub fn aws<E, R>(what: &str, error: SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: fmt::Debug,
    {
        if let (Some(code), message) = (error.code(), error.message()) {
            let message = message.unwrap_or(code).to_string();
            return Failure::new(code, format!("{what}: {message}"));
        }
        let kind = match &error {
            SdkError::TimeoutError(_) => "Timeout",
            SdkError::DispatchFailure(d) if d.is_timeout() => "Timeout",
            SdkError::DispatchFailure(_) => "DispatchFailure",
            SdkError::ConstructionFailure(_) => "InvalidRequest",
            SdkError::ResponseError(_) => "InvalidResponse",
            _ => "ServiceError",
        };
        Failure::new(kind, format!("{what}: {}", DisplayErrorContext(error)))
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
