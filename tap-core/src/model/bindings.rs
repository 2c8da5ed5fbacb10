//! What a stack is given at run time: the values of its parameters (a
//! resource from elsewhere is a [`Handle`] of its attributes), and where its
//! code assets are uploaded.

use crate::base::ir::*;
use crate::base::template::Expr;
use crate::model::kind::{Kind, KindTable};
use std::collections::BTreeMap;

/// A value given for a stack parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Bound {
    Str(String),
    Int(i64),
    Bool(bool),
    /// A `Duration`, in seconds.
    Duration(u64),
    /// A list parameter's elements.
    List(Vec<Bound>),
    Resource(Handle),
}

/// A resource that lives outside this stack, by its attributes (`name`, `arn`, …).
#[derive(Debug, Clone, PartialEq)]
pub struct Handle {
    pub kind: String,
    pub attrs: BTreeMap<String, Expr>,
}

impl Handle {
    /// A resource known by what its `Ref` returns (a bucket by its name: a
    /// literal, or an import of another stack's export), with the attributes
    /// that follow from it ([`Kind::from_ref`]).
    pub fn from_ref(kind: &Kind, value: Expr) -> Handle {
        let mut attrs = BTreeMap::new();
        if let Some(f) = kind.from_ref {
            let vars: BTreeMap<String, Expr> = [(f.var.to_string(), value.clone())].into();
            for (name, template) in f.attrs {
                attrs.insert(
                    name.to_string(),
                    Expr::Sub(template.to_string(), vars.clone()),
                );
            }
            attrs.insert(f.ref_attr.to_string(), value);
        }
        Handle {
            kind: kind.name.to_string(),
            attrs,
        }
    }
}

/// The parameter values a stack is synthesised with.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bindings(pub BTreeMap<String, Bound>);

impl Bindings {
    pub fn set(&mut self, name: &str, value: Bound) {
        self.0.insert(name.to_string(), value);
    }

    /// Stand-ins for the required parameters, to synthesise a stack for checking.
    pub fn placeholders(stack: &StackDef, kinds: &dyn KindTable) -> Bindings {
        let mut b = Bindings::default();
        for p in stack.params.iter().filter(|p| !p.optional) {
            let value = match &p.ty {
                ParamType::Int => Bound::Int(0),
                ParamType::Bool => Bound::Bool(false),
                ParamType::Duration => Bound::Duration(60),
                ParamType::List(_) => Bound::List(Vec::new()),
                ParamType::Kind(k) if kinds.kind(k).is_some_and(|k| k.from_ref.is_some()) => {
                    let Some(kind) = kinds.kind(k) else { continue };
                    let mut h = Handle::from_ref(kind, Expr::str("placeholder"));
                    // A bucket from another stack may come with its key.
                    if let Some(m) = kind.key_markers {
                        h.attrs.insert(m.key_attr.into(), Expr::str("placeholder"));
                    }
                    Bound::Resource(h)
                }
                ParamType::Kind(k) => Bound::Resource(Handle {
                    kind: k.clone(),
                    attrs: kinds
                        .kind(k)
                        .map(|kind| {
                            kind.attrs
                                .iter()
                                .map(|a| (a.name.to_string(), Expr::str("placeholder")))
                                .collect()
                        })
                        .unwrap_or_default(),
                }),
                _ => Bound::Str("placeholder".into()),
            };
            b.set(&p.name.text, value);
        }
        b
    }
}

/// Where a code asset is uploaded.
#[derive(Debug, Clone, PartialEq)]
pub struct AssetLocation {
    pub bucket: Expr,
    pub key: String,
}

/// Stages code assets: maps `asset("lambda")` to its bucket and key.
pub trait AssetResolver {
    fn locate(&self, path: &str) -> std::result::Result<AssetLocation, String>;
}

/// For checking only: every asset at a fixed placeholder key.
pub struct PlaceholderAssets;

impl AssetResolver for PlaceholderAssets {
    fn locate(&self, _path: &str) -> std::result::Result<AssetLocation, String> {
        Ok(AssetLocation {
            bucket: asset_bucket(),
            key: "placeholder.zip".into(),
        })
    }
}

/// The bucket `tap bootstrap` creates for assets in each account and region.
pub fn asset_bucket() -> Expr {
    asset_bucket_for(None)
}

/// The asset bucket of the toolkit with this qualifier (`tap bootstrap --qualifier`).
pub fn asset_bucket_for(qualifier: Option<&str>) -> Expr {
    match qualifier {
        Some(q) => Expr::sub(format!(
            "tap-assets-{q}-${{AWS::AccountId}}-${{AWS::Region}}"
        )),
        None => Expr::sub("tap-assets-${AWS::AccountId}-${AWS::Region}"),
    }
}
