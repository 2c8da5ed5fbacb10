//! The toolkit stack (`tap bootstrap`): deployed on first use, then found by name.

use super::approval::RequireApproval;
use super::stack::{self, Request};
use super::{cfn, Method, Session};
use crate::stacks::{TapToolkit, TapToolkitProps};
use anyhow::{anyhow, Result};
use tap_core::synth::PlaceholderAssets;

pub const STACK_NAME: &str = "TapToolkit";

/// What deploys need from the toolkit.
#[derive(Debug, Clone, PartialEq)]
pub struct Toolkit {
    pub bucket: String,
    pub cfn_exec_role: String,
}

/// The toolkit's template.
pub fn template() -> Result<serde_json::Value> {
    let stack = TapToolkit::new(TapToolkitProps::default())?;
    Ok(stack.synth(&PlaceholderAssets)?.to_json())
}

/// The deployed toolkit, if there is one.
pub async fn find(session: &Session) -> Result<Option<Toolkit>> {
    Ok(cfn::describe(&session.aws, STACK_NAME)
        .await?
        .and_then(|d| from_outputs(&d.outputs)))
}

/// The toolkit, deployed first if it is missing. Deployed from inside
/// `deploy`, it creates roles and a bucket policy like any other stack, so it
/// is held for approval by the deploy's own policy.
pub async fn ensure(
    session: &Session,
    method: Method,
    approval: RequireApproval,
) -> Result<Toolkit> {
    if let Some(t) = find(session).await? {
        return Ok(t);
    }
    session.ui.line(format!(
        "bootstrapping: deploying {STACK_NAME} (asset bucket and CloudFormation execution role) first"
    ));
    deploy_toolkit(session, method, approval).await
}

/// `tap bootstrap`: deploys (or updates) the toolkit, which is what the user
/// asked for, so it is not held for approval.
pub async fn bootstrap(session: &Session, method: Method) -> Result<Toolkit> {
    deploy_toolkit(session, method, RequireApproval::Never).await
}

async fn deploy_toolkit(
    session: &Session,
    method: Method,
    approval: RequireApproval,
) -> Result<Toolkit> {
    let template = template()?;
    let req = Request {
        name: STACK_NAME,
        template: &template,
        approval,
        method,
        bucket: None,
        role_arn: None,
    };
    let deployed = stack::deploy(session, &req).await?;
    from_outputs(&deployed.stack().outputs).ok_or_else(|| {
        anyhow!("{STACK_NAME} is deployed but has no AssetBucketName output: delete it and bootstrap again")
    })
}

fn from_outputs(outputs: &std::collections::BTreeMap<String, String>) -> Option<Toolkit> {
    Some(Toolkit {
        bucket: outputs.get("AssetBucketName")?.clone(),
        cfn_exec_role: outputs.get("CfnExecRoleArn").cloned().unwrap_or_default(),
    })
}
