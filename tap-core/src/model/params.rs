//! Stack parameters in the positions they are used.
//!
//! Binding substitutes each parameter's value into the definition: a `Str`,
//! `Int`, `Bool`, `Duration` or a list of them becomes the literal it stands
//! for, at the place it is used, and a `${param}` interpolation becomes text.
//! So the checks judge a bound value exactly as they judge a literal written
//! in its place, and synthesis only ever lowers plain values. A parameter of a
//! resource kind stays a reference, which synthesis resolves through its
//! handle; a list of them becomes one reference per element.
//!
//! An optional parameter that is not given takes its default (`p: Option<Int>
//! = 512`), or else leaves out what uses it: the property (so the resource's
//! own default applies), the list item, the call, the grant's resource. Where
//! nothing can be left out (a required property, an interpolation) the
//! compile-time check below refuses it.

use crate::base::diag::{Diagnostic, Diagnostics, Loc};
use crate::base::ir::*;
use crate::base::template::sub_variables;
use crate::model::bindings::{Bindings, Bound};
use crate::model::resolve::{interpolation_path, Scope};
use std::collections::{BTreeMap, BTreeSet};

/// A definition with its parameters' values in place.
pub struct Applied {
    pub stack: StackDef,
    /// The resource handles synthesis still resolves (each element of a list
    /// of resources under its own name, `alarms#0`).
    pub bindings: Bindings,
    /// Where a bound value was put, with the parameters it came from: a
    /// finding at that place is about those parameters.
    pub origins: BTreeMap<Loc, BTreeSet<String>>,
}

/// Puts the bound values (or defaults) of `stack`'s parameters where they are used.
pub fn apply(stack: &StackDef, bindings: &Bindings) -> Result<Applied, Diagnostic> {
    let (stack, bindings, origins) = Subst::new(stack, bindings, false).stack(stack)?;
    Ok(Applied {
        stack,
        bindings,
        origins,
    })
}

/// The definition with only the defaults of parameters in place (others are
/// left as they are): so that the compile-time checks judge each default where
/// it is used, as the literal it is.
pub fn apply_defaults(stack: &StackDef) -> Result<StackDef, Diagnostic> {
    let bindings = Bindings::default();
    Ok(Subst::new(stack, &bindings, true).stack(stack)?.0)
}

impl<'a> Subst<'a> {
    fn new(stack: &'a StackDef, bindings: &'a Bindings, keep_unbound: bool) -> Self {
        Subst {
            params: stack
                .params
                .iter()
                .map(|p| (p.name.text.as_str(), p))
                .collect(),
            bindings,
            keep_unbound,
            extra: BTreeMap::new(),
            origins: BTreeMap::new(),
        }
    }

    /// The whole definition substituted: (definition, bindings, origins).
    #[allow(clippy::type_complexity)]
    fn stack(
        mut self,
        stack: &StackDef,
    ) -> Result<(StackDef, Bindings, BTreeMap<Loc, BTreeSet<String>>), Diagnostic> {
        let s = &mut self;
        let bindings = s.bindings;
        let mut items = Vec::with_capacity(stack.items.len());
        for item in &stack.items {
            items.push(match item {
                Item::Resource(r) => Item::Resource(ResourceDecl {
                    fields: s.fields(&r.fields)?,
                    ..r.clone()
                }),
                Item::Output(o) => Item::Output(OutputDecl {
                    fields: s.fields(&o.fields)?,
                    ..o.clone()
                }),
                // A synth-time parameter may set what a deploy-time one
                // defaults to, or a mapping's values.
                Item::Section(e) => match s.value(&e.value)? {
                    Some(value) => Item::Section(SectionEntry { value, ..e.clone() }),
                    None => continue,
                },
            });
        }
        let settings = s.fields(&stack.settings)?;
        let mut params = stack.params.clone();
        let mut bound = bindings.clone();
        for (name, (param, value)) in std::mem::take(&mut s.extra) {
            params.push(param);
            bound.set(&name, value);
        }
        Ok((
            StackDef {
                name: stack.name.clone(),
                description: stack.description.clone(),
                params,
                items,
                settings,
            },
            bound,
            std::mem::take(&mut s.origins),
        ))
    }
}

enum Given<'a> {
    Bound(&'a Bound),
    Default(&'a Value),
    Absent,
    /// Not substituted ([`apply_defaults`]): left as the user wrote it.
    Keep,
}

struct Subst<'a> {
    params: BTreeMap<&'a str, &'a Param>,
    bindings: &'a Bindings,
    /// Leave parameters without a value or default as they are.
    keep_unbound: bool,
    /// One parameter per element of a bound list of resources.
    extra: BTreeMap<String, (Param, Bound)>,
    origins: BTreeMap<Loc, BTreeSet<String>>,
}

impl<'a> Subst<'a> {
    fn given(&self, p: &'a Param, loc: Loc) -> Result<Given<'a>, Diagnostic> {
        if let Some(b) = self.bindings.0.get(&p.name.text) {
            return Ok(Given::Bound(b));
        }
        match (&p.default, p.optional) {
            (Some(d), _) => Ok(Given::Default(d)),
            (None, _) if self.keep_unbound => Ok(Given::Keep),
            (None, true) => Ok(Given::Absent),
            (None, false) => Err(Diagnostic::new(
                loc,
                format!("parameter `{}` was not given", p.name.text),
            )),
        }
    }

    fn origin(&mut self, loc: Loc, p: &Param) {
        self.origins
            .entry(loc)
            .or_default()
            .insert(p.name.text.clone());
    }

    fn fields(&mut self, fields: &[Field]) -> Result<Vec<Field>, Diagnostic> {
        let mut out = Vec::with_capacity(fields.len());
        for f in fields {
            if let Some(value) = self.value(&f.value)? {
                out.push(Field {
                    key: f.key.clone(),
                    value,
                });
            }
        }
        Ok(out)
    }

    /// The value with parameters in place; `None` when it uses an absent one.
    fn value(&mut self, v: &Value) -> Result<Option<Value>, Diagnostic> {
        Ok(Some(match v {
            Value::Path { segments } => {
                let Some(param) = segments
                    .first()
                    .and_then(|h| self.params.get(h.text.as_str()).copied())
                else {
                    return Ok(Some(v.clone()));
                };
                match self.given(param, segments[0].loc)? {
                    Given::Absent => return Ok(None),
                    Given::Keep => v.clone(),
                    Given::Default(d) => {
                        self.origin(d.loc(), param);
                        d.clone()
                    }
                    Given::Bound(b) => self.bound(param, b, segments)?,
                }
            }
            Value::Str { text, loc } => Value::Str {
                text: self.string(text, *loc)?,
                loc: *loc,
            },
            Value::Call { func, args } => {
                let mut out = Vec::with_capacity(args.len());
                for a in args {
                    // `days(n)`: a finding about the call is about `n` too.
                    if let Value::Path { segments } = a {
                        if let Some(p) = segments
                            .first()
                            .and_then(|h| self.params.get(h.text.as_str()).copied())
                        {
                            self.origin(func.loc, p);
                        }
                    }
                    match self.value(a)? {
                        Some(a) => out.push(a),
                        None => return Ok(None),
                    }
                }
                Value::Call {
                    func: func.clone(),
                    args: out,
                }
            }
            Value::List { items, loc } => {
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    out.extend(self.value(i)?);
                }
                Value::List {
                    items: out,
                    loc: *loc,
                }
            }
            Value::Object { tag, fields, loc } => Value::Object {
                tag: tag.clone(),
                fields: self.fields(fields)?,
                loc: *loc,
            },
            Value::Statement(s) => {
                let mut out = (**s).clone();
                out.resources.clear();
                for r in &s.resources {
                    match self.value(r)? {
                        // A list parameter (`on arns`) grants on each of its elements.
                        Some(Value::List { items, .. }) if matches!(r, Value::Path { .. }) => {
                            out.resources.extend(items)
                        }
                        Some(r) => out.resources.push(r),
                        None => {}
                    }
                }
                // Granted only on absent resources: nothing to grant.
                if out.resources.is_empty() && !s.resources.is_empty() {
                    return Ok(None);
                }
                out.principal = match &s.principal {
                    Some(p) => self.value(p)?,
                    None => None,
                };
                out.condition = match &s.condition {
                    Some(c) => self.value(c)?,
                    None => None,
                };
                Value::Statement(Box::new(out))
            }
            Value::Int { .. } | Value::Bool { .. } | Value::Float { .. } => v.clone(),
        }))
    }

    fn bound(&mut self, p: &Param, b: &Bound, segments: &[Name]) -> Result<Value, Diagnostic> {
        let head = &segments[0];
        match b {
            Bound::Resource(_) => Ok(Value::Path {
                segments: segments.to_vec(),
            }),
            Bound::List(items) if matches!(&p.ty, ParamType::List(t) if matches!(**t, ParamType::Kind(_))) =>
            {
                let ParamType::List(elem) = &p.ty else {
                    return Err(Diagnostic::new(head.loc, "a list parameter"));
                };
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let name = format!("{}#{i}", p.name.text);
                    self.extra.entry(name.clone()).or_insert_with(|| {
                        (
                            Param {
                                name: Name::new(name.clone(), p.name.loc),
                                ty: (**elem).clone(),
                                ty_loc: p.ty_loc,
                                optional: false,
                                default: None,
                            },
                            item.clone(),
                        )
                    });
                    let mut path = vec![Name::new(name, head.loc)];
                    path.extend(segments[1..].iter().cloned());
                    out.push(Value::Path { segments: path });
                }
                Ok(Value::List {
                    items: out,
                    loc: head.loc,
                })
            }
            scalar => {
                if let Some(attr) = segments.get(1) {
                    return Err(Diagnostic::new(
                        attr.loc,
                        format!(
                            "parameter `{}` is {}: it has no attribute `{}`",
                            p.name.text,
                            p.ty.describe(),
                            attr.text
                        ),
                    ));
                }
                self.origin(head.loc, p);
                literal(scalar, head.loc)
                    .ok_or_else(|| Diagnostic::new(head.loc, "a resource is not a literal value"))
            }
        }
    }

    /// `"${env}-data"` with `env` bound → `"prod-data"`; `${resource.attr}` stays.
    fn string(&mut self, text: &str, loc: Loc) -> Result<String, Diagnostic> {
        if !text.contains("${") {
            return Ok(text.to_string());
        }
        crate::base::template::replace_vars(text, |var| {
            let head = var.split('.').next().unwrap_or(var);
            let Some(p) = self.params.get(head).copied() else {
                return Ok(format!("${{{var}}}"));
            };
            let text = match (&p.ty, self.given(p, loc)?) {
                (_, Given::Absent) => {
                    return Err(Diagnostic::new(
                        loc,
                        format!(
                        "`${{{var}}}` has no value: parameter `{}` is optional and was not given",
                        p.name.text
                    ),
                    ))
                }
                (ParamType::Kind(_), _) | (_, Given::Keep) => format!("${{{var}}}"),
                (_, Given::Default(d)) => value_text(d),
                (_, Given::Bound(b)) => bound_text(b),
            };
            self.origin(loc, p);
            Ok(text)
        })
    }
}

/// A bound scalar (or list of scalars) as the literal a user would have written.
fn literal(b: &Bound, loc: Loc) -> Option<Value> {
    Some(match b {
        Bound::Str(s) => Value::Str {
            text: escape(s),
            loc,
        },
        Bound::Int(i) => Value::Int { value: *i, loc },
        Bound::Bool(b) => Value::Bool { value: *b, loc },
        Bound::Duration(secs) => {
            let (unit, n) = [("days", 86_400), ("hours", 3600), ("minutes", 60)]
                .into_iter()
                .find(|(_, u)| *secs != 0 && secs % u == 0)
                .map_or(("seconds", *secs), |(name, u)| (name, secs / u));
            Value::Call {
                func: Name::new(unit, loc),
                args: vec![Value::Int {
                    value: i64::try_from(n).unwrap_or(i64::MAX),
                    loc,
                }],
            }
        }
        Bound::List(items) => Value::List {
            items: items
                .iter()
                .map(|i| literal(i, loc))
                .collect::<Option<_>>()?,
            loc,
        },
        Bound::Resource(_) => return None,
    })
}

/// A bound string is text, never an interpolation of its own.
fn escape(s: &str) -> String {
    s.replace("${", "${!")
}

fn bound_text(b: &Bound) -> String {
    match b {
        Bound::Str(s) => escape(s),
        Bound::Int(i) => i.to_string(),
        Bound::Bool(b) => b.to_string(),
        Bound::Duration(secs) => secs.to_string(),
        Bound::List(_) | Bound::Resource(_) => String::new(),
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::Str { text, .. } => text.clone(),
        Value::Int { value, .. } => value.to_string(),
        Value::Bool { value, .. } => value.to_string(),
        other => other.describe(),
    }
}

/// The parameter that, absent, leaves this value out (`label`, `days(n)`).
pub fn absent_with<'a>(scope: &Scope<'a>, v: &Value) -> Option<&'a Param> {
    match v {
        Value::Path { segments } => segments
            .first()
            .and_then(|h| scope.params.get(h.text.as_str()).copied())
            .filter(|p| p.may_be_absent()),
        Value::Call { args, .. } => args.iter().find_map(|a| absent_with(scope, a)),
        _ => None,
    }
}

/// How to fix a use of an optional parameter where a value is required.
pub fn absent_help(p: &Param) -> String {
    let ty = p.ty.describe();
    format!(
        "make it required (`{0}: {ty}`), or give it a default (`{0}: Option<{ty}> = …`)",
        p.name.text
    )
}

/// The compile-time checks of a stack's parameters themselves: every one is
/// used, defaults fit, and an optional one is never interpolated where it
/// could be missing. (A required property set from one is judged with the
/// other property checks.)
pub fn check(stack: &StackDef, scope: &Scope, diags: &mut Diagnostics) {
    let mut used = BTreeSet::new();
    stack
        .settings
        .iter()
        .for_each(|f| uses(&f.value, scope, &mut used, diags));
    for item in &stack.items {
        match item {
            Item::Resource(r) => {
                if let Some(p) = &r.unless_param {
                    used.insert(p.text.clone());
                }
                r.fields
                    .iter()
                    .for_each(|f| uses(&f.value, scope, &mut used, diags));
            }
            Item::Output(o) => o
                .fields
                .iter()
                .for_each(|f| uses(&f.value, scope, &mut used, diags)),
            Item::Section(e) => uses(&e.value, scope, &mut used, diags),
        }
    }
    for p in &stack.params {
        if !used.contains(&p.name.text) && !p.name.text.starts_with('_') {
            diags.push(
                Diagnostic::new(
                    p.name.loc,
                    format!("parameter `{}` is never used", p.name.text),
                )
                .help(format!(
                    "use it, remove it, or name it `_{}` if it is meant to be unused",
                    p.name.text
                )),
            );
        }
        if let Some(d) = &p.default {
            default_check(p, d, diags);
        }
    }
}

fn default_check(p: &Param, d: &Value, diags: &mut Diagnostics) {
    if matches!(p.ty, ParamType::Kind(_)) {
        diags.push(
            Diagnostic::new(
                d.loc(),
                format!("resource parameter `{}` cannot have a default", p.name.text),
            )
            .help(format!(
                "create the resource when it is not given: `name = {} or {} {{ … }};`",
                p.name.text,
                p.ty.describe()
            )),
        );
        return;
    }
    if !p.optional {
        diags.push(
            Diagnostic::new(
                d.loc(),
                format!(
                    "parameter `{}` is always given, so its default is never used",
                    p.name.text
                ),
            )
            .help(format!(
                "declare it `{}: Option<{}> = …`",
                p.name.text,
                p.ty.describe()
            )),
        );
    }
    if !fits(&p.ty, d) {
        diags.error(
            d.loc(),
            format!(
                "the default of `{}` must be {}, found {}",
                p.name.text,
                describe(&p.ty),
                d.describe()
            ),
        );
    }
}

/// A default the parameter checks accept (so the property checks judge it, once).
pub fn default_is_well_typed(p: &Param) -> bool {
    !matches!(p.ty, ParamType::Kind(_)) && p.default.as_ref().is_some_and(|d| fits(&p.ty, d))
}

/// Whether a literal is a value of a parameter type.
fn fits(ty: &ParamType, v: &Value) -> bool {
    match (ty, v) {
        (ParamType::Str, Value::Str { text, .. }) => sub_variables(text).is_empty(),
        (ParamType::Int, Value::Int { .. }) | (ParamType::Bool, Value::Bool { .. }) => true,
        (ParamType::Duration, Value::Call { func, args }) => matches!(
            (func.text.as_str(), args.as_slice()),
            ("seconds" | "minutes" | "hours" | "days", [Value::Int { value, .. }]) if *value >= 0
        ),
        (ParamType::List(t), Value::List { items, .. }) => items.iter().all(|i| fits(t, i)),
        (ParamType::Any, _) => true,
        _ => false,
    }
}

fn describe(ty: &ParamType) -> String {
    match ty {
        ParamType::Str => "a string without `${…}`".into(),
        ParamType::Int => "a whole number".into(),
        ParamType::Bool => "`true` or `false`".into(),
        ParamType::Duration => "a duration such as `days(7)`".into(),
        ParamType::List(t) => format!("a list of {}", describe(t)),
        other => other.describe(),
    }
}

/// Collects the parameters a value uses; an interpolation must have a value.
fn uses(v: &Value, scope: &Scope, used: &mut BTreeSet<String>, diags: &mut Diagnostics) {
    match v {
        Value::Path { segments } => {
            if let Some(h) = segments.first() {
                used.insert(h.text.clone());
            }
        }
        Value::Str { text, loc } => {
            for var in sub_variables(text) {
                let Some(head) = interpolation_path(var, *loc).and_then(|s| s.into_iter().next())
                else {
                    continue;
                };
                let Some(p) = scope.params.get(head.text.as_str()) else {
                    continue;
                };
                used.insert(p.name.text.clone());
                if p.may_be_absent() {
                    diags.push(
                        Diagnostic::new(
                            *loc,
                            format!(
                                "`${{{var}}}` needs a value, but parameter `{}` is optional",
                                p.name.text
                            ),
                        )
                        .help(absent_help(p)),
                    );
                } else if matches!(p.ty, ParamType::Duration | ParamType::List(_)) {
                    diags.error(
                        *loc,
                        format!(
                            "parameter `{}` is {}: it cannot be interpolated into a string",
                            p.name.text,
                            p.ty.describe()
                        ),
                    );
                }
            }
        }
        Value::Call { args, .. } => args.iter().for_each(|a| uses(a, scope, used, diags)),
        Value::List { items, .. } => items.iter().for_each(|a| uses(a, scope, used, diags)),
        Value::Object { fields, .. } => fields
            .iter()
            .for_each(|f| uses(&f.value, scope, used, diags)),
        Value::Statement(s) => {
            s.resources
                .iter()
                .chain(&s.principal)
                .chain(&s.condition)
                .for_each(|a| uses(a, scope, used, diags));
            // Left out, these would widen the grant: a principal or condition
            // that vanishes, or a Deny that covers less.
            let mut narrowing: Vec<(&Value, &str)> = Vec::new();
            narrowing.extend(s.principal.iter().map(|p| (p, "its principal")));
            narrowing.extend(s.condition.iter().map(|c| (c, "its condition")));
            if s.effect == Effect::Deny {
                narrowing.extend(s.resources.iter().map(|r| (r, "what it denies")));
            } else if s.not_resources {
                narrowing.extend(s.resources.iter().map(|r| (r, "what it excludes")));
            }
            for (v, what) in narrowing {
                for (p, loc) in absent_params_in(v, scope) {
                    diags.push(
                        Diagnostic::new(
                            loc,
                            format!(
                                "parameter `{}` is optional: when it is not given, this statement loses {what} and grants more",
                                p.name.text
                            ),
                        )
                        .help(absent_help(p)),
                    );
                }
            }
        }
        Value::Int { .. } | Value::Bool { .. } | Value::Float { .. } => {}
    }
}

/// The optional parameters without a default that a value uses, where.
fn absent_params_in<'a>(v: &Value, scope: &Scope<'a>) -> Vec<(&'a Param, Loc)> {
    let mut out = Vec::new();
    let mut visit = |v: &Value| {
        if let Value::Path { segments } = v {
            if let Some(p) = segments
                .first()
                .and_then(|h| scope.params.get(h.text.as_str()).copied())
                .filter(|p| p.may_be_absent())
            {
                out.push((p, segments[0].loc));
            }
        }
    };
    walk(v, &mut visit);
    out
}

/// Every value inside `v` (itself included).
pub(crate) fn walk(v: &Value, f: &mut impl FnMut(&Value)) {
    f(v);
    match v {
        Value::Call { args, .. } => args.iter().for_each(|a| walk(a, f)),
        Value::List { items, .. } => items.iter().for_each(|a| walk(a, f)),
        Value::Object { fields, .. } => fields.iter().for_each(|x| walk(&x.value, f)),
        Value::Statement(s) => s
            .resources
            .iter()
            .chain(&s.principal)
            .chain(&s.condition)
            .for_each(|a| walk(a, f)),
        Value::Str { .. }
        | Value::Int { .. }
        | Value::Bool { .. }
        | Value::Float { .. }
        | Value::Path { .. } => {}
    }
}
