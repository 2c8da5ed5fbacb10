//! Where a template grants through policies: every policy document in any
//! resource's properties (an object with `Statement`, or JSON text holding
//! one), and the types whose properties are a statement in another shape
//! (`Lambda::Permission`, `Lambda::LayerVersionPermission`, `Lambda::Url`,
//! `Events::EventBusPolicy`), each as atoms of the resource that holds it.

use super::eval::{has_unknown, EITHER, UNKNOWN};
use super::policy::{self, Atom};
use crate::security_properties::{self, Category};
use serde_json::{json, Map, Value};

/// Properties that say what a policy resource is attached to: moving a
/// policy to another role, bucket, queue, topic, function or secret changes
/// who gets it.
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
    "ResourceArn",
    "LayerVersionArn",
    "TargetFunctionArn",
];

/// A value as a holder's name: `${Bucket}` (a reference) is `Bucket`; a name
/// or ARN written out is kept apart from logical IDs (`"Admin"` names some
/// role, not necessarily the resource `Admin`).
fn name(v: &Value) -> String {
    match v {
        Value::String(s) => match s
            .strip_prefix("${")
            .and_then(|s| s.strip_suffix('}'))
            .filter(|s| !s.contains("${"))
        {
            Some(id) => id.strip_suffix(".Arn").unwrap_or(id).to_string(),
            None => format!("`{s}`"),
        },
        other => super::eval::describe(other),
    }
}

/// Who a resource's policies apply to: what it is attached to, else itself.
pub fn holders(id: &str, p: &Value) -> Vec<String> {
    let mut on = Vec::new();
    for k in ATTACHMENTS {
        match &p[*k] {
            Value::Array(a) => on.extend(a.iter().map(name)),
            Value::Null => {}
            one => on.push(name(one)),
        }
    }
    if on.is_empty() {
        vec![id.to_string()]
    } else {
        on
    }
}

/// Every atom the resource's policies make.
pub fn resource_atoms(id: &str, r: &Value) -> Vec<Atom> {
    let ty = r["Type"].as_str().unwrap_or("");
    let p = &r["Properties"];
    let holders = holders(id, p);
    let mut out = Vec::new();
    let mut docs = Vec::new();
    if let Some(m) = p.as_object() {
        for (prop, v) in m {
            let mut found = Vec::new();
            collect_policies(v, &mut found);
            for d in found {
                docs.push((prop.as_str(), d));
            }
        }
    }
    // Policy properties whose value is not a document tap could read: one
    // statement without the wrapper, or a value only the deploy knows.
    for sp in security_properties::for_type(ty) {
        if sp.category != Category::Policy {
            continue;
        }
        for v in values_at(p, &sp.path) {
            let readable = v.get("Statement").is_some()
                || v.as_str().is_some_and(|s| {
                    serde_json::from_str::<Value>(s).is_ok_and(|d| d.get("Statement").is_some())
                });
            if readable {
                continue;
            }
            // One statement (`Events::EventBusPolicy.Statement`) is read as
            // one; text or an unknown is an opaque statement that counts
            // whenever it changes.
            if v.get("Effect").is_some() || has_unknown(v) || !v.is_object() {
                docs.push((sp.path[0], json!({ "Statement": [v] })));
            }
        }
    }
    for (prop, d) in &docs {
        for h in &holders {
            let h = if *prop == "AssumeRolePolicyDocument" {
                format!("{h} (trust policy)")
            } else {
                h.clone()
            };
            out.extend(policy::atoms(&h, d));
        }
    }
    if let Some(st) = statement_of(ty, p) {
        for h in &holders {
            out.extend(policy::statement_atoms(h, &st));
        }
    }
    out
}

/// The statement a permission-shaped resource makes.
fn statement_of(ty: &str, p: &Value) -> Option<Value> {
    match ty {
        "AWS::Lambda::Permission" => {
            let mut cond = Map::new();
            let mut put = |op: &str, key: &str, prop: &str| {
                if !p[prop].is_null() {
                    let entry = cond.entry(op.to_string()).or_insert_with(|| json!({}));
                    entry[key] = p[prop].clone();
                }
            };
            put("ArnLike", "aws:SourceArn", "SourceArn");
            put("StringEquals", "aws:SourceAccount", "SourceAccount");
            put("StringEquals", "aws:PrincipalOrgID", "PrincipalOrgID");
            put(
                "StringEquals",
                "lambda:FunctionUrlAuthType",
                "FunctionUrlAuthType",
            );
            put(
                "StringEquals",
                "lambda:EventSourceToken",
                "EventSourceToken",
            );
            put(
                "Bool",
                "lambda:InvokedViaFunctionUrl",
                "InvokedViaFunctionUrl",
            );
            let mut st = json!({
                "Effect": "Allow",
                "Action": p["Action"],
                "Principal": lambda_principal(&p["Principal"]),
            });
            if !cond.is_empty() {
                st["Condition"] = Value::Object(cond);
            }
            Some(st)
        }
        "AWS::Lambda::LayerVersionPermission" => {
            let mut st = json!({
                "Effect": "Allow",
                "Action": p["Action"],
                "Principal": lambda_principal(&p["Principal"]),
            });
            if !p["OrganizationId"].is_null() {
                st["Condition"] =
                    json!({ "StringEquals": { "aws:PrincipalOrgID": p["OrganizationId"] } });
            }
            Some(st)
        }
        "AWS::Lambda::Url" => {
            // AuthType NONE: anyone on the internet. An AuthType tap cannot
            // evaluate is taken as NONE.
            let open = p["AuthType"] != "AWS_IAM";
            open.then(|| {
                json!({
                    "Effect": "Allow",
                    "Action": "lambda:InvokeFunctionUrl (AuthType NONE)",
                    "Principal": "*",
                    "Resource": p["Qualifier"],
                })
            })
        }
        "AWS::Events::EventBusPolicy" if p["Statement"].is_null() => {
            let mut st = json!({
                "Effect": "Allow",
                "Action": p["Action"],
                "Principal": lambda_principal(&p["Principal"]),
            });
            if !p["Condition"].is_null() {
                let c = &p["Condition"];
                let key = c["Key"]
                    .as_str()
                    .unwrap_or("aws:PrincipalOrgID")
                    .to_string();
                st["Condition"] = json!({ "StringEquals": { key: c["Value"] } });
            }
            Some(st)
        }
        _ => None,
    }
}

/// A principal written as one string (an account, an ARN, a service, `*`) as
/// a policy's `Principal`.
fn lambda_principal(p: &Value) -> Value {
    match p.as_str() {
        Some("*") => json!("*"),
        Some(s) if s.ends_with(".amazonaws.com") || s.ends_with(".amazonaws.com.cn") => {
            json!({ "Service": s })
        }
        Some(s) => json!({ "AWS": s }),
        None => p.clone(),
    }
}

/// Every policy document in a resource's properties.
pub fn policy_documents(p: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    collect_policies(p, &mut out);
    out
}

/// Policy documents anywhere in a value: objects with `Statement`, or JSON
/// text holding one (some types take policies as text).
fn collect_policies(v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Object(m) if m.contains_key(UNKNOWN) => {}
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

/// The values at a path of the security-property list (`*` is every item).
pub fn values_at<'v>(v: &'v Value, path: &[&str]) -> Vec<&'v Value> {
    let Some((first, rest)) = path.split_first() else {
        return if v.is_null() { vec![] } else { vec![v] };
    };
    match (*first, v) {
        (_, Value::Object(m)) if m.contains_key(EITHER) => m[EITHER]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|b| values_at(b, path))
            .collect(),
        ("*", Value::Array(a)) => a.iter().flat_map(|x| values_at(x, rest)).collect(),
        ("*", other) if !other.is_null() => values_at(other, rest),
        (key, Value::Object(m)) => m.get(key).map(|x| values_at(x, rest)).unwrap_or_default(),
        _ => vec![],
    }
}
