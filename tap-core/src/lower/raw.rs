//! Raw resources lower as written: CloudFormation's own type and property
//! names, with references turned into `Ref`/`Fn::GetAtt`/`Fn::Sub`.

use super::{Ctx, Result};
use crate::base::ir::*;
use crate::base::template::{RemovalPolicy, Resource};
use crate::model::raw::RESOURCE_ATTRIBUTES;

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
            "DeletionPolicy" => r.removal = policy(&f.value),
            "UpdateReplacePolicy" => r.replace = policy(&f.value),
            "DependsOn" => {
                let items = match &f.value {
                    Value::List { items, .. } => items.iter().collect(),
                    one => vec![one],
                };
                r.depends_on
                    .extend(items.into_iter().filter_map(|v| cx.local_id(v)));
            }
            _ if RESOURCE_ATTRIBUTES.iter().any(|(n, _)| *n == key) => {}
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
