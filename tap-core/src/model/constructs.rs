//! Inlining user-written constructs: a construct use `data = SecureBucket { … }`
//! becomes the construct's resources, its parameters replaced by the arguments.
//! The primary resource takes the instance's name (`data`), the others
//! `data/key`, whose logical IDs are `Data` and `DataKey`.

use crate::base::diag::{Diagnostic, Diagnostics};
use crate::base::ir::*;
use crate::model::kind::KindTable;
use std::collections::BTreeMap;

const MAX_DEPTH: usize = 8;

/// The stack with every construct use replaced by the resources it stands for.
pub fn inline(
    stack: &StackDef,
    constructs: &[ConstructDef],
    kinds: &dyn KindTable,
    diags: &mut Diagnostics,
) -> StackDef {
    let mut items = Vec::new();
    for item in &stack.items {
        match item {
            Item::Resource(decl) => {
                inline_decl(decl, constructs, kinds, &stack.params, diags, 0, &mut items)
            }
            Item::Output(_) | Item::Section(_) => items.push(item.clone()),
        }
    }
    StackDef {
        name: stack.name.clone(),
        description: stack.description.clone(),
        params: stack.params.clone(),
        items,
        settings: stack.settings.clone(),
    }
}

pub fn is_construct_name(kind: &str) -> bool {
    !kind.contains("::")
}

fn inline_decl(
    decl: &ResourceDecl,
    constructs: &[ConstructDef],
    kinds: &dyn KindTable,
    stack_params: &[Param],
    diags: &mut Diagnostics,
    depth: usize,
    out: &mut Vec<Item>,
) {
    if !is_construct_name(&decl.kind.text) {
        out.push(Item::Resource(decl.clone()));
        return;
    }
    let Some(def) = constructs.iter().find(|c| c.name.text == decl.kind.text) else {
        // The macro only gets here when the construct's macro resolved, so this is a
        // run-time use with a missing definition, or a kind without its `service::`.
        diags.push(
            Diagnostic::new(
                decl.kind.loc,
                format!("unknown resource kind or construct `{}`", decl.kind.text),
            )
            .suggest(&decl.kind.text, kinds.curated().iter().map(|k| k.name)),
        );
        return;
    };
    if depth >= MAX_DEPTH {
        diags.error(
            decl.kind.loc,
            format!(
                "construct `{}` is nested more than {MAX_DEPTH} deep (does it use itself?)",
                def.name.text
            ),
        );
        return;
    }

    // Arguments: every field must be a parameter; every required parameter given.
    let mut args: BTreeMap<&str, &Value> = BTreeMap::new();
    for f in &decl.fields {
        if def.params.iter().any(|p| p.name.text == f.key.text) {
            if args.insert(&f.key.text, &f.value).is_some() {
                diags.error(f.key.loc, format!("`{}` is given twice", f.key.text));
            }
        } else {
            diags.push(
                Diagnostic::new(
                    f.key.loc,
                    format!(
                        "construct `{}` has no parameter `{}`",
                        def.name.text, f.key.text
                    ),
                )
                .suggest(&f.key.text, def.params.iter().map(|p| p.name.text.as_str()))
                .or_help(format!("its parameters are: {}", param_list(&def.params))),
            );
        }
    }
    for p in &def.params {
        // `p: Option<T> = value`: the default stands in for an absent argument.
        if let (Some(d), false) = (&p.default, args.contains_key(p.name.text.as_str())) {
            args.insert(&p.name.text, d);
        }
        // A required parameter set from an optional stack parameter would be
        // missing whenever that is not given.
        if let (false, Some(Value::Path { segments })) =
            (p.optional, args.get(p.name.text.as_str()))
        {
            if let Some(sp) = segments
                .first()
                .and_then(|h| stack_params.iter().find(|sp| sp.name.text == h.text))
                .filter(|sp| sp.may_be_absent())
            {
                diags.push(
                    Diagnostic::new(
                        segments[0].loc,
                        format!(
                            "construct `{}` needs `{}`, but stack parameter `{}` is optional",
                            def.name.text, p.name.text, sp.name.text
                        ),
                    )
                    .help(crate::model::params::absent_help(sp)),
                );
            }
        }
        if !p.optional && !args.contains_key(p.name.text.as_str()) {
            diags.error(
                decl.kind.loc,
                format!(
                    "construct `{}` needs `{}: {}`",
                    def.name.text,
                    p.name.text,
                    p.ty.describe()
                ),
            );
        }
    }

    let inner_names: Vec<&str> = def
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Resource(r) => Some(r.name.text.as_str()),
            _ => None,
        })
        .collect();
    let rename = |inner: &str| -> String {
        if inner == def.primary.text {
            decl.name.text.clone()
        } else {
            format!("{}/{}", decl.name.text, inner)
        }
    };
    let subst = Subst {
        args: &args,
        params: &def.params,
        inner: &inner_names,
        rename: &rename,
    };

    let mut expanded = Vec::new();
    for item in &def.items {
        let Item::Resource(inner) = item else {
            continue;
        };
        let fields = inner
            .fields
            .iter()
            .filter_map(|f| {
                subst.value(&f.value, diags).map(|value| Field {
                    key: f.key.clone(),
                    value,
                })
            })
            .collect();
        let name = Name::new(
            rename(&inner.name.text),
            if inner.name.text == def.primary.text {
                decl.name.loc
            } else {
                inner.name.loc
            },
        );
        let unless_param = decl
            .unless_param
            .clone()
            .or_else(|| inner.unless_param.clone());
        let inner_decl = ResourceDecl {
            name,
            kind: inner.kind.clone(),
            fields,
            unless_param,
        };
        inline_decl(
            &inner_decl,
            constructs,
            kinds,
            stack_params,
            diags,
            depth + 1,
            &mut expanded,
        );
    }
    out.extend(expanded);
}

fn param_list(params: &[Param]) -> String {
    params
        .iter()
        .map(|p| format!("`{}`", p.name.text))
        .collect::<Vec<_>>()
        .join(", ")
}

trait OrHelp {
    fn or_help(self, help: String) -> Self;
}
impl OrHelp for Diagnostic {
    fn or_help(self, help: String) -> Self {
        if self.help.is_some() {
            self
        } else {
            self.help(help)
        }
    }
}

struct Subst<'a> {
    args: &'a BTreeMap<&'a str, &'a Value>,
    params: &'a [Param],
    inner: &'a [&'a str],
    rename: &'a dyn Fn(&str) -> String,
}

impl Subst<'_> {
    /// The value with parameters replaced; `None` when it names an optional parameter not given.
    fn value(&self, v: &Value, diags: &mut Diagnostics) -> Option<Value> {
        Some(match v {
            Value::Path { segments } => {
                let head = segments.first()?;
                if let Some(arg) = self.args.get(head.text.as_str()) {
                    return self.splice(arg, &segments[1..], diags);
                }
                if self.inner.contains(&head.text.as_str()) {
                    let mut segments = segments.clone();
                    segments[0] = Name::new((self.rename)(&head.text), head.loc);
                    return Some(Value::Path { segments });
                }
                if self.is_absent_param(&head.text) {
                    return None;
                }
                v.clone()
            }
            Value::Str { text, loc } => Value::Str {
                text: self.string(text),
                loc: *loc,
            },
            Value::Call { func, args } => Value::Call {
                func: func.clone(),
                args: args.iter().filter_map(|a| self.value(a, diags)).collect(),
            },
            Value::List { items, loc } => Value::List {
                items: items.iter().filter_map(|a| self.value(a, diags)).collect(),
                loc: *loc,
            },
            Value::Object { tag, fields, loc } => Value::Object {
                tag: tag.clone(),
                fields: fields
                    .iter()
                    .filter_map(|f| {
                        self.value(&f.value, diags).map(|value| Field {
                            key: f.key.clone(),
                            value,
                        })
                    })
                    .collect(),
                loc: *loc,
            },
            Value::Statement(s) => {
                let mut s = (**s).clone();
                s.resources = s
                    .resources
                    .iter()
                    .filter_map(|r| self.value(r, diags))
                    .collect();
                s.principal = s.principal.as_ref().and_then(|p| self.value(p, diags));
                s.condition = s.condition.as_ref().and_then(|c| self.value(c, diags));
                Value::Statement(Box::new(s))
            }
            Value::Int { .. } | Value::Bool { .. } | Value::Float { .. } => v.clone(),
        })
    }

    /// An optional parameter that was not given: the property using it is left out,
    /// so the resource's own default applies.
    fn is_absent_param(&self, name: &str) -> bool {
        self.params.iter().any(|p| p.name.text == name) && !self.args.contains_key(name)
    }

    fn splice(&self, arg: &Value, rest: &[Name], diags: &mut Diagnostics) -> Option<Value> {
        if rest.is_empty() {
            return Some(arg.clone());
        }
        match arg {
            Value::Path { segments } => {
                let mut segments = segments.clone();
                segments.extend(rest.iter().cloned());
                Some(Value::Path { segments })
            }
            other => {
                diags.error(
                    rest[0].loc,
                    format!(
                        "`{}` is {}, which has no attribute `{}`",
                        rest[0].text,
                        other.describe(),
                        rest[0].text
                    ),
                );
                None
            }
        }
    }

    /// `${param}` → the argument's text; `${inner.attr}` → `${instance/inner.attr}`.
    fn string(&self, text: &str) -> String {
        let replaced: Result<String, std::convert::Infallible> =
            crate::base::template::replace_vars(text, |var| {
                let (head, tail) = match var.split_once('.') {
                    Some((h, t)) => (h, Some(t)),
                    None => (var, None),
                };
                let renamed = match (self.args.get(head), tail) {
                    (Some(Value::Str { text, .. }), None) => return Ok(text.clone()),
                    (Some(Value::Int { value, .. }), None) => return Ok(value.to_string()),
                    (Some(Value::Path { segments }), _) => path_text(segments),
                    _ if self.inner.contains(&head) => (self.rename)(head),
                    _ => head.to_string(),
                };
                Ok(match tail {
                    Some(t) => format!("${{{renamed}.{t}}}"),
                    None => format!("${{{renamed}}}"),
                })
            });
        match replaced {
            Ok(s) => s,
            Err(never) => match never {},
        }
    }
}

pub use crate::base::naming::{display_name, logical_id};
