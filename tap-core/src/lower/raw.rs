//! Raw resources lower as written: CloudFormation's own type and property
//! names, with references turned into `Ref`/`Fn::GetAtt`/`Fn::Sub`.

use super::{Ctx, Result};
use crate::base::ir::*;
use crate::base::template::{RemovalPolicy, Resource};
use crate::model::raw::{RESOURCE_ATTRIBUTES, TEMPLATE_ATTRIBUTES};

pub(crate) fn lower(cx: &mut Ctx, id: &str, decl: &ResourceDecl) -> Result<()> {
    let Some(cfn_type) = crate::model::raw::cfn_type(&decl.kind.text) else {
        return super::err(decl.kind.loc, "not a raw resource type");
    };
    let mut r = Resource::new(&cfn_type);
    for f in &decl.fields {
        let key = f.key.text.as_str();
        if key == crate::base::ir::BECAUSE {
            continue;
        }
        match key {
            // A policy chosen at deploy time (`Fn::If`, a parameter) is
            // written as it is.
            "DeletionPolicy" | "UpdateReplacePolicy" => match (key, policy(&f.value)) {
                ("DeletionPolicy", Some(p)) => r.removal = Some(p),
                (_, Some(p)) => r.replace = Some(p),
                (_, None) => {
                    r.other.insert(key.to_string(), cx.expr(&f.value)?);
                }
            },
            "DependsOn" => {
                let items = match &f.value {
                    Value::List { items, .. } => items.iter().collect(),
                    one => vec![one],
                };
                r.depends_on
                    .extend(items.into_iter().filter_map(|v| cx.logical_name(v)));
            }
            _ if RESOURCE_ATTRIBUTES.iter().any(|(n, _)| *n == key) => {}
            _ if TEMPLATE_ATTRIBUTES.contains(&key) && !has_property(&cfn_type, key) => {
                match (key, &f.value) {
                    ("Condition", Value::Path { segments }) => {
                        r.condition = Some(path_text(segments));
                    }
                    ("Metadata", Value::Object { fields, .. }) => {
                        for m in fields {
                            r.metadata.insert(m.key.text.clone(), cx.expr(&m.value)?);
                        }
                    }
                    ("CreationPolicy", v) => r.creation_policy = Some(cx.expr(v)?),
                    ("UpdatePolicy", v) => r.update_policy = Some(cx.expr(v)?),
                    (crate::model::raw::OTHER_KEYS, Value::Object { fields, .. }) => {
                        for m in fields {
                            r.other.insert(m.key.text.clone(), cx.expr(&m.value)?);
                        }
                    }
                    _ => return super::err(f.key.loc, format!("`{key}` is not written so")),
                }
            }
            _ => {
                r.properties.insert(key.to_string(), cx.expr(&f.value)?);
            }
        }
    }
    cx.add(id, r);
    Ok(())
}

fn policy(v: &Value) -> Option<RemovalPolicy> {
    match v {
        Value::Str { text, .. } => match text.as_str() {
            "Retain" => Some(RemovalPolicy::Retain),
            "Delete" => Some(RemovalPolicy::Delete),
            "Snapshot" => Some(RemovalPolicy::Snapshot),
            "RetainExceptOnCreate" => Some(RemovalPolicy::RetainExceptOnCreate),
            // The checks accept only the values above.
            _ => None,
        },
        _ => None,
    }
}

/// Whether the type has a property of this name (then the key is the property).
fn has_property(cfn_type: &str, key: &str) -> bool {
    crate::data::cfn::catalog::schema(cfn_type).is_some_and(|s| s.properties.contains_key(key))
}
