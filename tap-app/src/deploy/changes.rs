//! What a deploy will change, as a resource table: from a change set, or from
//! the two templates when there is none. (The IAM section is `grants.rs`.)

use serde_json::Value;

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

    /// A queue with this retention, and a bucket.
    fn stack(retention: u32) -> Value {
        json!({ "Resources": {
            "Queue": { "Type": "AWS::SQS::Queue", "Properties": { "MessageRetentionPeriod": retention } },
            "Bucket": { "Type": "AWS::S3::Bucket" }
        } })
    }

    #[test]
    fn the_same_template_changes_nothing() {
        let t = stack(60);
        assert!(template_changes(Some(&t), &t).is_empty());
    }

    #[test]
    fn a_new_stack_adds_every_resource() {
        let t = stack(60);
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
