//! Names: known kinds, no duplicate resources, logical IDs or export names,
//! stack parameters of a type a props struct can hold, and constructs whose
//! primary resource exists and whose names are either parameters or resources.

use crate::base::diag::{Diagnostic, Diagnostics};
use crate::base::ir::*;
use crate::base::naming::{display_name, logical_id};
use crate::model::kind::KindTable;
use crate::model::resolve::Scope;
use std::collections::BTreeMap;

pub fn check(stack: &StackDef, scope: &Scope, diags: &mut Diagnostics) {
    // A macro may make up types of its own (`AWS::S3::Object`).
    let macro_input = crate::rules::sections::expands_resources(stack);
    let mut seen: BTreeMap<&str, &Name> = BTreeMap::new();
    let mut ids: BTreeMap<String, &Name> = BTreeMap::new();
    for decl in stack.resources() {
        let cfn_type = crate::model::raw::cfn_type(&decl.kind.text);
        let sam = cfn_type.as_deref().is_some_and(crate::model::raw::is_sam);
        let in_catalog = cfn_type
            .as_deref()
            .is_some_and(|t| crate::data::cfn::catalog::schema(t).is_some());
        if sam
            && !crate::rules::sections::transforms(stack)
                .contains(&crate::model::raw::SAM_TRANSFORM)
        {
            diags.push(
                Diagnostic::new(
                    decl.kind.loc,
                    format!("`{}` is a type of SAM, which only its transform turns into CloudFormation's", decl.kind.text),
                )
                .help(format!("add `transform: \"{}\";` at the top of the stack", crate::model::raw::SAM_TRANSFORM)),
            );
        } else if cfn_type.is_some()
            && !in_catalog
            && !sam
            && !macro_input
            && !cfn_type
                .as_deref()
                .is_some_and(crate::model::raw::is_module)
        {
            diags.push(unknown_raw_type(&decl.kind));
        } else if let Some(gone) = scope
            .kinds
            .kind(&decl.kind.text)
            .and_then(crate::model::raw::schema_of)
            .and_then(|s| s.shut_down.as_deref())
        {
            // CloudFormation's registry still lists the type, so the template
            // validates; creating one fails.
            diags.push(
                Diagnostic::new(
                    decl.kind.loc,
                    format!(
                        "`{}`'s service was shut down by AWS on {gone}: CloudFormation can no longer create one",
                        decl.kind.text
                    ),
                )
                .help("AWS's list of shut-down services names the replacement: https://docs.aws.amazon.com/general/latest/gr/full_shutdown_services.html"),
            );
        } else if scope.kinds.kind(&decl.kind.text).is_none() && decl.kind.text.contains("::") {
            diags.push(
                Diagnostic::new(
                    decl.kind.loc,
                    format!("unknown resource kind `{}`", decl.kind.text),
                )
                .suggest(
                    &decl.kind.text,
                    scope.kinds.curated().iter().map(|k| k.name),
                ),
            );
        }
        if let Some(ty) = &cfn_type {
            other_keys(decl, ty, macro_input, diags);
        }
        if let Some(problem) =
            crate::data::cfn::limits::logical_id_problem(&logical_id(&decl.name.text))
        {
            let help = if problem.contains("letters and digits") {
                "name it with letters and digits only"
            } else {
                "give the resource a shorter name"
            };
            diags.push(Diagnostic::new(decl.name.loc, problem).help(help));
        }
        if seen.insert(&decl.name.text, &decl.name).is_some() {
            diags.push(
                Diagnostic::new(
                    decl.name.loc,
                    format!(
                        "`{}` is declared twice in this stack",
                        display_name(&decl.name.text)
                    ),
                )
                .help("give each resource its own name"),
            );
            continue;
        }
        if let Some(other) = ids.insert(logical_id(&decl.name.text), &decl.name) {
            diags.push(
                Diagnostic::new(
                    decl.name.loc,
                    format!(
                        "`{}` and `{}` both get the logical ID `{}`",
                        display_name(&decl.name.text),
                        display_name(&other.text),
                        logical_id(&decl.name.text)
                    ),
                )
                .help("rename one of them"),
            );
        }
        if scope.params.contains_key(decl.name.text.as_str()) {
            diags.error(
                decl.name.loc,
                format!("`{}` is both a parameter and a resource", decl.name.text),
            );
        }
        if let Some(p) = &decl.unless_param {
            match scope.params.get(p.text.as_str()) {
                None => diags.push(
                    Diagnostic::new(
                        p.loc,
                        format!("cannot find parameter `{}` of this stack", p.text),
                    )
                    .suggest(&p.text, scope.params.keys().copied()),
                ),
                Some(param) => {
                    if !param.optional {
                        diags.push(Diagnostic::new(p.loc, format!("parameter `{}` is always given, so the resource after `or` is never created", p.text)).help(format!("declare it `{}: Option<…>`", p.text)));
                    }
                    if param.ty != ParamType::Kind(decl.kind.text.clone())
                        && scope.kinds.kind(&decl.kind.text).is_some()
                    {
                        diags.error(
                            p.loc,
                            format!(
                                "parameter `{}` is {}, but the resource after `or` is a `{}`",
                                p.text,
                                param.ty.describe(),
                                decl.kind.text
                            ),
                        );
                    }
                }
            }
        }
    }
    let mut outputs: BTreeMap<&str, &Name> = BTreeMap::new();
    let mut exports: BTreeMap<&str, &Name> = BTreeMap::new();
    for out in stack.outputs() {
        if outputs.insert(&out.name.text, &out.name).is_some() {
            diags.error(
                out.name.loc,
                format!("output `{}` is declared twice", out.name.text),
            );
        }
        // An output may share a resource's logical ID: CloudFormation keeps
        // `Outputs` and `Resources` apart (`Outputs.Bucket` of `Bucket`).
        if let Some(Value::Str { text, loc }) = field(&out.fields, "export") {
            if let Some(first) = exports.insert(text, &out.name) {
                diags.push(
                    Diagnostic::new(
                        *loc,
                        format!(
                            "export name `{text}` is already used by output `{}`",
                            first.text
                        ),
                    )
                    .help("export names are unique per region and account"),
                );
            }
        }
    }
    for p in &stack.params {
        if let ParamType::Kind(k) = &p.ty {
            if scope.kinds.kind(k).is_none() {
                diags.push(
                    Diagnostic::new(p.ty_loc, format!("unknown resource kind `{k}`"))
                        .suggest(k, scope.kinds.curated().iter().map(|k| k.name)),
                );
                continue;
            }
        }
        if !stack_param_type(&p.ty, scope.kinds, true) {
            diags.error(
                p.ty_loc,
                format!("a stack parameter cannot be {}: use `Str`, `Int`, `Bool`, `Duration`, a resource kind, or a list of one of them", p.ty.describe()),
            );
        }
    }
}

/// `Attributes: { Count: 3 }`: keys beside `Properties` are a macro's to
/// read; without one, CloudFormation refuses all but the old `Version`.
fn other_keys(decl: &ResourceDecl, cfn_type: &str, macro_input: bool, diags: &mut Diagnostics) {
    use crate::model::raw::{LEGACY_KEYS, OTHER_KEYS};
    let has_property = crate::data::cfn::catalog::schema(cfn_type)
        .is_some_and(|s| s.properties.contains_key(OTHER_KEYS));
    let block = decl
        .fields
        .iter()
        .find(|f| f.key.text == OTHER_KEYS && !has_property);
    let Some(Value::Object { fields, .. }) = block.map(|f| &f.value) else {
        return;
    };
    for f in fields {
        let key = f.key.text.as_str();
        if crate::model::raw::RESOURCE_ATTRIBUTES
            .iter()
            .any(|(n, _)| *n == key)
            || crate::model::raw::TEMPLATE_ATTRIBUTES.contains(&key)
            || key == "Type"
            || key == "Properties"
        {
            diags.error(
                f.key.loc,
                format!("`{key}` is written beside the properties, not in `{OTHER_KEYS}`"),
            );
        } else if !macro_input && !LEGACY_KEYS.contains(&key) {
            diags.push(
                Diagnostic::new(
                    f.key.loc,
                    format!("CloudFormation reads no resource key `{key}`: only a macro does"),
                )
                .help("name the macro that reads it in the stack's `transform`, or remove the key"),
            );
        }
    }
}

/// `cfn::DynamoDB::Tabel`: did you mean a type of the same service, or the
/// service spelt right?
fn unknown_raw_type(kind: &Name) -> Diagnostic {
    let names = crate::model::raw::names();
    let d = Diagnostic::new(
        kind.loc,
        format!(
            "`{}` is not a CloudFormation resource type (`{}`)",
            kind.text,
            crate::model::raw::cfn_type(&kind.text).unwrap_or_default()
        ),
    );
    match crate::base::diag::did_you_mean(&kind.text, names.iter().map(String::as_str)) {
        Some(s) => d.help(format!("did you mean `{s}`?")),
        None => d.help(format!(
            "raw types are written `cfn::Service::Type`, as in `AWS::Service::Type` ({} types: {})",
            names.len(),
            crate::data::cfn::catalog::source()
        )),
    }
}

/// Whether a stack's parameter has a type its props struct can give: a
/// scalar, a curated kind (a typed reference; raw kinds have no marker yet),
/// or a list of one of them.
fn stack_param_type(ty: &ParamType, kinds: &dyn KindTable, top: bool) -> bool {
    match ty {
        ParamType::Str | ParamType::Int | ParamType::Bool | ParamType::Duration => true,
        ParamType::Kind(k) => kinds.kind(k).is_some_and(|k| k.marker(None).is_some()),
        ParamType::List(t) if top => stack_param_type(t, kinds, false),
        ParamType::List(_) | ParamType::Any => false,
    }
}

/// A construct's definition on its own: its primary resource is one of its
/// resources, and no name is both a parameter and a resource.
pub fn construct(def: &ConstructDef, diags: &mut Diagnostics) {
    let resource = |name: &str| {
        def.items
            .iter()
            .any(|i| matches!(i, Item::Resource(r) if r.name.text == name))
    };
    if !resource(&def.primary.text) {
        diags.error(
            def.primary.loc,
            format!("the construct has no resource named `{}`", def.primary.text),
        );
    }
    for p in &def.params {
        if resource(&p.name.text) {
            diags.error(
                p.name.loc,
                format!("`{}` is both a parameter and a resource", p.name.text),
            );
        }
    }
}
