//! The least-privilege CloudFormation execution role of an app: exactly the
//! actions CloudFormation's handlers call to create, update and delete the
//! resource types the app's stacks use (from the registry's handler
//! permissions), each scoped to the ARN formats the IAM catalog gives its
//! resource types, in this account and region. `*` is written only for
//! actions the catalog says support no resource-level permissions.

use super::catalog::catalog;
use crate::data::registry;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// One statement of the computed policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub actions: Vec<String>,
    /// ARN patterns (`Fn::Sub` strings with `${AWS::Partition}`, `${AWS::Region}`,
    /// `${AWS::AccountId}`), or `["*"]`.
    pub resources: Vec<String>,
}

/// The computed policy, and what could not be computed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecutionPolicy {
    pub grants: Vec<Grant>,
    /// Types the registry lists no handler permissions for: the role cannot deploy them.
    pub unknown_types: Vec<String>,
    /// Handler actions that IAM does not have (the schemas name some API
    /// operations, such as `s3:DeleteBucketCors`, that are not IAM actions):
    /// not granted, since no policy can grant them, and listed for review.
    pub uncatalogued: Vec<String>,
}

impl ExecutionPolicy {
    /// The same policy, also granting these actions (each scoped as the
    /// catalog allows; actions IAM does not have are left out).
    pub fn with_actions<'a>(self, extra: impl IntoIterator<Item = &'a str>) -> ExecutionPolicy {
        let mut all: BTreeSet<String> = self.actions().into_iter().map(str::to_string).collect();
        all.extend(extra.into_iter().map(str::to_string));
        let mut out = build(all.iter().map(String::as_str));
        out.unknown_types = self.unknown_types;
        out
    }

    /// Every action granted.
    pub fn actions(&self) -> BTreeSet<&str> {
        self.grants
            .iter()
            .flat_map(|g| g.actions.iter().map(String::as_str))
            .collect()
    }

    /// The IAM policy document (resources as `Fn::Sub` where they name the account).
    pub fn document(&self) -> Value {
        let statements: Vec<Value> = self
            .grants
            .iter()
            .map(|g| {
                let resources: Vec<Value> = g
                    .resources
                    .iter()
                    .map(|r| {
                        if r.contains("${") {
                            json!({ "Fn::Sub": r })
                        } else {
                            json!(r)
                        }
                    })
                    .collect();
                json!({ "Effect": "Allow", "Action": g.actions, "Resource": resources })
            })
            .collect();
        json!({ "Version": "2012-10-17", "Statement": statements })
    }
}

/// The policy for an app whose stacks use these resource types.
pub fn execution_policy<'a>(types: impl IntoIterator<Item = &'a str>) -> ExecutionPolicy {
    let mut unknown_types = Vec::new();
    let mut actions: BTreeSet<&'static str> = BTreeSet::new();
    let mut seen = BTreeSet::new();
    for t in types {
        if !seen.insert(t.to_string()) {
            continue;
        }
        match registry::handlers(t) {
            Some(h) => actions.extend(h.all()),
            None => unknown_types.push(t.to_string()),
        }
    }
    let mut policy = build(actions);
    policy.unknown_types = unknown_types;
    policy
}

/// Statements granting these actions, grouped by the resources they are scoped to.
fn build<'a>(actions: impl IntoIterator<Item = &'a str>) -> ExecutionPolicy {
    let mut policy = ExecutionPolicy::default();
    // Resources of each action, then actions grouped by identical resources.
    let mut by_resources: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
    for action in actions {
        let Some(resources) = scope(action) else {
            policy.uncatalogued.push(action.to_string());
            continue;
        };
        by_resources
            .entry(resources)
            .or_default()
            .push(action.to_string());
    }
    policy.grants = by_resources
        .into_iter()
        .map(|(resources, actions)| Grant { actions, resources })
        .collect();
    policy
}

/// The ARN patterns an action can be scoped to, from the IAM catalog:
/// `["*"]` when it supports no resource-level permissions, `None` when the
/// catalog does not know it.
fn scope(action: &str) -> Option<Vec<String>> {
    let (service, infos) = catalog().resolve(action).ok()?;
    let mut arns = BTreeSet::new();
    for info in infos {
        if !info.supports_resource_level() {
            return Some(vec!["*".to_string()]);
        }
        for t in service.resource_types_of(info) {
            if t.arn.is_empty() {
                return Some(vec!["*".to_string()]);
            }
            arns.insert(in_this_account(t.arn));
        }
    }
    if arns.is_empty() {
        return Some(vec!["*".to_string()]);
    }
    // An S3 action that applies to buckets or objects (ARNs with no region)
    // and also to regional S3 Control resources (access grants, storage lens):
    // a stack's handlers act on the buckets, and LocalStack refuses a policy
    // with a region in any S3 ARN.
    if service.prefix == "s3" && arns.iter().any(|a| !a.contains("${AWS::Region}")) {
        arns.retain(|a| !a.contains("${AWS::Region}"));
    }
    Some(arns.into_iter().collect())
}

/// `arn:${Partition}:sqs:${Region}:${Account}:${QueueName}` →
/// `arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:*`.
fn in_this_account(format: &str) -> String {
    let mut out = String::new();
    for piece in crate::base::template::sub_pieces(format) {
        match piece {
            crate::base::template::SubPiece::Text(t) => out.push_str(t),
            crate::base::template::SubPiece::Var("Partition") => out.push_str("${AWS::Partition}"),
            crate::base::template::SubPiece::Var("Region") => out.push_str("${AWS::Region}"),
            crate::base::template::SubPiece::Var("Account") => out.push_str("${AWS::AccountId}"),
            crate::base::template::SubPiece::Var(_) => {
                if !out.ends_with('*') {
                    out.push('*')
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED_TYPES: &[&str] = &[
        "AWS::S3::Bucket",
        "AWS::S3::BucketPolicy",
        "AWS::KMS::Key",
        "AWS::SQS::Queue",
        "AWS::SQS::QueuePolicy",
        "AWS::SNS::Topic",
        "AWS::SNS::TopicPolicy",
        "AWS::SecretsManager::Secret",
        "AWS::IAM::Role",
        "AWS::IAM::Policy",
        "AWS::Lambda::Function",
        "AWS::Lambda::Version",
        "AWS::Lambda::Alias",
        "AWS::Logs::LogGroup",
        "AWS::CodeDeploy::Application",
        "AWS::CodeDeploy::DeploymentGroup",
        "AWS::CloudWatch::Alarm",
        "AWS::CodeBuild::Project",
        "AWS::CodePipeline::Pipeline",
        "AWS::Events::Rule",
    ];

    #[test]
    fn holds_every_handler_permission_of_every_type() {
        let p = execution_policy(SEED_TYPES.iter().copied());
        assert!(p.unknown_types.is_empty(), "{:?}", p.unknown_types);
        let granted = p.actions();
        for t in SEED_TYPES {
            let h = registry::handlers(t).expect("handlers");
            for a in h.create.iter().chain(&h.update).chain(&h.delete) {
                assert!(
                    granted.contains(a) || p.uncatalogued.iter().any(|u| u == a),
                    "{t}: {a} missing"
                );
            }
        }
    }

    #[test]
    fn every_action_is_catalogued_and_star_only_where_nothing_narrower_exists() {
        let p = execution_policy(SEED_TYPES.iter().copied());
        for g in &p.grants {
            for a in &g.actions {
                assert!(catalog().resolve(a).is_ok(), "{a} is not an IAM action");
            }
            if g.resources == ["*"] {
                for a in &g.actions {
                    // (checked above)
                    let (service, infos) = catalog().resolve(a).expect("catalogued");
                    assert!(
                        infos.iter().any(|i| !i.supports_resource_level()
                            || service.resource_types_of(i).any(|t| t.arn.is_empty())),
                        "{a} is granted on * but the catalog scopes it"
                    );
                }
            } else {
                assert!(
                    g.resources
                        .iter()
                        .all(|r| r.starts_with("arn:${AWS::Partition}:")),
                    "{:?}",
                    g.resources
                );
            }
        }
    }

    #[test]
    fn scopes_to_this_account_and_region() {
        assert_eq!(
            in_this_account("arn:${Partition}:sqs:${Region}:${Account}:${QueueName}"),
            "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:*"
        );
        assert_eq!(
            in_this_account("arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"),
            "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*"
        );
        let p = execution_policy(["AWS::SQS::Queue"]);
        let create = p
            .grants
            .iter()
            .find(|g| g.actions.iter().any(|a| a == "sqs:CreateQueue"))
            .expect("CreateQueue");
        assert_eq!(
            create.resources,
            ["arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:*"]
        );
    }

    #[test]
    fn a_type_without_handler_permissions_is_named() {
        let p = execution_policy(["AWS::SQS::Queue", "AWS::Nope::Nothing"]);
        assert_eq!(p.unknown_types, ["AWS::Nope::Nothing"]);
    }
}
