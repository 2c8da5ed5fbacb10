//! `--require-approval`: when a person must say yes before a change set runs.

use super::ui::Ui;
use crate::Error;
use anyhow::Result;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum RequireApproval {
    /// Never ask.
    Never,
    /// Ask before any change.
    AnyChange,
    /// Ask when IAM permissions are added or widened (the default).
    #[default]
    Broadening,
}

/// Asks when the policy says so. An answer of no, or nobody to ask, fails.
pub fn approve(ui: &Ui, policy: RequireApproval, stack: &str, broadening: bool) -> Result<()> {
    let needed = match policy {
        RequireApproval::Never => false,
        RequireApproval::AnyChange => true,
        RequireApproval::Broadening => broadening,
    };
    if !needed {
        return Ok(());
    }
    let why = if broadening {
        "adds or widens IAM permissions (listed above)"
    } else {
        "changes resources (listed above)"
    };
    match ui.confirm(&format!("{stack} {why}. Deploy it?")) {
        Some(true) => Ok(()),
        Some(false) => Err(Error::Declined {
            stack: stack.to_string(),
        }
        .into()),
        None => Err(Error::ApprovalNeeded {
            stack: stack.to_string(),
            why: why.to_string(),
        }
        .into()),
    }
}
