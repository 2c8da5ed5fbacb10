//! IAM policy documents: statements written in the DSL, statements tap writes
//! itself, and the resource policies and DefaultPolicies gathered during synthesis.

use super::{Ctx, Result};
use crate::base::ir::*;
use crate::base::template::{Expr, Resource};

pub const VERSION: &str = "2012-10-17";

pub fn document(statements: Vec<Expr>) -> Expr {
    Expr::map([
        ("Version", Expr::str(VERSION)),
        ("Statement", Expr::List(statements)),
    ])
}

/// A statement tap writes itself.
pub fn allow(actions: &[&str], resources: Vec<Expr>) -> Expr {
    statement("Allow", actions, resources)
}

pub fn statement(effect: &str, actions: &[&str], resources: Vec<Expr>) -> Expr {
    let action = match actions {
        [one] => Expr::str(*one),
        many => Expr::list(many.iter().map(|a| Expr::str(*a))),
    };
    let resource = match resources.len() {
        1 => resources.into_iter().next().unwrap_or(Expr::str("*")),
        _ => Expr::List(resources),
    };
    Expr::map([
        ("Effect", Expr::str(effect)),
        ("Action", action),
        ("Resource", resource),
    ])
}

pub fn with(statement: Expr, key: &str, value: Expr) -> Expr {
    match statement {
        Expr::Map(mut m) => {
            m.insert(key.to_string(), value);
            Expr::Map(m)
        }
        other => other,
    }
}

/// `{"Service": "…"}` and friends.
pub fn service_principal(service: &str) -> Expr {
    Expr::map([("Service", Expr::str(service))])
}

/// Denies any request that does not use TLS (`aws:SecureTransport` false).
pub fn deny_insecure_transport(action: &str, resources: Vec<Expr>) -> Expr {
    let s = statement("Deny", &[action], resources);
    let s = with(s, "Principal", Expr::map([("AWS", Expr::str("*"))]));
    with(
        s,
        "Condition",
        Expr::map([(
            "Bool",
            Expr::map([("aws:SecureTransport", Expr::str("false"))]),
        )]),
    )
}

/// The trust policy of a role assumed by `principal`.
pub fn trust(principal: Expr) -> Expr {
    document(vec![Expr::map([
        ("Effect", Expr::str("Allow")),
        ("Principal", principal),
        ("Action", Expr::str("sts:AssumeRole")),
    ])])
}

impl Ctx<'_> {
    /// A DSL statement → policy JSON.
    pub fn statement(&self, s: &Statement, default_attr_for: bool) -> Result<Expr> {
        let actions: Vec<Expr> = s
            .actions
            .iter()
            .map(|a| Expr::str(a.text.as_str()))
            .collect();
        let mut resources = Vec::new();
        for r in &s.resources {
            resources.push(match r {
                Value::Path { segments } => {
                    let default = match self.scope.resolve(segments) {
                        Ok(t) if t.attr().is_none() && default_attr_for => {
                            t.kind().map(|k| k.arn_attr)
                        }
                        _ => None,
                    };
                    self.path(segments, default)?
                }
                other => self.expr(other)?,
            });
        }
        let effect = match s.effect {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        };
        let mut m = vec![
            ("Effect", Expr::str(effect)),
            (
                if s.not_actions { "NotAction" } else { "Action" },
                if actions.len() == 1 {
                    actions[0].clone()
                } else {
                    Expr::List(actions)
                },
            ),
            (
                if s.not_resources {
                    "NotResource"
                } else {
                    "Resource"
                },
                if resources.len() == 1 {
                    resources[0].clone()
                } else {
                    Expr::List(resources)
                },
            ),
        ];
        if let Some(p) = &s.principal {
            let key = if s.not_principal {
                "NotPrincipal"
            } else {
                "Principal"
            };
            m.push((key, self.principal(p)?));
        }
        if let Some(c) = &s.condition {
            m.push(("Condition", self.expr(c)?));
        }
        Ok(Expr::map(m))
    }

    pub fn principal(&self, v: &Value) -> Result<Expr> {
        match v {
            Value::Call { func, args } => {
                let arg = args
                    .first()
                    .map(|a| self.expr(a))
                    .transpose()?
                    .unwrap_or(Expr::str("*"));
                Ok(match func.text.as_str() {
                    "service" => Expr::map([("Service", arg)]),
                    _ => {
                        let arn = match arg {
                            Expr::Str(a) if !a.starts_with("arn:") => {
                                Expr::sub(format!("arn:${{AWS::Partition}}:iam::{a}:root"))
                            }
                            other => other,
                        };
                        Expr::map([("AWS", arn)])
                    }
                })
            }
            _ => Ok(Expr::map([("AWS", Expr::str("*"))])),
        }
    }

    /// The statements of a `allow: [...]` / `deny: [...]` property.
    pub fn statements(&self, fields: &[Field], key: &str) -> Result<Vec<Expr>> {
        let mut out = Vec::new();
        if let Some(Value::List { items, .. }) = field(fields, key) {
            for i in items {
                if let Value::Statement(s) = i {
                    out.push(self.statement(s, true)?);
                }
            }
        }
        Ok(out)
    }
}

/// Writes the gathered resource policies and DefaultPolicies.
pub fn finish(cx: &mut Ctx) {
    let policies = std::mem::take(&mut cx.resource_policies);
    for (id, statements) in policies {
        let Some(r) = cx.template.resources.get(&id) else {
            continue;
        };
        // A key's grants to services belong in its own key policy.
        if r.resource_type == "AWS::KMS::Key" {
            if let Some(Expr::Map(doc)) = cx
                .template
                .resources
                .get_mut(&id)
                .and_then(|r| r.properties.get_mut("KeyPolicy"))
            {
                if let Some(Expr::List(existing)) = doc.get_mut("Statement") {
                    existing.extend(statements);
                }
            }
            continue;
        }
        let (ty, target_key, target) = match r.resource_type.as_str() {
            "AWS::S3::Bucket" => ("AWS::S3::BucketPolicy", "Bucket", Expr::Ref(id.clone())),
            "AWS::SQS::Queue" => (
                "AWS::SQS::QueuePolicy",
                "Queues",
                Expr::list([Expr::Ref(id.clone())]),
            ),
            "AWS::SNS::Topic" => (
                "AWS::SNS::TopicPolicy",
                "Topics",
                Expr::list([Expr::Ref(id.clone())]),
            ),
            _ => continue,
        };
        let policy = Resource::new(ty)
            .prop(target_key, target)
            .prop("PolicyDocument", document(statements));
        cx.add(format!("{id}Policy"), policy);
    }
    let grants = std::mem::take(&mut cx.role_grants);
    for (role, statements) in grants {
        let policy = Resource::new("AWS::IAM::Policy")
            .prop("PolicyName", Expr::str(format!("{role}DefaultPolicy")))
            .prop("Roles", Expr::list([Expr::Ref(role.clone())]))
            .prop("PolicyDocument", document(statements));
        cx.add(format!("{role}DefaultPolicy"), policy);
    }
    for (resource, role) in std::mem::take(&mut cx.waits_for_grants) {
        let policy = format!("{role}DefaultPolicy");
        if cx.template.resources.contains_key(&policy) {
            if let Some(r) = cx.template.resources.get_mut(&resource) {
                r.depends_on.push(policy);
            }
        }
    }
}
