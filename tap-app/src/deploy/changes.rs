//! What a deploy will change, and how it is shown: the resource table (from a
//! change set, or from the two templates when there is none) and the IAM
//! section (from the two templates: CloudFormation does not say which
//! permissions a change adds).

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    Add,
    Modify,
    Remove,
    Import,
    Dynamic,
}

impl Action {
    pub fn from_cfn(s: &str) -> Action {
        match s {
            "Add" => Action::Add,
            "Remove" => Action::Remove,
            "Import" => Action::Import,
            "Dynamic" => Action::Dynamic,
            _ => Action::Modify,
        }
    }
    fn symbol(self) -> &'static str {
        match self {
            Action::Add => "+ add",
            Action::Modify => "~ modify",
            Action::Remove => "- remove",
            Action::Import => "< import",
            Action::Dynamic => "? dynamic",
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ResourceChange {
    pub action: Action,
    pub logical_id: String,
    pub resource_type: String,
    /// `True`, `Conditional` or `False` (CloudFormation's words); `None` when unknown.
    pub replacement: Option<String>,
    /// What changes: `Properties`, `Metadata`, … (from the change set).
    pub scope: Vec<String>,
}

/// The resource changes between two templates, for when there is no change set
/// (`--method direct`, or a stack that is not deployed).
pub fn template_changes(old: Option<&Value>, new: &Value) -> Vec<ResourceChange> {
    let empty = serde_json::Map::new();
    let old_res = old
        .and_then(|t| t["Resources"].as_object())
        .unwrap_or(&empty);
    let new_res = new["Resources"].as_object().unwrap_or(&empty);
    let mut out = Vec::new();
    for (id, r) in new_res {
        let ty = r["Type"].as_str().unwrap_or("").to_string();
        match old_res.get(id) {
            None => out.push(ResourceChange {
                action: Action::Add,
                logical_id: id.clone(),
                resource_type: ty,
                replacement: None,
                scope: vec![],
            }),
            Some(o) if o != r => {
                let scope = [
                    "Properties",
                    "Metadata",
                    "DependsOn",
                    "DeletionPolicy",
                    "UpdatePolicy",
                ]
                .iter()
                .filter(|k| o.get(**k) != r.get(**k))
                .map(|k| k.to_string())
                .collect();
                out.push(ResourceChange {
                    action: Action::Modify,
                    logical_id: id.clone(),
                    resource_type: ty,
                    replacement: None,
                    scope,
                })
            }
            Some(_) => {}
        }
    }
    for (id, r) in old_res {
        if !new_res.contains_key(id) {
            out.push(ResourceChange {
                action: Action::Remove,
                logical_id: id.clone(),
                resource_type: r["Type"].as_str().unwrap_or("").to_string(),
                replacement: None,
                scope: vec![],
            });
        }
    }
    out.sort();
    out
}

/// The resource table, one line a change.
pub fn render_table(changes: &[ResourceChange]) -> Vec<String> {
    let type_w = changes
        .iter()
        .map(|c| c.resource_type.len())
        .max()
        .unwrap_or(0)
        .max("Type".len());
    let id_w = changes
        .iter()
        .map(|c| c.logical_id.len())
        .max()
        .unwrap_or(0)
        .max("Logical ID".len());
    let mut lines = vec![format!(
        "  {:<10} {:<type_w$}  {:<id_w$}  Replacement",
        "Action", "Type", "Logical ID"
    )];
    for c in changes {
        let replacement = match c.replacement.as_deref() {
            Some("True") => "REPLACED",
            Some("Conditional") => "may be replaced",
            Some("False") => "no",
            _ if c.action == Action::Modify => "?",
            _ => "",
        };
        let scope = if c.scope.is_empty() {
            String::new()
        } else {
            format!(" ({})", c.scope.join(", "))
        };
        lines.push(
            format!(
                "  {:<10} {:<type_w$}  {:<id_w$}  {replacement}{scope}",
                c.action.symbol(),
                c.resource_type,
                c.logical_id
            )
            .trim_end()
            .to_string(),
        );
    }
    lines
}

/// One IAM grant, flattened: who holds it and what it allows or denies.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Grant {
    /// The resource whose policy holds it (`LambdaRole`, `DataBucketPolicy`).
    pub holder: String,
    pub effect: String,
    pub actions: String,
    pub resources: String,
    pub principal: String,
    pub condition: String,
}

impl Grant {
    /// Whether adding this grant widens what someone may do.
    pub fn broadens(&self) -> bool {
        self.effect == "Allow"
    }
}

/// Every grant a template makes: role trust and inline policies, managed
/// policies attached, IAM policies, and resource policies.
pub fn grants(template: &Value) -> BTreeSet<Grant> {
    let mut out = BTreeSet::new();
    let Some(resources) = template["Resources"].as_object() else {
        return out;
    };
    for (id, r) in resources {
        let p = &r["Properties"];
        let mut docs: Vec<(&Value, String)> = Vec::new();
        match r["Type"].as_str().unwrap_or("") {
            "AWS::IAM::Role" => {
                docs.push((&p["AssumeRolePolicyDocument"], id.clone()));
                for pol in p["Policies"].as_array().into_iter().flatten() {
                    docs.push((&pol["PolicyDocument"], id.clone()));
                }
                for arn in p["ManagedPolicyArns"].as_array().into_iter().flatten() {
                    out.insert(Grant {
                        holder: id.clone(),
                        effect: "Allow".into(),
                        actions: format!("managed policy {}", render(arn)),
                        resources: String::new(),
                        principal: String::new(),
                        condition: String::new(),
                    });
                }
            }
            "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" => {
                let on: Vec<String> = p["Roles"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|r| match r["Ref"].as_str() {
                        Some(role) => role.to_string(),
                        None => render(r),
                    })
                    .collect();
                let holder = if on.is_empty() {
                    id.clone()
                } else {
                    format!("{} (via {id})", on.join(", "))
                };
                docs.push((&p["PolicyDocument"], holder));
            }
            "AWS::S3::BucketPolicy" | "AWS::SQS::QueuePolicy" | "AWS::SNS::TopicPolicy" => {
                docs.push((&p["PolicyDocument"], id.clone()))
            }
            "AWS::KMS::Key" => docs.push((&p["KeyPolicy"], id.clone())),
            "AWS::Lambda::Permission" => {
                out.insert(Grant {
                    holder: id.clone(),
                    effect: "Allow".into(),
                    actions: render(&p["Action"]),
                    resources: render(&p["FunctionName"]),
                    principal: render(&p["Principal"]),
                    condition: String::new(),
                });
            }
            _ => {}
        }
        for (doc, holder) in docs {
            for st in statements(doc) {
                out.insert(Grant {
                    holder: holder.clone(),
                    effect: st["Effect"].as_str().unwrap_or("Allow").to_string(),
                    actions: list(&st["Action"]),
                    resources: list(&st["Resource"]),
                    principal: render_principal(&st["Principal"]),
                    condition: if st["Condition"].is_null() {
                        String::new()
                    } else {
                        render(&st["Condition"])
                    },
                });
            }
        }
    }
    out
}

fn statements(doc: &Value) -> Vec<&Value> {
    match &doc["Statement"] {
        Value::Array(a) => a.iter().collect(),
        Value::Object(_) => vec![&doc["Statement"]],
        _ => vec![],
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

/// A template value as people write it: `${Bucket.Arn}/*` for
/// `Fn::Sub`/`Fn::GetAtt`, `${Queue}` for `Ref`.
pub fn render(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(m) if m.len() == 1 => {
            let (k, arg) = m
                .iter()
                .next()
                .map(|(k, v)| (k.as_str(), v))
                .unwrap_or(("", v));
            match (k, arg) {
                ("Ref", Value::String(r)) => format!("${{{r}}}"),
                ("Fn::GetAtt", Value::Array(a)) if a.len() == 2 => {
                    format!("${{{}.{}}}", render(&a[0]), render(&a[1]))
                }
                ("Fn::GetAtt", Value::String(s)) => format!("${{{s}}}"),
                ("Fn::Sub", Value::String(s)) => s.clone(),
                ("Fn::Sub", Value::Array(a)) if !a.is_empty() => render(&a[0]),
                ("Fn::Join", Value::Array(a)) if a.len() == 2 => {
                    let sep = a[0].as_str().unwrap_or("");
                    a[1].as_array()
                        .map(|parts| parts.iter().map(render).collect::<Vec<_>>().join(sep))
                        .unwrap_or_default()
                }
                ("Fn::ImportValue", x) => format!("import({})", render(x)),
                _ => v.to_string(),
            }
        }
        other => other.to_string(),
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

    #[test]
    fn a_widened_statement_is_added_and_the_old_one_removed() {
        let old = role(json!("s3:PutObject"));
        let new = role(json!(["s3:PutObject", "s3:GetObject"]));
        let (added, removed) = grant_changes(Some(&old), &new);
        assert_eq!(added.len(), 1);
        assert_eq!(removed.len(), 1);
        assert_eq!(added[0].actions, "s3:GetObject, s3:PutObject");
        assert_eq!(added[0].resources, "${Bucket.Arn}/*");
        assert!(added[0].broadens());
        let lines = render_grants(&added, &removed);
        assert_eq!(
            lines[0],
            "  + Role Allow s3:GetObject, s3:PutObject on ${Bucket.Arn}/*"
        );
        assert_eq!(lines[1], "  - Role Allow s3:PutObject on ${Bucket.Arn}/*");
    }

    #[test]
    fn the_same_template_changes_nothing() {
        let t = role(json!("s3:PutObject"));
        assert_eq!(grant_changes(Some(&t), &t), (vec![], vec![]));
        assert!(template_changes(Some(&t), &t).is_empty());
    }

    #[test]
    fn a_new_stack_adds_its_trust_policy_and_resources() {
        let t = role(json!("s3:PutObject"));
        let (added, _) = grant_changes(None, &t);
        assert!(added.iter().any(
            |g| g.actions == "sts:AssumeRole" && g.principal == "Service lambda.amazonaws.com"
        ));
        let changes = template_changes(None, &t);
        assert_eq!(changes.len(), 2);
        assert!(changes.iter().all(|c| c.action == Action::Add));
    }

    #[test]
    fn the_table_lines_up_and_names_replacements() {
        let rows = vec![
            ResourceChange {
                action: Action::Modify,
                logical_id: "Queue".into(),
                resource_type: "AWS::SQS::Queue".into(),
                replacement: Some("True".into()),
                scope: vec!["Properties".into()],
            },
            ResourceChange {
                action: Action::Add,
                logical_id: "Topic".into(),
                resource_type: "AWS::SNS::Topic".into(),
                replacement: None,
                scope: vec![],
            },
        ];
        let lines = render_table(&rows);
        assert_eq!(
            lines[1],
            "  ~ modify   AWS::SQS::Queue  Queue       REPLACED (Properties)"
        );
        assert_eq!(lines[2], "  + add      AWS::SNS::Topic  Topic");
    }
}
