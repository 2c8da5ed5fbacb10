//! The toolkit stack (`tap bootstrap`): deployed on first use, then found by name.
//!
//! Its CloudFormation execution role (the one the pipeline passes with
//! `--role-arn`) may do exactly what deploying, updating and deleting the
//! app's stacks needs: the handler permissions of every resource type they
//! use, scoped by the IAM catalog (`tap_core::iam::execution`). The CDK's
//! `cfn-exec` role has AdministratorAccess; here that is an explicit opt-in
//! (`--admin-execution-role`).

use super::approval::RequireApproval;
use super::stack::{self, Request};
use super::toolkit_stack::{TapToolkit, TapToolkitProps};
use super::{cfn, Method, Session};
use crate::synth::Synthesized;
use anyhow::{anyhow, bail, Result};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use tap_core::iam::execution::{execution_policy, ExecutionPolicy};
use tap_core::synth::PlaceholderAssets;

/// The toolkit's stack name without a qualifier.
pub const STACK_NAME: &str = "TapToolkit";

/// The toolkit's stack name for this qualifier (`TapToolkit-<qualifier>`).
pub fn stack_name(qualifier: Option<&str>) -> String {
    match qualifier {
        Some(q) => format!("{STACK_NAME}-{q}"),
        None => STACK_NAME.to_string(),
    }
}
/// The logical ID of the execution role in the toolkit's template.
const EXEC_ROLE: &str = "CfnExec";
/// IAM's limit for one managed policy, less room for the account and region
/// that `Fn::Sub` fills in.
const MANAGED_POLICY_CHARS: usize = 5_500;

/// What deploys need from the toolkit.
#[derive(Debug, Clone, PartialEq)]
pub struct Toolkit {
    pub bucket: String,
    pub cfn_exec_role: String,
}

/// What the toolkit's execution role may do.
#[derive(Debug, Clone)]
pub enum ExecRole {
    /// Exactly what deploying these stacks needs.
    App(ExecutionPolicy),
    /// AdministratorAccess, as the CDK's bootstrap role (`--admin-execution-role`).
    Admin,
}

impl ExecRole {
    /// The role that deploys exactly these stacks; an error names the
    /// resource types the registry gives no handler permissions for.
    pub fn for_app<'a>(stacks: impl IntoIterator<Item = &'a Synthesized>) -> Result<ExecRole> {
        let policy = execution_policy(app_types(stacks).iter().map(String::as_str));
        if !policy.unknown_types.is_empty() {
            bail!(
                "the CloudFormation registry lists no handler permissions for {}: tap cannot compute an execution role that deploys them; bootstrap with --admin-execution-role",
                policy.unknown_types.join(", ")
            );
        }
        Ok(ExecRole::App(policy))
    }

    /// What `bootstrap` tells the user about the role.
    pub fn describe(&self) -> Vec<String> {
        match self {
            ExecRole::Admin => vec![
                "warning: the CloudFormation execution role has AdministratorAccess (--admin-execution-role): whatever a template declares, the pipeline can create".into(),
            ],
            ExecRole::App(p) => {
                let actions = p.actions();
                let services: BTreeSet<&str> =
                    actions.iter().filter_map(|a| a.split(':').next()).collect();
                let star: Vec<&str> = p
                    .grants
                    .iter()
                    .filter(|g| g.resources == ["*"])
                    .flat_map(|g| g.actions.iter().map(String::as_str))
                    .collect();
                let mut lines = vec![format!(
                    "CloudFormation execution role: {} actions of {} services, what the app's resource types need to be created, updated and deleted; {} of them on `*` because IAM supports no resource-level permissions for them ({}); the rest scoped to this account and region",
                    actions.len(),
                    services.len(),
                    star.len(),
                    star.join(", ")
                )];
                if !p.uncatalogued.is_empty() {
                    lines.push(format!(
                        "  not granted (named by the registry, but not IAM actions): {}",
                        p.uncatalogued.join(", ")
                    ));
                }
                lines
            }
        }
    }
}

/// The resource types the stacks' templates use.
pub fn app_types<'a>(stacks: impl IntoIterator<Item = &'a Synthesized>) -> BTreeSet<String> {
    stacks
        .into_iter()
        .flat_map(|s| {
            s.template
                .resources
                .values()
                .map(|r| r.resource_type.clone())
        })
        .collect()
}

/// The toolkit's template, with its execution role.
pub fn template(role: &ExecRole) -> Result<Value> {
    template_for(role, None)
}

/// The template of the toolkit with this qualifier.
pub fn template_for(role: &ExecRole, qualifier: Option<&str>) -> Result<Value> {
    template_trusting(role, qualifier, &[])
}

/// The toolkit's template; with `trusted` accounts, also the deploy role
/// those accounts assume to deploy here (`tap bootstrap --trust`).
pub fn template_trusting(
    role: &ExecRole,
    qualifier: Option<&str>,
    trusted: &[String],
) -> Result<Value> {
    let infix = qualifier.map(|q| format!("{q}-")).unwrap_or_default();
    let stack = TapToolkit::new(TapToolkitProps {
        infix: infix.clone(),
    })?;
    let mut t = stack.synth(&PlaceholderAssets)?.to_json();
    if !trusted.is_empty() {
        add_deploy_role(&mut t, &infix, trusted)?;
    }
    let ExecRole::App(policy) = role else {
        return Ok(t);
    };
    let resources = t["Resources"]
        .as_object_mut()
        .ok_or_else(|| anyhow!("the toolkit template has no resources"))?;
    if let Some(props) = resources
        .get_mut(EXEC_ROLE)
        .and_then(|r| r["Properties"].as_object_mut())
    {
        props.remove("ManagedPolicyArns");
    }
    // Managed policies of at most IAM's size each, attached to the role.
    for (i, statements) in chunks(policy).into_iter().enumerate() {
        resources.insert(
            format!("{EXEC_ROLE}Policy{}", i + 1),
            json!({
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {
                    "Description": format!("What CloudFormation needs to deploy this app's stacks ({})", i + 1),
                    "Roles": [{ "Ref": EXEC_ROLE }],
                    "PolicyDocument": { "Version": "2012-10-17", "Statement": statements },
                }
            }),
        );
    }
    Ok(t)
}

/// The logical ID of the deploy role other accounts assume.
const DEPLOY_ROLE: &str = "DeployRole";

/// The role `trusted` accounts assume to deploy in this account and region,
/// as the CDK's bootstrap `--trust`: it may run tap's deploys (change sets
/// on this account's stacks, the asset bucket) and pass the execution role
/// to CloudFormation, and nothing else; what the stacks may create is the
/// execution role's to say.
fn add_deploy_role(t: &mut Value, infix: &str, trusted: &[String]) -> Result<()> {
    for a in trusted {
        if a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()) {
            bail!("--trust {a}: not an AWS account ID (12 digits)");
        }
    }
    let stacks = "arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/*";
    let bucket = format!(
        "arn:${{AWS::Partition}}:s3:::tap-assets-{infix}${{AWS::AccountId}}-${{AWS::Region}}"
    );
    let role = json!({
        "Type": "AWS::IAM::Role",
        "Properties": {
            "RoleName": { "Fn::Sub": format!("tap-deploy-{infix}${{AWS::Region}}") },
            "Description": "Role the trusted accounts assume to deploy tap stacks here",
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": { "AWS": trusted.iter().map(|a| json!({ "Fn::Sub": format!("arn:${{AWS::Partition}}:iam::{a}:root") })).collect::<Vec<_>>() },
                }],
            },
            "Policies": [{
                "PolicyName": "tap-deploy",
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": [
                                "cloudformation:CreateChangeSet",
                                // `--method direct`.
                                "cloudformation:CreateStack",
                                "cloudformation:DeleteChangeSet",
                                "cloudformation:DeleteStack",
                                "cloudformation:DescribeChangeSet",
                                "cloudformation:DescribeStackEvents",
                                "cloudformation:DescribeStackResourceDrifts",
                                "cloudformation:DescribeStacks",
                                "cloudformation:DetectStackDrift",
                                "cloudformation:ExecuteChangeSet",
                                "cloudformation:GetTemplate",
                                "cloudformation:ListChangeSets",
                                "cloudformation:ListStackResources",
                                "cloudformation:UpdateStack",
                                "cloudformation:UpdateTerminationProtection",
                            ],
                            "Resource": { "Fn::Sub": stacks },
                        },
                        {
                            // These name no stack: IAM has no resource-level permission for them.
                            "Effect": "Allow",
                            "Action": [
                                "cloudformation:DescribeStackDriftDetectionStatus",
                                "cloudformation:ListExports",
                                "cloudformation:ListImports",
                                "cloudformation:ListStacks",
                            ],
                            "Resource": "*",
                        },
                        {
                            "Effect": "Allow",
                            "Action": ["s3:GetObject", "s3:PutObject"],
                            "Resource": { "Fn::Sub": format!("{bucket}/*") },
                        },
                        {
                            "Effect": "Allow",
                            "Action": ["s3:GetBucketLocation", "s3:ListBucket"],
                            "Resource": { "Fn::Sub": bucket },
                        },
                        {
                            "Effect": "Allow",
                            "Action": "iam:PassRole",
                            "Resource": { "Fn::GetAtt": [EXEC_ROLE, "Arn"] },
                            "Condition": { "StringEquals": { "iam:PassedToService": "cloudformation.amazonaws.com" } },
                        },
                    ],
                },
            }],
        },
    });
    let resources = t["Resources"]
        .as_object_mut()
        .ok_or_else(|| anyhow!("the toolkit template has no resources"))?;
    resources.insert(DEPLOY_ROLE.into(), role);
    let outputs = t["Outputs"]
        .as_object_mut()
        .ok_or_else(|| anyhow!("the toolkit template has no outputs"))?;
    outputs.insert(
        "DeployRoleArn".into(),
        json!({ "Value": { "Fn::GetAtt": [DEPLOY_ROLE, "Arn"] }, "Description": "The role trusted accounts assume to deploy here" }),
    );
    outputs.insert(
        "TrustedAccounts".into(),
        json!({ "Value": trusted.join(","), "Description": "The accounts that may deploy here through the deploy role" }),
    );
    Ok(())
}

/// The accounts the deployed toolkit trusts (`--trust`), which a later
/// bootstrap or a deploy's own bootstrap keeps.
pub async fn deployed_trust(session: &Session) -> Result<Vec<String>> {
    Ok(cfn::describe(&session.aws, &session.toolkit_stack())
        .await?
        .and_then(|d| d.outputs.get("TrustedAccounts").cloned())
        .map(|t| {
            t.split(',')
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default())
}

/// The policy's statements in groups that each fit one managed policy.
fn chunks(policy: &ExecutionPolicy) -> Vec<Vec<Value>> {
    let doc = policy.document();
    let mut out: Vec<Vec<Value>> = vec![Vec::new()];
    let mut size = 0;
    for s in doc["Statement"].as_array().into_iter().flatten() {
        let n = s.to_string().len();
        if size + n > MANAGED_POLICY_CHARS && !out.last().is_some_and(Vec::is_empty) {
            out.push(Vec::new());
            size = 0;
        }
        size += n;
        if let Some(last) = out.last_mut() {
            last.push(s.clone());
        }
    }
    out
}

/// The actions the deployed toolkit's execution role is granted (`None`:
/// AdministratorAccess, or a role tap did not write).
pub fn granted_actions(template: &Value) -> Option<BTreeSet<String>> {
    let resources = template["Resources"].as_object()?;
    let role = resources.get(EXEC_ROLE)?;
    if role["Properties"]["ManagedPolicyArns"].is_array() {
        return None;
    }
    Some(
        resources
            .values()
            .filter(|r| r["Type"] == "AWS::IAM::ManagedPolicy")
            .flat_map(|r| {
                r["Properties"]["PolicyDocument"]["Statement"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .flat_map(|s| match &s["Action"] {
                Value::Array(a) => a
                    .iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect(),
                Value::String(a) => vec![a.clone()],
                _ => vec![],
            })
            .collect(),
    )
}

/// What the deployed execution role lacks to deploy these stacks (empty when
/// nothing, or when it has AdministratorAccess).
pub async fn missing_actions<'a>(
    session: &Session,
    stacks: impl IntoIterator<Item = &'a Synthesized>,
) -> Result<Vec<String>> {
    let types = app_types(stacks);
    let granted = match deployed_grants(session).await {
        Ok(Some(g)) => g,
        Ok(None) => return Ok(Vec::new()),
        // A deployer allowed to deploy but not to read the toolkit's template
        // learns nothing here; CloudFormation will say what is missing.
        Err(e) => {
            session.ui.line(format!(
                "warning: could not read {}'s execution role to check it covers these stacks: {e:#}",
                session.toolkit_stack()
            ));
            return Ok(Vec::new());
        }
    };
    let needed = execution_policy(types.iter().map(String::as_str));
    Ok(needed
        .actions()
        .into_iter()
        .filter(|a| !granted.contains(*a))
        .map(str::to_string)
        .collect())
}

/// The deployed toolkit, if there is one.
pub async fn find(session: &Session) -> Result<Option<Toolkit>> {
    Ok(cfn::describe(&session.aws, &session.toolkit_stack())
        .await?
        .and_then(|d| from_outputs(&d.outputs)))
}

/// The toolkit, deployed first if it is missing (with the execution role
/// these stacks need). Deployed from inside `deploy`, it creates roles and a
/// bucket policy like any other stack, so it is held for approval by the
/// deploy's own policy.
pub async fn ensure<'a>(
    session: &Session,
    method: Method,
    approval: RequireApproval,
    stacks: impl IntoIterator<Item = &'a Synthesized>,
) -> Result<Toolkit> {
    if let Some(t) = find(session).await? {
        return Ok(t);
    }
    session.ui.line(format!(
        "bootstrapping: deploying {} (asset bucket and CloudFormation execution role) first",
        session.toolkit_stack()
    ));
    let role = ExecRole::for_app(stacks)?;
    deploy_toolkit(session, method, approval, &role, &[]).await
}

/// `tap bootstrap`: deploys (or updates) the toolkit, which is what the user
/// asked for, so it is not held for approval. An execution role computed for
/// the app keeps every action the deployed role already had: stacks deployed
/// earlier (resources since removed from the app, another app sharing the
/// toolkit) must still be updatable and deletable with it.
pub async fn bootstrap(
    session: &Session,
    method: Method,
    role: &ExecRole,
) -> Result<Toolkit, crate::Error> {
    bootstrap_inner(session, method, role, &[])
        .await
        .map_err(crate::Error::from)
}

/// [`bootstrap`], also trusting `trust` accounts (kept with those trusted
/// before) to deploy here through the deploy role.
pub async fn bootstrap_trusting(
    session: &Session,
    method: Method,
    role: &ExecRole,
    trust: &[String],
) -> Result<Toolkit, crate::Error> {
    bootstrap_inner(session, method, role, trust)
        .await
        .map_err(crate::Error::from)
}

async fn bootstrap_inner(
    session: &Session,
    method: Method,
    role: &ExecRole,
    trust: &[String],
) -> Result<Toolkit> {
    let role = match role {
        ExecRole::App(policy) => ExecRole::App(
            policy.clone().with_actions(
                deployed_grants(session)
                    .await?
                    .unwrap_or_default()
                    .iter()
                    .map(String::as_str),
            ),
        ),
        ExecRole::Admin => ExecRole::Admin,
    };
    for line in role.describe() {
        session.ui.line(line);
    }
    let mut trusted = deployed_trust(session).await?;
    for a in trust {
        if !trusted.contains(a) {
            trusted.push(a.clone());
        }
    }
    trusted.sort();
    if !trusted.is_empty() {
        session.ui.line(format!(
            "deploy role: accounts {} may deploy here, passing the execution role",
            trusted.join(", ")
        ));
    }
    deploy_toolkit(session, method, RequireApproval::Never, &role, &trusted).await
}

/// The actions the deployed toolkit's execution role has (`None`: no toolkit,
/// or AdministratorAccess).
async fn deployed_grants(session: &Session) -> Result<Option<BTreeSet<String>>> {
    let Some(d) = cfn::describe(&session.aws, &session.toolkit_stack()).await? else {
        return Ok(None);
    };
    let deployed = cfn::template(&session.aws, &d.stack_id).await?;
    Ok(granted_actions(&deployed))
}

async fn deploy_toolkit(
    session: &Session,
    method: Method,
    approval: RequireApproval,
    role: &ExecRole,
    trusted: &[String],
) -> Result<Toolkit> {
    let template = template_trusting(role, session.qualifier.as_deref(), trusted)?;
    let name = session.toolkit_stack();
    let req = Request {
        name: &name,
        template: &template,
        approval,
        method,
        bucket: None,
        role_arn: None,
        parameters: &super::parameters::ParameterValues::default(),
        revert_drift: false,
    };
    let deployed = stack::deploy(session, &req).await?;
    from_outputs(&deployed.stack().outputs).ok_or_else(|| {
        anyhow!(
            "{name} is deployed but has no AssetBucketName output: delete it and bootstrap again"
        )
    })
}

fn from_outputs(outputs: &std::collections::BTreeMap<String, String>) -> Option<Toolkit> {
    Some(Toolkit {
        bucket: outputs.get("AssetBucketName")?.clone(),
        cfn_exec_role: outputs.get("CfnExecRoleArn").cloned().unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn administrator_access_is_an_explicit_choice() {
        let t = template(&ExecRole::Admin).expect("template");
        assert!(t["Resources"][EXEC_ROLE]["Properties"]["ManagedPolicyArns"].is_array());
        assert_eq!(granted_actions(&t), None);
        assert!(ExecRole::Admin.describe()[0].starts_with("warning:"));
    }

    #[test]
    fn trusted_accounts_get_a_deploy_role_that_can_only_run_deploys() {
        let none = template_trusting(&ExecRole::Admin, None, &[]).expect("template");
        assert!(
            none["Resources"].get(DEPLOY_ROLE).is_none(),
            "no trust, no role"
        );
        let t =
            template_trusting(&ExecRole::Admin, None, &["111111111111".into()]).expect("template");
        let role = &t["Resources"][DEPLOY_ROLE]["Properties"];
        assert_eq!(
            role["RoleName"]["Fn::Sub"], "tap-deploy-${AWS::Region}",
            "the name `tap deploy` assumes (deploy::envs::deploy_role_arn)"
        );
        let trust = &role["AssumeRolePolicyDocument"]["Statement"][0];
        assert_eq!(
            trust["Principal"]["AWS"][0]["Fn::Sub"],
            "arn:${AWS::Partition}:iam::111111111111:root"
        );
        let statements = role["Policies"][0]["PolicyDocument"]["Statement"]
            .as_array()
            .expect("statements");
        let pass = statements
            .iter()
            .find(|s| s["Action"] == "iam:PassRole")
            .expect("passes the execution role");
        assert_eq!(pass["Resource"]["Fn::GetAtt"][0], EXEC_ROLE);
        assert_eq!(
            pass["Condition"]["StringEquals"]["iam:PassedToService"],
            "cloudformation.amazonaws.com"
        );
        // Nothing that creates resources itself: that is the execution role's.
        let text = serde_json::to_string(statements).expect("json");
        for forbidden in ["iam:CreateRole", "s3:CreateBucket", "lambda:", "\"*\""] {
            if forbidden == "\"*\"" {
                let stars: Vec<&Value> =
                    statements.iter().filter(|s| s["Resource"] == "*").collect();
                assert!(
                    stars
                        .iter()
                        .all(
                            |s| s["Action"].as_array().is_some_and(|a| a.iter().all(|x| x
                                .as_str()
                                .is_some_and(|x| x.starts_with("cloudformation:List")
                                    || x.starts_with("cloudformation:Describe"))))
                        ),
                    "{stars:?}"
                );
            } else {
                assert!(!text.contains(forbidden), "{forbidden} in {text}");
            }
        }
        assert_eq!(t["Outputs"]["TrustedAccounts"]["Value"], "111111111111");
        let err = template_trusting(&ExecRole::Admin, None, &["1111".into()]).unwrap_err();
        assert!(err
            .to_string()
            .contains("--trust 1111: not an AWS account ID"));
    }

    #[test]
    fn a_qualifier_names_the_toolkit_its_bucket_and_its_role() {
        assert_eq!(stack_name(Some("myapp")), "TapToolkit-myapp");
        let t = template_for(&ExecRole::Admin, Some("myapp")).expect("template");
        let text = t.to_string();
        assert!(
            text.contains("tap-assets-myapp-${AWS::AccountId}-${AWS::Region}"),
            "{text}"
        );
        assert!(text.contains("tap-cfn-exec-myapp-${AWS::Region}"), "{text}");
        assert_eq!(
            tap_core::synth::asset_bucket_for(Some("myapp")).to_json(),
            t["Resources"]["Assets"]["Properties"]["BucketName"]
        );
        // No qualifier: the names every template already uses.
        let plain = template(&ExecRole::Admin).expect("template").to_string();
        assert!(plain.contains("tap-assets-${AWS::AccountId}-${AWS::Region}"));
        assert!(plain.contains("tap-cfn-exec-${AWS::Region}"));
    }
}
