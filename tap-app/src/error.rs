//! The errors tap's library entry points return, typed so that a program
//! driving tap can tell a refused approval from a failed stack or an AWS error.
//! Inside the engine errors travel as `anyhow::Error` with one of these (or an
//! AWS call's `deploy::aws::CallError`) at their root; [`Error::from`] takes it
//! back out at the boundary.

use tap_core::StackError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A stack's definition or parameters were refused when the app was built.
    #[error(transparent)]
    Stack(#[from] StackError),
    /// The change set was shown and the answer was no.
    #[error("{stack}: not deployed: the change was declined")]
    Declined { stack: String },
    /// The change needs approval (`--require-approval`) and there is no terminal to ask on.
    #[error("{stack} {why} and needs approval, but there is no terminal to ask on: review the changes, then rerun with `--require-approval never`")]
    ApprovalNeeded { stack: String, why: String },
    /// CloudFormation could not create, update or delete a stack; `report`
    /// names the failed resources and their reasons.
    #[error("{report}")]
    StackFailed {
        stack: String,
        status: String,
        report: String,
    },
    /// A call to AWS failed: `context` says what tap was doing, `message` what
    /// AWS (or the network) said, with the fix where there is a known one.
    #[error("{context}: {message}")]
    Aws { context: String, message: String },
    /// Deploying `stack` would remove an export another deployed stack still imports.
    #[error("{stack}: not deployed: it would remove the export `{export}`, which {} still import{}: first deploy {} without the reference (or destroy {}), then {stack}", importers.join(", "), if importers.len() == 1 { "s" } else { "" }, importers.join(", "), if importers.len() == 1 { "it" } else { "them" })]
    ExportInUse {
        stack: String,
        export: String,
        importers: Vec<String>,
    },
    /// `tap drift` found resources changed outside CloudFormation (it has
    /// shown them): a non-zero exit for scripts.
    #[error("{count} stack{} drifted from {}: `tap deploy --revert-drift` puts {} back to the template", if *count == 1 { "" } else { "s" }, if *count == 1 { "its template" } else { "their templates" }, if *count == 1 { "it" } else { "them" })]
    Drifted { count: usize },
    /// Anything else (a file that cannot be written, a tool that did not
    /// install, a stack name the app does not have), as one message.
    #[error("{0}")]
    Other(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<anyhow::Error> for Error {
    fn from(e: anyhow::Error) -> Self {
        match e.downcast::<Error>() {
            Ok(typed) => typed,
            Err(e) => match e.downcast::<StackError>() {
                Ok(s) => Error::Stack(s),
                Err(e) => match e.downcast::<crate::deploy::aws::CallError>() {
                    Ok(c) => Error::Aws {
                        context: c.context,
                        message: c.message,
                    },
                    Err(e) => Error::Other(format!("{e:#}")),
                },
            },
        }
    }
}
