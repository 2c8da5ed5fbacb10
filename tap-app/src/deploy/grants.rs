//! The IAM section of a deploy: every grant a template makes, flattened to
//! one line a statement, as people read them. Which of them widen access is
//! the approval gate's question (`gate/`); this only shows them.

use super::changes::render;
use super::gate::{holders, policy_documents};
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

/// Every grant a template makes.
pub fn grants(template: &Value) -> BTreeSet<Grant> {
    let mut out = BTreeSet::new();
    let Some(resources) = template["Resources"].as_object() else {
        return out;
    };
    for (id, r) in resources {
        let p = &r["Properties"];
        let ty = r["Type"].as_str().unwrap_or("");
        let holder = match holders(id, p).as_slice() {
            [one] if one == id => id.clone(),
            on => format!("{} (via {id})", on.join(", ")),
        };
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
