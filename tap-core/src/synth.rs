//! Synthesis: the checked stack → a CloudFormation [`Template`].
//!
//! Each kind expands into one or more CloudFormation resources (a bucket brings
//! its bucket policy, a function its log group, an alias its version, a pipeline
//! its artifact bucket, key, roles and trigger). Resource policies and the
//! grants tap adds to a role on its own (`<Role>DefaultPolicy`, as the AWS CDK
//! does) are gathered while expanding and written at the end.

pub use crate::lower::shared::{AUTO_DELETE_OBJECTS, STACK_ID_TAG};
pub use crate::lower::{Result, SynthError};
pub use crate::model::bindings::{
    asset_bucket, asset_bucket_for, AssetLocation, AssetResolver, Bindings, Bound, Handle,
    PlaceholderAssets,
};

use crate::base::ir::*;
use crate::base::naming::logical_id;
use crate::base::template::{Expr, Output, Template};
use crate::kinds;
use crate::lower::{err, policy, Ctx};
use crate::model::resolve::Scope;
use crate::model::resolved::Resolved;
use std::collections::{BTreeMap, BTreeSet};

/// Lowers a checked stack into its template. A [`Resolved`] is made only by
/// the checks, so nothing here judges the stack again.
pub fn lower(model: &Resolved, assets: &dyn AssetResolver) -> Result<Template> {
    // Parameters' values are in place: what follows lowers literals and references only.
    let (stack, bindings) = (model.stack(), model.bindings());
    let mut cx = Ctx {
        scope: Scope::new(stack, &kinds::Table),
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
    decls.sort_by_key(|d| kinds::kind(&d.kind.text).map_or(0, |k| k.phase));
    for decl in decls {
        let id = logical_id(&decl.name.text);
        // Only a declaration with accepted findings needs to know what it
        // expanded into: taking the keys for every one made synthesis
        // quadratic (a 500-resource stack spent most of its time here).
        let before: Option<BTreeSet<String>> = field(&decl.fields, BECAUSE)
            .is_some()
            .then(|| cx.template.resources.keys().cloned().collect());
        // One path for every kind: its own lowering, from its file in `kinds/`.
        match kinds::curated(&decl.kind.text) {
            Some(curated) => curated.lower(&mut cx, &id, decl)?,
            None if crate::model::raw::is_raw(&decl.kind.text) => {
                crate::lower::raw::lower(&mut cx, &id, decl)?
            }
            None => {
                return err(
                    decl.kind.loc,
                    format!("unknown resource kind `{}`", decl.kind.text),
                )
            }
        }
        // What this declaration expanded into: the resource and its companions.
        if let Some(before) = before {
            let made: Vec<String> = cx
                .template
                .resources
                .keys()
                .filter(|k| !before.contains(*k))
                .cloned()
                .collect();
            accepted_findings(&mut cx, &made, decl);
        }
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
    sections(&mut cx, stack)?;
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
        let condition = match field(&out.fields, "condition") {
            Some(Value::Path { segments }) => Some(path_text(segments)),
            _ => None,
        };
        cx.template.outputs.insert(
            out.name.text.clone(),
            Output {
                value,
                description,
                export_name,
                condition,
            },
        );
    }
    Ok(cx.template)
}

/// Deploy-time parameters, mappings, conditions and rules, as written, and
/// the transform.
fn sections(cx: &mut Ctx, stack: &StackDef) -> Result<()> {
    for e in stack.items.iter().filter_map(|i| match i {
        Item::Section(e) => Some(e),
        _ => None,
    }) {
        let value = match e.section {
            Section::Condition => cx.condition_operand(&e.value)?,
            _ => cx.expr(&e.value)?,
        };
        let section = match e.section {
            Section::Parameter => &mut cx.template.parameters,
            Section::Mapping => &mut cx.template.mappings,
            Section::Condition => &mut cx.template.conditions,
            Section::Rule => &mut cx.template.rules,
        };
        section.insert(e.name.text.clone(), value);
    }
    if let Some(t) = field(&stack.settings, crate::rules::sections::TRANSFORM) {
        cx.template.transform = Some(cx.expr(t)?);
    }
    if let Some(Value::Str { text, .. }) =
        field(&stack.settings, crate::rules::sections::DESCRIPTION)
    {
        cx.template.description = Some(text.clone());
    }
    if let Some(g) = field(&stack.settings, crate::rules::sections::GLOBALS) {
        cx.template.globals = Some(cx.expr(g)?);
    }
    if let Some(Value::Object { fields, .. }) =
        field(&stack.settings, crate::rules::sections::METADATA)
    {
        for f in fields {
            let value = cx.expr(&f.value)?;
            cx.template.metadata.insert(f.key.text.clone(), value);
        }
    }
    Ok(())
}

/// `because: { CKV_AWS_117: "…" }` → checkov's skip metadata on the resource
/// and the companions it brings (a function's log group), so a scanner in the
/// user's own CI agrees with the reasons in the source.
fn accepted_findings(cx: &mut Ctx, made: &[String], decl: &ResourceDecl) {
    let Some(Value::Object { fields, .. }) = field(&decl.fields, BECAUSE) else {
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
