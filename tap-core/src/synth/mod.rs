//! Synthesis: the checked stack → a CloudFormation [`Template`].
//!
//! Each kind expands into one or more CloudFormation resources (a bucket brings
//! its bucket policy, a function its log group, an alias its version, a pipeline
//! its artifact bucket, key, roles and trigger). Resource policies and the
//! grants tap adds to a role on its own (`<Role>DefaultPolicy`, as the AWS CDK
//! does) are gathered while expanding and written at the end.

pub(crate) mod policy;
pub(crate) mod raw;
pub(crate) mod shared;
pub use shared::{AUTO_DELETE_OBJECTS, STACK_ID_TAG};
mod values;

use crate::constructs::logical_id;
use crate::diag::Loc;
use crate::ir::*;
use crate::resolve::Scope;
use crate::template::{Expr, Output, Resource, Template};
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
    /// A bucket known by its name (a literal, or an import of another stack's export).
    pub fn bucket(name: Expr) -> Handle {
        let mut vars = BTreeMap::new();
        vars.insert("BucketName".to_string(), name.clone());
        let arn = Expr::Sub(
            "arn:${AWS::Partition}:s3:::${BucketName}".into(),
            vars.clone(),
        );
        let objects = Expr::Sub("arn:${AWS::Partition}:s3:::${BucketName}/*".into(), vars);
        Handle {
            kind: "s3::Bucket".into(),
            attrs: [
                ("name".to_string(), name),
                ("arn".into(), arn),
                ("objects".into(), objects),
            ]
            .into(),
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
    pub fn placeholders(stack: &StackDef) -> Bindings {
        let mut b = Bindings::default();
        for p in stack.params.iter().filter(|p| !p.optional) {
            let value = match &p.ty {
                ParamType::Int => Bound::Int(0),
                ParamType::Bool => Bound::Bool(false),
                ParamType::Duration => Bound::Duration(60),
                ParamType::List(_) => Bound::List(Vec::new()),
                ParamType::Kind(k) if k == "s3::Bucket" => {
                    let mut h = Handle::bucket(Expr::str("placeholder"));
                    // A bucket from another stack may come with its key.
                    h.attrs.insert("key".into(), Expr::str("placeholder"));
                    Bound::Resource(h)
                }
                ParamType::Kind(k) => Bound::Resource(Handle {
                    kind: k.clone(),
                    attrs: crate::kinds::kind(k)
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

#[derive(Debug, Clone, PartialEq)]
pub struct SynthError {
    pub loc: Loc,
    pub message: String,
}

impl std::fmt::Display for SynthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for SynthError {}

pub(crate) type Result<T> = std::result::Result<T, SynthError>;

pub(crate) fn err<T>(loc: Loc, message: impl Into<String>) -> Result<T> {
    Err(SynthError {
        loc,
        message: message.into(),
    })
}

pub(crate) struct Ctx<'a> {
    pub scope: Scope<'a>,
    pub bindings: &'a Bindings,
    pub assets: &'a dyn AssetResolver,
    pub template: Template,
    /// Resource-policy statements by the logical ID of the bucket, queue or topic.
    pub resource_policies: BTreeMap<String, Vec<Expr>>,
    /// Statements tap adds to a role (written as `<Role>DefaultPolicy`).
    pub role_grants: BTreeMap<String, Vec<Expr>>,
    /// Resources that must wait for a role's DefaultPolicy: (resource, role).
    pub waits_for_grants: Vec<(String, String)>,
    /// Logical IDs written twice: a declaration named like another's companion.
    pub collisions: Vec<String>,
}

impl<'a> Ctx<'a> {
    pub fn add(&mut self, id: impl Into<String>, r: Resource) {
        let id = id.into();
        if self.template.resources.contains_key(&id) {
            self.collisions.push(id.clone());
        }
        self.template.resources.insert(id, r);
    }

    /// Whether a declaration is replaced by a bound parameter (`param or kind { … }`).
    pub fn is_replaced(&self, decl: &ResourceDecl) -> bool {
        decl.unless_param
            .as_ref()
            .is_some_and(|p| self.bindings.0.contains_key(&p.text))
    }

    pub fn grant(&mut self, role_id: &str, statement: Expr) {
        let list = self.role_grants.entry(role_id.to_string()).or_default();
        if !list.contains(&statement) {
            list.push(statement);
        }
    }

    pub fn resource_policy(&mut self, id: &str, statement: Expr) {
        let list = self.resource_policies.entry(id.to_string()).or_default();
        if !list.contains(&statement) {
            list.push(statement);
        }
    }
}

/// Lowers a checked stack into its template. A [`crate::check::Resolved`] is
/// made only by the checks, so nothing here judges the stack again.
pub fn lower(model: &crate::check::Resolved, assets: &dyn AssetResolver) -> Result<Template> {
    // Parameters' values are in place: what follows lowers literals and references only.
    let (stack, bindings) = (model.stack(), model.bindings());
    let mut cx = Ctx {
        scope: Scope::new(stack),
        bindings,
        assets,
        template: Template {
            description: stack.description.clone(),
            ..Template::default()
        },
        resource_policies: BTreeMap::new(),
        role_grants: BTreeMap::new(),
        waits_for_grants: Vec::new(),
        collisions: Vec::new(),
    };
    // Expansion order: what later kinds read (a function's version, a project's
    // role) is in the template by the time they run.
    let mut decls: Vec<&ResourceDecl> = stack.resources().filter(|d| !cx.is_replaced(d)).collect();
    decls.sort_by_key(|d| crate::kinds::kind(&d.kind.text).map_or(0, |k| k.phase));
    for decl in decls {
        let id = logical_id(&decl.name.text);
        let before: Vec<String> = cx.template.resources.keys().cloned().collect();
        // One path for every kind: its own lowering, from its file in `kinds/`.
        let Some(kind) = crate::kinds::kind(&decl.kind.text) else {
            return err(
                decl.kind.loc,
                format!("unknown resource kind `{}`", decl.kind.text),
            );
        };
        (kind.lower)(&mut cx, &id, decl)?;
        // What this declaration expanded into: the resource and its companions.
        let made: Vec<String> = cx
            .template
            .resources
            .keys()
            .filter(|k| !before.contains(k))
            .cloned()
            .collect();
        accepted_findings(&mut cx, &made, decl);
    }
    policy::finish(&mut cx);
    // A companion's logical ID (`DataPolicy`, `FnLogGroup`) taken by a
    // declaration: one of the two would silently replace the other.
    if let Some(id) = cx.collisions.first() {
        let decl = stack.resources().find(|d| logical_id(&d.name.text) == *id);
        return err(
            decl.map_or(stack.name.loc, |d| d.name.loc),
            format!(
                "`{}` has the logical ID `{id}`, which tap also gives a resource it adds for another declaration (a bucket's policy, a function's log group, a role's default policy)",
                decl.map_or(id.as_str(), |d| d.name.text.as_str())
            ),
        );
    }
    for out in stack.outputs() {
        let value = match field(&out.fields, "value") {
            Some(v) => cx.expr(v)?,
            None => {
                return err(
                    out.name.loc,
                    format!("output `{}` needs a value", out.name.text),
                )
            }
        };
        let description = match field(&out.fields, "description") {
            Some(Value::Str { text, .. }) => Some(text.clone()),
            _ => None,
        };
        let export_name = field(&out.fields, "export")
            .map(|v| cx.expr(v))
            .transpose()?;
        cx.template.outputs.insert(
            out.name.text.clone(),
            Output {
                value,
                description,
                export_name,
                condition: None,
            },
        );
    }
    Ok(cx.template)
}

/// `because: { CKV_AWS_117: "…" }` → checkov's skip metadata on the resource
/// and the companions it brings (a function's log group), so a scanner in the
/// user's own CI agrees with the reasons in the source.
fn accepted_findings(cx: &mut Ctx, made: &[String], decl: &ResourceDecl) {
    let Some(Value::Object { fields, .. }) = field(&decl.fields, crate::check::BECAUSE) else {
        return;
    };
    let skips: Vec<Expr> = fields
        .iter()
        .filter_map(|f| match &f.value {
            Value::Str { text, .. } => Some(Expr::map([
                ("id", Expr::str(f.key.text.as_str())),
                ("comment", Expr::str(text.as_str())),
            ])),
            _ => None,
        })
        .collect();
    for id in made {
        if let Some(r) = cx.template.resources.get_mut(id) {
            r.metadata.insert(
                "checkov".into(),
                Expr::map([("skip", Expr::List(skips.clone()))]),
            );
        }
    }
}
