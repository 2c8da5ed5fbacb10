//! The IAM section of a deploy: every grant a template makes, flattened, and
//! which changes widen what someone may do, the question
//! `--require-approval broadening` asks. CloudFormation does not say which
//! permissions a change adds, so both come from the two templates.
//!
//! Widening is judged to fail closed: an added Allow, a removed Deny or
//! permissions boundary, anything inverted (`NotAction`, `NotResource`,
//! `NotPrincipal`), a Lambda permission or a public function URL, a security
//! group ingress rule, a new or changed IAM identity or policy resource, and
//! a policy document found anywhere in the properties of any resource type,
//! known to tap or not.

use super::changes::render;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// One IAM grant, flattened: who holds it and what it allows or denies.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Grant {
    /// The resource whose policy holds it (`LambdaRole`, `DataBucketPolicy`).
    pub holder: String,
    /// `Allow`, `Deny`, or `Boundary` (a permissions boundary: it limits).
    pub effect: String,
    /// The actions; `NOT …` for `NotAction`.
    pub actions: String,
    /// The resources; `NOT …` for `NotResource`.
    pub resources: String,
    /// The principal; `NOT …` for `NotPrincipal`.
    pub principal: String,
    pub condition: String,
}

impl Grant {
    fn inverted(&self) -> bool {
        [&self.actions, &self.resources, &self.principal]
            .iter()
            .any(|s| s.starts_with("NOT "))
    }

    fn allow(holder: &str, actions: String, resources: String, principal: String) -> Grant {
        Grant {
            holder: holder.to_string(),
            effect: "Allow".into(),
            actions,
            resources,
            principal,
            condition: String::new(),
        }
    }
}

/// IAM identity and policy resources: adding or changing one is always
/// reviewed, whatever its grants look like (a user, an access key, a group
/// membership grant by existing, not by a statement).
const IDENTITY_TYPES: &[&str] = &[
    "AWS::IAM::User",
    "AWS::IAM::Group",
    "AWS::IAM::UserToGroupAddition",
    "AWS::IAM::AccessKey",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::RolePolicy",
    "AWS::IAM::UserPolicy",
    "AWS::IAM::GroupPolicy",
    "AWS::IAM::OIDCProvider",
    "AWS::IAM::SAMLProvider",
];

/// Every grant a template makes.
pub fn grants(template: &Value) -> BTreeSet<Grant> {
    let mut out = BTreeSet::new();
    let Some(resources) = template["Resources"].as_object() else {
        return out;
    };
    for (id, r) in resources {
        let p = &r["Properties"];
        let ty = r["Type"].as_str().unwrap_or("");
        let holder = holder(id, p);
        // Policy documents wherever they are: a role's trust and inline
        // policies, a bucket's, a key's, and those of types tap has never heard of.
        for doc in policy_documents(p) {
            for st in statements(&doc) {
                out.insert(statement(&holder, st));
            }
        }
        for arn in p["ManagedPolicyArns"].as_array().into_iter().flatten() {
            out.insert(Grant::allow(
                &holder,
                format!("managed policy {}", render(arn)),
                String::new(),
                String::new(),
            ));
        }
        if !p["PermissionsBoundary"].is_null() {
            out.insert(Grant {
                holder: holder.clone(),
                effect: "Boundary".into(),
                actions: format!("permissions boundary {}", render(&p["PermissionsBoundary"])),
                resources: String::new(),
                principal: String::new(),
                condition: String::new(),
            });
        }
        match ty {
            "AWS::Lambda::Permission" => {
                let mut g = Grant::allow(
                    &holder,
                    render(&p["Action"]),
                    render(&p["FunctionName"]),
                    render(&p["Principal"]),
                );
                // What narrows a permission is its condition: losing one widens it.
                let narrowing: Vec<String> = [
                    "SourceArn",
                    "SourceAccount",
                    "PrincipalOrgID",
                    "FunctionUrlAuthType",
                    "EventSourceToken",
                ]
                .iter()
                .filter(|k| !p[**k].is_null())
                .map(|k| format!("{k}={}", render(&p[*k])))
                .collect();
                g.condition = narrowing.join(", ");
                out.insert(g);
            }
            "AWS::Lambda::Url" if p["AuthType"] == "NONE" => {
                out.insert(Grant::allow(
                    &holder,
                    "lambda:InvokeFunctionUrl (AuthType NONE: anyone on the internet)".into(),
                    render(&p["TargetFunctionArn"]),
                    "*".into(),
                ));
            }
            "AWS::EC2::SecurityGroup" => {
                for rule in p["SecurityGroupIngress"].as_array().into_iter().flatten() {
                    out.insert(ingress(&holder, rule));
                }
            }
            "AWS::EC2::SecurityGroupIngress" => {
                out.insert(ingress(&holder, p));
            }
            _ => {}
        }
    }
    out
}

/// Properties that say what a policy resource is attached to: moving a
/// policy to another role, bucket, queue, topic or secret changes who gets it.
const ATTACHMENTS: &[&str] = &[
    "Roles",
    "Users",
    "Groups",
    "RoleName",
    "UserName",
    "GroupName",
    "Bucket",
    "Queues",
    "Topics",
    "SecretId",
    "KeyId",
    "FunctionName",
    "RepositoryName",
    "EventBusName",
];

/// Who a resource's policies apply to: its logical ID, with what it is attached to.
fn holder(id: &str, p: &Value) -> String {
    let on: Vec<String> = ATTACHMENTS
        .iter()
        .flat_map(|k| match &p[*k] {
            Value::Array(a) => a.iter().collect::<Vec<_>>(),
            Value::Null => vec![],
            one => vec![one],
        })
        .map(|r| match r["Ref"].as_str() {
            Some(name) => name.to_string(),
            None => render(r),
        })
        .collect();
    if on.is_empty() {
        id.to_string()
    } else {
        format!("{} (via {id})", on.join(", "))
    }
}

fn ingress(holder: &str, rule: &Value) -> Grant {
    let source = [
        "CidrIp",
        "CidrIpv6",
        "SourceSecurityGroupId",
        "SourcePrefixListId",
    ]
    .iter()
    .find(|k| !rule[**k].is_null())
    .map(|k| render(&rule[*k]))
    .unwrap_or_else(|| "?".into());
    Grant::allow(
        holder,
        format!(
            "ingress {} {}-{}",
            render(&rule["IpProtocol"]),
            render(&rule["FromPort"]),
            render(&rule["ToPort"])
        ),
        String::new(),
        source,
    )
}

/// Every policy document in a resource's properties: an object with a
/// `Statement`, or a JSON string holding one (some types take policies as text).
fn policy_documents(v: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    collect_policies(v, &mut out);
    out
}

fn collect_policies(v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Object(m) if m.contains_key("Statement") => out.push(v.clone()),
        Value::Object(m) => m.values().for_each(|x| collect_policies(x, out)),
        Value::Array(a) => a.iter().for_each(|x| collect_policies(x, out)),
        Value::String(s) if s.trim_start().starts_with('{') && s.contains("Statement") => {
            if let Ok(doc) = serde_json::from_str::<Value>(s) {
                collect_policies(&doc, out);
            }
        }
        _ => {}
    }
}

fn statements(doc: &Value) -> Vec<&Value> {
    match &doc["Statement"] {
        Value::Array(a) => a.iter().collect(),
        Value::Object(_) => vec![&doc["Statement"]],
        _ => vec![],
    }
}

fn statement(holder: &str, st: &Value) -> Grant {
    let either = |k: &str, not: &str, f: fn(&Value) -> String| {
        if st[not].is_null() {
            f(&st[k])
        } else {
            format!("NOT {}", f(&st[not]))
        }
    };
    Grant {
        holder: holder.to_string(),
        // An Effect that is not a plain word (an intrinsic) could be either:
        // judged as both, so adding or removing it counts.
        effect: match st["Effect"].as_str() {
            Some(e @ ("Allow" | "Deny")) => e.to_string(),
            _ => "Allow or Deny".to_string(),
        },
        actions: either("Action", "NotAction", list),
        resources: either("Resource", "NotResource", list),
        principal: either("Principal", "NotPrincipal", render_principal),
        condition: if st["Condition"].is_null() {
            String::new()
        } else {
            render(&st["Condition"])
        },
    }
}

/// IAM changes between two templates: (added, removed).
pub fn grant_changes(old: Option<&Value>, new: &Value) -> (Vec<Grant>, Vec<Grant>) {
    let before = old.map(grants).unwrap_or_default();
    let after = grants(new);
    (
        after.difference(&before).cloned().collect(),
        before.difference(&after).cloned().collect(),
    )
}

/// Why a change widens what someone may do; empty when it does not.
pub fn broadening(
    old: Option<&Value>,
    new: &Value,
    added: &[Grant],
    removed: &[Grant],
) -> Vec<String> {
    let mut why = BTreeSet::new();
    for g in added {
        if g.effect.contains("Allow") {
            why.insert(format!("{} is allowed more", g.holder));
        }
    }
    for g in removed {
        match g.effect.as_str() {
            "Deny" | "Allow or Deny" => why.insert(format!("{} loses or narrows a Deny", g.holder)),
            "Boundary" => why.insert(format!("{} loses its permissions boundary", g.holder)),
            _ => false,
        };
    }
    for g in added.iter().chain(removed) {
        if g.inverted() {
            why.insert(format!(
                "{} has a NotAction, NotResource or NotPrincipal statement changed",
                g.holder
            ));
        }
    }
    let empty = serde_json::Map::new();
    let before = old
        .and_then(|t| t["Resources"].as_object())
        .unwrap_or(&empty);
    for (id, r) in new["Resources"].as_object().into_iter().flatten() {
        let ty = r["Type"].as_str().unwrap_or("");
        if IDENTITY_TYPES.contains(&ty) && before.get(id) != Some(r) {
            why.insert(format!("{id} ({ty}) is added or changed"));
        }
    }
    why.into_iter().collect()
}

/// The IAM section: each added (`+`) or removed (`-`) grant.
pub fn render_grants(added: &[Grant], removed: &[Grant]) -> Vec<String> {
    let mut lines = Vec::new();
    for (sign, grants) in [("+", added), ("-", removed)] {
        for g in grants {
            let mut line = format!("  {sign} {} {} {}", g.holder, g.effect, g.actions);
            if !g.resources.is_empty() {
                line.push_str(&format!(" on {}", g.resources));
            }
            if !g.principal.is_empty() {
                line.push_str(&format!(" to {}", g.principal));
            }
            if !g.condition.is_empty() {
                line.push_str(&format!(" when {}", g.condition));
            }
            lines.push(line);
        }
    }
    lines
}

fn list(v: &Value) -> String {
    match v {
        Value::Array(a) => {
            let mut items: Vec<String> = a.iter().map(render).collect();
            items.sort();
            items.join(", ")
        }
        Value::Null => String::new(),
        other => render(other),
    }
}

fn render_principal(p: &Value) -> String {
    match p {
        Value::Object(m) => {
            let parts: BTreeMap<&String, String> = m.iter().map(|(k, v)| (k, list(v))).collect();
            parts
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
        Value::Null => String::new(),
        other => render(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn role(actions: Value) -> Value {
        json!({ "Resources": {
            "Role": { "Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": { "Statement": [{ "Effect": "Allow", "Principal": { "Service": "lambda.amazonaws.com" }, "Action": "sts:AssumeRole" }] },
                "Policies": [{ "PolicyName": "p", "PolicyDocument": { "Statement": [
                    { "Effect": "Allow", "Action": actions, "Resource": { "Fn::Sub": "${Bucket.Arn}/*" } }
                ] } }]
            } },
            "Bucket": { "Type": "AWS::S3::Bucket" }
        } })
    }

    fn with(resources: Value) -> Value {
        json!({ "Resources": resources })
    }

    /// The broadening reasons of going from `old` to `new`.
    fn why(old: &Value, new: &Value) -> Vec<String> {
        let (added, removed) = grant_changes(Some(old), new);
        broadening(Some(old), new, &added, &removed)
    }

    #[test]
    fn a_widened_statement_is_added_and_the_old_one_removed() {
        let old = role(json!("s3:PutObject"));
        let new = role(json!(["s3:PutObject", "s3:GetObject"]));
        let (added, removed) = grant_changes(Some(&old), &new);
        assert_eq!(added.len(), 1);
        assert_eq!(removed.len(), 1);
        assert_eq!(added[0].actions, "s3:GetObject, s3:PutObject");
        assert_eq!(added[0].resources, "${Bucket.Arn}/*");
        let lines = render_grants(&added, &removed);
        assert_eq!(
            lines[0],
            "  + Role Allow s3:GetObject, s3:PutObject on ${Bucket.Arn}/*"
        );
        assert_eq!(lines[1], "  - Role Allow s3:PutObject on ${Bucket.Arn}/*");
        assert_eq!(why(&old, &new), ["Role is allowed more"]);
    }

    #[test]
    fn the_same_template_changes_nothing() {
        let t = role(json!("s3:PutObject"));
        assert_eq!(grant_changes(Some(&t), &t), (vec![], vec![]));
        assert!(why(&t, &t).is_empty());
    }

    #[test]
    fn a_changed_allow_is_reviewed_and_a_removed_one_is_not() {
        let old = role(json!(["s3:PutObject", "s3:GetObject"]));
        let new = role(json!("s3:PutObject"));
        // The narrower statement is an Allow added: it is reviewed, since tap
        // does not prove one policy contained in another.
        assert_eq!(why(&old, &new), ["Role is allowed more"]);
        // Removing a statement outright widens nothing.
        let mut none = old.clone();
        none["Resources"]["Role"]["Properties"]["Policies"] = json!([]);
        assert!(why(&old, &none).is_empty());
    }

    #[test]
    fn a_new_stack_adds_its_trust_policy() {
        let t = role(json!("s3:PutObject"));
        let (added, _) = grant_changes(None, &t);
        assert!(added.iter().any(
            |g| g.actions == "sts:AssumeRole" && g.principal == "Service lambda.amazonaws.com"
        ));
    }

    fn bucket_policy(statements: Value) -> Value {
        with(json!({
            "Bucket": { "Type": "AWS::S3::Bucket" },
            "BucketPolicy": { "Type": "AWS::S3::BucketPolicy", "Properties": {
                "Bucket": { "Ref": "Bucket" },
                "PolicyDocument": { "Statement": statements }
            } }
        }))
    }

    #[test]
    fn removing_or_narrowing_a_deny_is_broadening() {
        let tls_deny = json!({ "Effect": "Deny", "Principal": { "AWS": "*" }, "Action": "s3:*", "Resource": "*", "Condition": { "Bool": { "aws:SecureTransport": "false" } } });
        let old = bucket_policy(json!([tls_deny.clone()]));
        let removed = bucket_policy(json!([]));
        assert_eq!(
            why(&old, &removed),
            ["Bucket (via BucketPolicy) loses or narrows a Deny"]
        );
        let mut narrowed = tls_deny;
        narrowed["Action"] = json!("s3:PutObject");
        let narrowed = bucket_policy(json!([narrowed]));
        assert_eq!(
            why(&old, &narrowed),
            ["Bucket (via BucketPolicy) loses or narrows a Deny"]
        );
    }

    #[test]
    fn any_change_to_an_inverted_statement_is_broadening() {
        for key in ["NotAction", "NotResource", "NotPrincipal"] {
            let mut st = json!({ "Effect": "Deny", "Principal": { "AWS": "*" }, "Action": "s3:*", "Resource": "*" });
            let plain = key.trim_start_matches("Not");
            let value = st[plain].take();
            st[key] = value;
            let old = bucket_policy(json!([]));
            let new = bucket_policy(json!([st]));
            assert!(
                why(&old, &new)
                    .iter()
                    .any(|w| w.contains("NotAction, NotResource or NotPrincipal")),
                "{key}: {:?}",
                why(&old, &new)
            );
        }
    }

    fn permission(extra: Value) -> Value {
        let mut props = json!({ "Action": "lambda:InvokeFunction", "FunctionName": { "Ref": "Fn" }, "Principal": "s3.amazonaws.com" });
        if let (Some(p), Some(e)) = (props.as_object_mut(), extra.as_object()) {
            p.extend(e.clone());
        }
        with(json!({ "Invoke": { "Type": "AWS::Lambda::Permission", "Properties": props } }))
    }

    #[test]
    fn a_lambda_permission_losing_its_source_is_broadening() {
        let scoped = permission(
            json!({ "SourceArn": "arn:aws:s3:::uploads", "SourceAccount": "123456789012" }),
        );
        let open = permission(json!({}));
        assert_eq!(why(&scoped, &open), ["Fn (via Invoke) is allowed more"]);
        assert!(
            why(&with(json!({})), &scoped).contains(&"Fn (via Invoke) is allowed more".to_string())
        );
        let org = permission(json!({ "PrincipalOrgID": "o-abc" }));
        assert_eq!(why(&org, &open), ["Fn (via Invoke) is allowed more"]);
    }

    #[test]
    fn iam_identities_and_policies_are_always_reviewed() {
        for ty in [
            "AWS::IAM::User",
            "AWS::IAM::Group",
            "AWS::IAM::RolePolicy",
            "AWS::IAM::ManagedPolicy",
            "AWS::IAM::AccessKey",
        ] {
            let new = with(json!({ "X": { "Type": ty, "Properties": { "UserName": "ci" } } }));
            assert_eq!(
                why(&with(json!({})), &new),
                [format!("X ({ty}) is added or changed")],
                "{ty}"
            );
        }
        let user = |policy: &str| {
            with(json!({ "Ci": { "Type": "AWS::IAM::User", "Properties": {
            "ManagedPolicyArns": [policy] } } }))
        };
        let w = why(
            &user("arn:aws:iam::aws:policy/ReadOnlyAccess"),
            &user("arn:aws:iam::aws:policy/AdministratorAccess"),
        );
        assert!(w.contains(&"Ci is allowed more".to_string()), "{w:?}");
    }

    #[test]
    fn resource_policies_of_every_kind_count() {
        // Queue, topic, secret (a JSON object) and an ECR repository (a JSON string).
        let allow = json!({ "Statement": [{ "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*" }] });
        for (ty, prop, doc) in [
            ("AWS::SQS::QueuePolicy", "PolicyDocument", allow.clone()),
            ("AWS::SNS::TopicPolicy", "PolicyDocument", allow.clone()),
            (
                "AWS::SecretsManager::ResourcePolicy",
                "ResourcePolicy",
                allow.clone(),
            ),
            (
                "AWS::ECR::Repository",
                "RepositoryPolicyText",
                json!(allow.to_string()),
            ),
            ("AWS::Some::FutureType", "AccessPolicy", allow.clone()),
        ] {
            let new = with(json!({ "P": { "Type": ty, "Properties": { prop: doc } } }));
            assert_eq!(why(&with(json!({})), &new), ["P is allowed more"], "{ty}");
        }
    }

    #[test]
    fn a_public_function_url_is_broadening() {
        let url = |auth: &str| {
            with(
                json!({ "Url": { "Type": "AWS::Lambda::Url", "Properties": { "AuthType": auth, "TargetFunctionArn": { "Ref": "Fn" } } } }),
            )
        };
        assert_eq!(why(&url("AWS_IAM"), &url("NONE")), ["Url is allowed more"]);
        assert!(why(&url("NONE"), &url("AWS_IAM")).is_empty());
    }

    #[test]
    fn security_group_ingress_is_broadening() {
        let sg = |rules: Value| {
            with(
                json!({ "Sg": { "Type": "AWS::EC2::SecurityGroup", "Properties": { "GroupDescription": "x", "SecurityGroupIngress": rules } } }),
            )
        };
        let ssh =
            json!({ "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0" });
        assert_eq!(
            why(&sg(json!([])), &sg(json!([ssh.clone()]))),
            ["Sg is allowed more"]
        );
        let standalone =
            with(json!({ "In": { "Type": "AWS::EC2::SecurityGroupIngress", "Properties": ssh } }));
        assert_eq!(why(&with(json!({})), &standalone), ["In is allowed more"]);
    }

    #[test]
    fn moving_a_policy_to_another_resource_is_broadening() {
        let on = |topic: &str| {
            with(
                json!({ "P": { "Type": "AWS::SNS::TopicPolicy", "Properties": {
                "Topics": [{ "Ref": topic }],
                "PolicyDocument": { "Statement": [{ "Effect": "Allow", "Principal": { "Service": "events.amazonaws.com" }, "Action": "sns:Publish", "Resource": "*" }] }
            } } }),
            )
        };
        assert_eq!(
            why(&on("Alerts"), &on("Payments")),
            ["Payments (via P) is allowed more"]
        );
    }

    #[test]
    fn a_deny_whose_effect_is_computed_counts_when_removed() {
        let st = json!({ "Effect": { "Fn::If": ["Strict", "Deny", "Allow"] }, "Principal": "*", "Action": "s3:*", "Resource": "*" });
        let old = bucket_policy(json!([st]));
        let new = bucket_policy(json!([]));
        assert_eq!(
            why(&old, &new),
            ["Bucket (via BucketPolicy) loses or narrows a Deny"]
        );
    }

    #[test]
    fn removing_a_permissions_boundary_is_broadening() {
        let mut bounded = role(json!("s3:PutObject"));
        bounded["Resources"]["Role"]["Properties"]["PermissionsBoundary"] =
            json!("arn:aws:iam::123456789012:policy/boundary");
        let unbounded = role(json!("s3:PutObject"));
        assert_eq!(
            why(&bounded, &unbounded),
            ["Role loses its permissions boundary"]
        );
        assert!(why(&unbounded, &bounded).is_empty());
    }
}
