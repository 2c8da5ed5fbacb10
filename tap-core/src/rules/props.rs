//! Property values against each kind's schema: unknown and missing properties,
//! value types, references of the right kind, and values in range.

use super::Options;
use crate::base::diag::{did_you_mean, Diagnostic, Diagnostics, Loc};
use crate::base::ir::*;
use crate::base::template::pseudo;
use crate::data::cfn::catalog::JsonType;
use crate::model::intrinsics::is_intrinsic_name;
use crate::model::kind::{self, duration_seconds, AttrValue, Dflt, Prop, Ty, RETENTION_DAYS};
use crate::model::resolve::{interpolation_path, Scope, Target};

pub fn check(stack: &StackDef, scope: &Scope, options: &Options, diags: &mut Diagnostics) {
    let cx = Cx { scope, options };
    let macro_input = crate::rules::sections::expands_resources(stack);
    for decl in stack.resources() {
        let Some(kind) = scope.kinds.kind(&decl.kind.text) else {
            continue; // reported by the name check
        };
        // `because` belongs to every kind: the scanner findings it accepts.
        let (because, own): (Vec<Field>, Vec<Field>) = decl
            .fields
            .iter()
            .cloned()
            .partition(|f| f.key.text == BECAUSE);
        let raw = crate::model::raw::is_raw(kind.name);
        let schema = crate::model::raw::schema_of(kind);
        if raw && (schema.is_none() || macro_input) {
            // A macro's input (or SAM's): CloudFormation judges it after the
            // transform; its references and functions are checked here.
            let x = crate::rules::intrinsics::Expressions {
                scope,
                place: crate::model::intrinsics::Place::Value,
            };
            let mut out = Vec::new();
            for f in own
                .iter()
                .filter(|f| f.key.text != "DependsOn" && f.key.text != "Condition")
            {
                x.check(&f.value, &mut out);
            }
            diags.extend(out);
        } else {
            match schema {
                Some(schema) => crate::rules::schema::Validator {
                    schema,
                    kind,
                    scope,
                }
                .resource(decl, &own, diags),
                None => cx.fields(kind.name, kind.props, &own, decl.kind.loc, diags),
            }
        }
        if let Some(f) = because.first() {
            accepted_findings(&f.value, diags);
        }
        for dup in because.iter().skip(1) {
            diags.error(dup.key.loc, "`because` is set twice");
        }
    }
    // A transform and an output's condition are names CloudFormation reads,
    // judged with the template's sections (`rules::sections`).
    let settings: Vec<Field> = stack
        .settings
        .iter()
        .filter(|f| {
            f.key.text != crate::rules::sections::TRANSFORM
                && f.key.text != crate::rules::sections::DESCRIPTION
                && f.key.text != crate::rules::sections::GLOBALS
        })
        .cloned()
        .collect();
    cx.fields(
        &format!("stack `{}`", stack.name.text),
        STACK_SETTINGS,
        &settings,
        stack.name.loc,
        diags,
    );
    for out in stack.outputs() {
        let fields: Vec<Field> = out
            .fields
            .iter()
            .filter(|f| f.key.text != "condition")
            .cloned()
            // A number or a boolean is a value CloudFormation converts to a
            // string (`Value: 2`): judged as that string, written as it is.
            .map(|mut f| {
                let scalar = match &f.value {
                    Value::Int { value, loc } => Some((value.to_string(), *loc)),
                    Value::Bool { value, loc } => Some((value.to_string(), *loc)),
                    Value::Float { text, loc } => Some((text.clone(), *loc)),
                    _ => None,
                };
                if let Some((text, loc)) = scalar {
                    f.value = Value::Str { text, loc };
                }
                f
            })
            .collect();
        cx.fields(
            &format!("output `{}`", out.name.text),
            OUTPUT,
            &fields,
            out.name.loc,
            diags,
        );
    }
}

/// `{ CKV_AWS_117: "reason", … }`: checkov check IDs, each with a written reason.
fn accepted_findings(v: &Value, diags: &mut Diagnostics) {
    let Value::Object {
        tag: None, fields, ..
    } = v
    else {
        diags.push(
            Diagnostic::new(v.loc(), "`because` lists the findings a resource accepts")
                .help("`because: { CKV_AWS_117: \"the function calls only AWS APIs\" }`"),
        );
        return;
    };
    for f in fields {
        let id = &f.key.text;
        let well_formed = ["CKV_AWS_", "CKV2_AWS_"].iter().any(|p| {
            id.strip_prefix(p)
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        });
        if !well_formed {
            diags.push(
                Diagnostic::new(f.key.loc, format!("`{id}` is not a checkov check ID"))
                    .help("check IDs look like `CKV_AWS_117` or `CKV2_AWS_62`"),
            );
        }
        match &f.value {
            Value::Str { text, .. } if text.trim().len() >= 8 => {}
            other => diags.push(
                Diagnostic::new(other.loc(), format!("write out why `{id}` does not apply"))
                    .help("a finding is accepted by the reason it gives, as a wildcard is"),
            ),
        }
    }
}

/// What a stack itself can be told (`termination_protection: true;` first in its body).
pub const STACK_SETTINGS: &[Prop] = &[
    kind::dflt(
        "termination_protection",
        Ty::Bool, Dflt::Bool(false),
        "CloudFormation refuses to delete the stack (and `tap destroy` says so) until it is turned off.",
    ),
    kind::prop(
        "transform",
        Ty::Json,
        "The template's `Transform`: `\"AWS::LanguageExtensions\"`, or a list of macros.",
    ),
    kind::prop(
        "description",
        Ty::Str,
        "The template's `Description` exactly as written (`tap migrate` writes it where a doc comment, trimmed and joined, would change it).",
    ),
    kind::prop(
        "metadata",
        Ty::Json,
        "The template's own `Metadata` (`AWS::CloudFormation::Interface`, …).",
    ),
    kind::prop(
        "globals",
        Ty::Json,
        "SAM's `Globals` section (with the `AWS::Serverless-2016-10-31` transform): what it copies into each of its resources.",
    ),
];

pub const OUTPUT: &[Prop] = &[
    kind::req(
        "value",
        Ty::Str,
        "The value: a resource attribute (`dlq.url`) or a string.",
    ),
    kind::prop("description", Ty::Str, "What the output is."),
    kind::prop(
        "export",
        Ty::Str,
        "The export name other stacks import it by.",
    ),
    kind::prop(
        "condition",
        Ty::Json,
        "A condition of the stack (`condition: IsProduction`): the output exists only when it is true.",
    ),
];

struct Cx<'a, 'b> {
    scope: &'b Scope<'a>,
    options: &'b Options,
}

impl Cx<'_, '_> {
    fn fields(
        &self,
        owner: &str,
        props: &[Prop],
        fields: &[Field],
        loc: Loc,
        diags: &mut Diagnostics,
    ) {
        for (i, f) in fields.iter().enumerate() {
            if fields[..i].iter().any(|g| g.key.text == f.key.text) {
                diags.error(f.key.loc, format!("`{}` is set twice", f.key.text));
                continue;
            }
            match props.iter().find(|p| p.name == f.key.text) {
                Some(p) => self.value(&p.ty, &f.value, diags),
                None => {
                    let names: Vec<&str> = props.iter().map(|p| p.name).collect();
                    let d = Diagnostic::new(
                        f.key.loc,
                        format!("{owner} has no property `{}`", f.key.text),
                    )
                    .suggest(&f.key.text, names.iter().copied());
                    let d = if d.help.is_none() {
                        d.help(format!("its properties are: {}", names.join(", ")))
                    } else {
                        d
                    };
                    diags.push(d);
                }
            }
        }
        for p in props.iter().filter(|p| p.required) {
            match fields.iter().find(|f| f.key.text == p.name) {
                None => diags.push(
                    Diagnostic::new(loc, format!("{owner} needs `{}`", p.name))
                        .help(format!("`{}`: {}", p.name, p.doc)),
                ),
                // Set from an optional parameter, it would be left out when that is not given.
                Some(f) => {
                    if let Some(param) = crate::model::params::absent_with(self.scope, &f.value) {
                        diags.push(
                            Diagnostic::new(
                                f.value.loc(),
                                format!(
                                    "{owner} needs `{}`, but parameter `{}` is optional: when it is not given, `{}` is left out",
                                    p.name, param.name.text, p.name
                                ),
                            )
                            .help(crate::model::params::absent_help(param)),
                        );
                    }
                }
            }
        }
    }

    fn value(&self, ty: &Ty, v: &Value, diags: &mut Diagnostics) {
        let mismatch = |diags: &mut Diagnostics| {
            diags.error(
                v.loc(),
                format!("expected {}, found {}", ty.describe(), v.describe()),
            );
        };
        match (ty, v) {
            // A parameter stands for a value of its declared type.
            (_, Value::Path { segments })
                if segments.len() == 1
                    && self.scope.params.contains_key(segments[0].text.as_str()) =>
            {
                let param = self.scope.params[segments[0].text.as_str()];
                if !param_fits(ty, &param.ty) {
                    diags.error(
                        segments[0].loc,
                        format!(
                            "expected {}, but parameter `{}` is {}",
                            ty.describe(),
                            param.name.text,
                            param.ty.describe()
                        ),
                    );
                }
            }
            (Ty::Str, Value::Str { text, loc }) => self.interpolations(text, *loc, diags),
            // CloudFormation's functions give a string where one is asked for.
            (Ty::Str, Value::Call { func, args }) if is_intrinsic_name(&func.text) => {
                let mut out = Vec::new();
                let gives = self.expressions().call(func, args, &mut out);
                diags.extend(out);
                if let Some(t @ (JsonType::Array | JsonType::Object)) = gives {
                    diags.error(
                        func.loc,
                        format!(
                            "expected {}, but `{}(…)` gives {}",
                            ty.describe(),
                            func.text,
                            t.describe()
                        ),
                    );
                }
            }
            (Ty::Str, Value::Path { segments }) => match self.scope.resolve(segments) {
                Err(d) => diags.push(d),
                // A deploy-time parameter or a pseudo parameter is its `Ref`.
                Ok(t @ (Target::Pseudo(_) | Target::Entry(_))) => {
                    let mut out = Vec::new();
                    let gives = crate::rules::intrinsics::value_type(&t, segments, &mut out);
                    diags.extend(out);
                    if gives == Some(JsonType::Array) {
                        diags.error(
                            v.loc(),
                            format!(
                                "expected {}, but `{}` is a list",
                                ty.describe(),
                                path_text(segments)
                            ),
                        );
                    }
                }
                // A raw resource's bare name is its `Ref`, as in CloudFormation.
                Ok(Target::Resource {
                    kind, attr: None, ..
                }) if crate::model::raw::is_raw(kind.name) => {}
                Ok(Target::Resource {
                    kind, attr: None, ..
                })
                | Ok(Target::Param {
                    kind: Some(kind),
                    attr: None,
                    ..
                }) => {
                    let names: Vec<&str> = kind
                        .attrs
                        .iter()
                        .filter(|a| is_string_attr(&a.value))
                        .map(|a| a.name)
                        .collect();
                    diags.push(
                        Diagnostic::new(
                            v.loc(),
                            format!(
                                "`{}` is a `{}`, not a string",
                                path_text(segments),
                                kind.name
                            ),
                        )
                        .help(format!(
                            "name one of its attributes: {}",
                            names
                                .iter()
                                .map(|n| format!("`{}.{n}`", path_text(segments)))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                    );
                }
                Ok(t) => {
                    if let Some(a) = t.attr() {
                        if !is_string_attr(&a.value) {
                            diags.error(
                                segments.last().map_or(v.loc(), |s| s.loc),
                                format!("`{}` is a metric, not a string", path_text(segments)),
                            );
                        }
                    }
                }
            },
            (Ty::Int { min, max }, Value::Int { value, loc }) => {
                if value < min || value > max {
                    diags.error(
                        *loc,
                        format!("{value} is out of range: expected {}", ty.describe()),
                    );
                }
            }
            (Ty::Bool, Value::Bool { .. }) => {}
            // `days(n)` with an `Int` parameter: its range is checked when it is bound.
            (Ty::Duration { .. } | Ty::RetentionDays, Value::Call { func, args })
                if self.int_param(args) =>
            {
                if duration_seconds(&func.text, 1).is_none() {
                    diags.push(
                        Diagnostic::new(
                            func.loc,
                            format!("`{}` is not a duration unit", func.text),
                        )
                        .suggest(&func.text, ["seconds", "minutes", "hours", "days"]),
                    );
                }
            }
            (Ty::Duration { min, max }, Value::Call { func, args }) => {
                match duration(func, args, diags) {
                    Some(secs) if secs < *min as i64 || secs > *max as i64 => {
                        diags.error(
                            v.loc(),
                            format!(
                                "{} is out of range: must be from {} to {}",
                                v_text(func, args),
                                human(*min),
                                human(*max)
                            ),
                        );
                    }
                    _ => {}
                }
            }
            (Ty::RetentionDays, Value::Call { func, args }) if func.text == "days" => {
                if let [Value::Int { value, loc }] = args.as_slice() {
                    if !RETENTION_DAYS.contains(value) {
                        let nearest = RETENTION_DAYS
                            .iter()
                            .min_by_key(|d| (**d - value).abs())
                            .copied()
                            .unwrap_or(30);
                        diags.push(
                            Diagnostic::new(*loc, format!("CloudWatch Logs cannot keep logs for {value} days"))
                                .help(format!("the nearest allowed retention is `days({nearest})`; allowed: {RETENTION_DAYS:?}")),
                        );
                    }
                } else {
                    mismatch(diags);
                }
            }
            (Ty::Enum(variants), Value::Path { segments }) if segments.len() == 1 => {
                let s = &segments[0];
                if !variants.iter().any(|(v, _)| *v == s.text) {
                    let d =
                        Diagnostic::new(s.loc, format!("`{}` is not {}", s.text, ty.describe()));
                    diags.push(d.suggest(&s.text, variants.iter().map(|(v, _)| *v)));
                }
            }
            (Ty::Ref(kinds), Value::Path { segments }) => self.reference(kinds, segments, diags),
            (Ty::BucketEncryption, Value::Path { segments })
                if segments.len() == 1 && segments[0].text == "S3Managed" => {}
            (Ty::BucketEncryption, Value::Call { func, args }) if func.text == "kms" => {
                match args.as_slice() {
                    [Value::Path { segments }] => self.reference(&["kms::Key"], segments, diags),
                    _ => diags.error(func.loc, "write `kms(key)` with the name of a `kms::Key`"),
                }
            }
            (Ty::Principal, Value::Path { segments })
                if segments.len() == 1 && segments[0].text == "any" =>
            {
                super::principals::check(v, super::principals::Place::Trust, diags)
            }
            (Ty::Principal, Value::Call { func, args })
                if matches!(func.text.as_str(), "service" | "account") =>
            {
                match args.as_slice() {
                    [Value::Str { .. }] => {
                        super::principals::check(v, super::principals::Place::Trust, diags)
                    }
                    _ => diags.error(func.loc, format!("write `{}(\"…\")`", func.text)),
                }
            }
            (Ty::Asset, Value::Call { func, args }) if func.text == "asset" => {
                match args.as_slice() {
                    [Value::Str { text, loc }] => {
                        if let Some(base) = &self.options.base_dir {
                            let path = base.join(text);
                            if !path.is_dir() {
                                diags.push(
                                Diagnostic::new(*loc, format!("asset directory `{text}` does not exist"))
                                    .help(format!("the path is relative to {}; it should be a crate with the function's code", base.display())),
                            );
                            }
                        }
                    }
                    _ => diags.error(func.loc, "write `asset(\"path/to/crate\")`"),
                }
            }
            (Ty::Metric, Value::Path { segments }) => match self.scope.resolve(segments) {
                Err(d) => diags.push(d),
                Ok(Target::Unknown) => {}
                Ok(t) => {
                    if !matches!(t.attr().map(|a| &a.value), Some(AttrValue::Metric(..))) {
                        let metrics: Vec<String> = t
                            .kind()
                            .map(|k| {
                                k.attrs
                                    .iter()
                                    .filter(|a| matches!(a.value, AttrValue::Metric(..)))
                                    .map(|a| format!("`{}.{}`", segments[0].text, a.name))
                                    .collect()
                            })
                            .unwrap_or_default();
                        let d = Diagnostic::new(
                            v.loc(),
                            format!("`{}` is not a metric", path_text(segments)),
                        );
                        diags.push(if metrics.is_empty() {
                            d
                        } else {
                            d.help(format!(
                                "metrics of `{}`: {}",
                                segments[0].text,
                                metrics.join(", ")
                            ))
                        });
                    }
                }
            },
            (Ty::ManagedPolicy, Value::Call { func, args }) if func.text == "aws_managed" => {
                if !matches!(args.as_slice(), [Value::Str { .. }]) {
                    diags.error(func.loc, "write `aws_managed(\"service-role/Name\")`");
                }
            }
            (Ty::ManagedPolicy, Value::Str { text, loc }) => {
                if !text.starts_with("arn:") {
                    diags.push(
                        Diagnostic::new(*loc, "a managed policy is named by its ARN").help(
                            format!("for an AWS managed policy write `aws_managed(\"{text}\")`"),
                        ),
                    );
                }
            }
            (Ty::List(item), Value::List { items, .. }) => {
                items.iter().for_each(|i| self.value(item, i, diags))
            }
            (
                Ty::Map(item),
                Value::Object {
                    tag: None, fields, ..
                },
            ) => {
                for (i, f) in fields.iter().enumerate() {
                    if fields[..i].iter().any(|g| g.key.text == f.key.text) {
                        diags.error(f.key.loc, format!("`{}` is set twice", f.key.text));
                    }
                    self.value(item, &f.value, diags);
                }
            }
            (
                Ty::Object(props),
                Value::Object {
                    tag: None,
                    fields,
                    loc,
                },
            ) => self.fields("this object", props, fields, *loc, diags),
            (
                Ty::Tagged(tags),
                Value::Object {
                    tag: Some(tag),
                    fields,
                    loc,
                },
            ) => match tags.iter().find(|(t, _)| *t == tag.text) {
                Some((t, props)) => self.fields(&format!("`{t}`"), props, fields, *loc, diags),
                None => {
                    let d = Diagnostic::new(
                        tag.loc,
                        format!("`{}` is not {}", tag.text, ty.describe()),
                    );
                    diags.push(d.suggest(&tag.text, tags.iter().map(|(t, _)| *t)));
                }
            },
            (Ty::Statements(_), Value::List { items, .. }) => {
                for i in items {
                    if !matches!(i, Value::Statement(_)) {
                        diags.error(
                            i.loc(),
                            "expected a policy statement: `service:Action on resource`",
                        );
                    }
                }
            }
            (Ty::Json, v) => self.json(v, diags),
            _ => mismatch(diags),
        }
    }

    fn expressions(&self) -> crate::rules::intrinsics::Expressions<'_, '_> {
        crate::rules::intrinsics::Expressions {
            scope: self.scope,
            place: crate::model::intrinsics::Place::Value,
        }
    }

    /// `[n]` where `n` is an `Int` parameter.
    fn int_param(&self, args: &[Value]) -> bool {
        matches!(args, [Value::Path { segments }] if segments.len() == 1
            && self.scope.params.get(segments[0].text.as_str()).is_some_and(|p| p.ty == ParamType::Int))
    }

    fn json(&self, v: &Value, diags: &mut Diagnostics) {
        match v {
            Value::Str { .. } | Value::Int { .. } | Value::Bool { .. } | Value::Float { .. } => {}
            // A scalar parameter is data once bound.
            Value::Path { segments }
                if segments.len() == 1
                    && self
                        .scope
                        .params
                        .get(segments[0].text.as_str())
                        .is_some_and(|p| param_fits(&Ty::Json, &p.ty)) => {}
            Value::List { items, .. } => items.iter().for_each(|i| self.json(i, diags)),
            Value::Object {
                tag: None, fields, ..
            } => fields.iter().for_each(|f| self.json(&f.value, diags)),
            // CloudFormation's functions and names are data CloudFormation reads.
            Value::Call { func, .. } if is_intrinsic_name(&func.text) => {
                let mut out = Vec::new();
                self.expressions().check(v, &mut out);
                diags.extend(out);
            }
            Value::Path { segments }
                if matches!(
                    self.scope.resolve(segments),
                    Ok(Target::Pseudo(_) | Target::Entry(_))
                ) =>
            {
                let mut out = Vec::new();
                self.expressions().check(v, &mut out);
                diags.extend(out);
            }
            other => diags.error(
                other.loc(),
                format!(
                    "expected data (strings, numbers, lists, objects), found {}",
                    other.describe()
                ),
            ),
        }
    }

    fn reference(&self, kinds: &[&str], segments: &[Name], diags: &mut Diagnostics) {
        match self.scope.resolve(segments) {
            Err(d) => diags.push(d),
            Ok(Target::Unknown) => {}
            Ok(t) => {
                let loc = segments.last().map_or(Loc::NONE, |s| s.loc);
                let expected = kinds
                    .iter()
                    .map(|k| format!("a `{k}`"))
                    .collect::<Vec<_>>()
                    .join(" or ");
                match (t.kind(), t.attr()) {
                    (Some(k), None) if self.scope.kinds.fits(k, kinds) => {}
                    (Some(k), None) => {
                        let d = Diagnostic::new(
                            loc,
                            format!(
                                "expected {expected} here, but `{}` is a `{}`",
                                path_text(segments),
                                k.name
                            ),
                        );
                        let same_kind: Vec<&str> = self
                            .scope
                            .resources
                            .iter()
                            .filter(|(_, (_, rk))| {
                                rk.is_some_and(|rk| self.scope.kinds.fits(rk, kinds))
                            })
                            .map(|(n, _)| *n)
                            .filter(|n| !n.contains('/'))
                            .collect();
                        diags.push(
                            match did_you_mean(&segments[0].text, same_kind.iter().copied())
                                .or(same_kind.first().copied())
                            {
                                Some(s) => d.help(format!("did you mean `{s}`?")),
                                None => d,
                            },
                        );
                    }
                    (_, Some(_)) => diags.push(
                        Diagnostic::new(
                            loc,
                            format!(
                                "expected {expected} here, but `{}` is an attribute",
                                path_text(segments)
                            ),
                        )
                        .help(format!(
                            "name the resource itself: `{}`",
                            path_text(&segments[..segments.len() - 1])
                        )),
                    ),
                    (None, None) => diags.error(
                        loc,
                        format!(
                            "expected {expected} here, but `{}` is a parameter of another type",
                            path_text(segments)
                        ),
                    ),
                }
            }
        }
    }

    /// Every `${…}` in a string names a pseudo parameter, a parameter or a resource attribute.
    fn interpolations(&self, text: &str, loc: Loc, diags: &mut Diagnostics) {
        for var in crate::base::template::sub_variables(text) {
            if var.contains("::") {
                if !pseudo::ALL.contains(&var) {
                    diags.push(
                        Diagnostic::new(
                            loc,
                            format!("`${{{var}}}` is not a CloudFormation pseudo parameter"),
                        )
                        .suggest(var, pseudo::ALL.iter().copied()),
                    );
                }
                continue;
            }
            if let Some(segments) = interpolation_path(var, loc) {
                match self.scope.resolve(&segments) {
                    Err(mut d) => {
                        d.message = format!("in `${{{var}}}`: {}", d.message);
                        diags.push(d);
                    }
                    Ok(Target::Resource {
                        kind, attr: None, ..
                    }) if kind.attr("name").is_none()
                        && !matches!(
                            kind.attrs.first().map(|a| &a.value),
                            Some(AttrValue::Ref)
                        ) =>
                    {
                        diags.error(
                            loc,
                            format!(
                                "`${{{var}}}` names a `{}`; name one of its attributes",
                                kind.name
                            ),
                        );
                    }
                    Ok(_) => {}
                }
            }
        }
    }
}

fn is_string_attr(v: &AttrValue) -> bool {
    !matches!(v, AttrValue::Metric(..) | AttrValue::Linked(_))
}

fn param_fits(ty: &Ty, p: &ParamType) -> bool {
    match (ty, p) {
        (_, ParamType::Any) => true,
        (Ty::Str | Ty::Json, ParamType::Str) => true,
        (Ty::Int { .. } | Ty::Json, ParamType::Int) => true,
        (Ty::Bool | Ty::Json, ParamType::Bool) => true,
        (Ty::Duration { .. } | Ty::RetentionDays, ParamType::Duration) => true,
        (Ty::Ref(kinds), ParamType::Kind(k)) => kinds.contains(&k.as_str()),
        (Ty::List(t), ParamType::List(p)) => param_fits(t, p),
        _ => false,
    }
}

fn duration(func: &Name, args: &[Value], diags: &mut Diagnostics) -> Option<i64> {
    match args {
        [Value::Int { value, .. }] => match duration_seconds(&func.text, *value) {
            Some(s) => Some(s),
            None => {
                diags.push(
                    Diagnostic::new(func.loc, format!("`{}` is not a duration unit", func.text))
                        .suggest(&func.text, ["seconds", "minutes", "hours", "days"]),
                );
                None
            }
        },
        _ => {
            diags.error(
                func.loc,
                format!("write `{}(n)` with a whole number", func.text),
            );
            None
        }
    }
}

fn v_text(func: &Name, args: &[Value]) -> String {
    format!(
        "{}({})",
        func.text,
        args.iter()
            .map(Value::describe)
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// `1209600` → `14 days`.
pub fn human(secs: u64) -> String {
    let (n, unit) = match secs {
        s if s >= 86_400 && s % 86_400 == 0 => (s / 86_400, "day"),
        s if s >= 3600 && s % 3600 == 0 => (s / 3600, "hour"),
        s if s >= 60 && s % 60 == 0 => (s / 60, "minute"),
        s => (s, "second"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

pub(crate) fn is_path(v: Option<&Value>, text: &str) -> bool {
    matches!(v, Some(Value::Path { segments }) if segments.len() == 1 && segments[0].text == text)
}

/// Why a literal bucket name is invalid (interpolated parts are filled with plausible values).
pub fn bucket_name_problem(name: &str) -> Option<String> {
    let mut probe = String::new();
    for piece in crate::base::template::sub_pieces(name) {
        match piece {
            crate::base::template::SubPiece::Text(t) => probe.push_str(t),
            crate::base::template::SubPiece::Var(var) => probe.push_str(match var {
                "AWS::AccountId" => "123456789012",
                "AWS::Region" => "ap-southeast-2",
                "AWS::Partition" => "aws",
                _ => return None, // a resource attribute: not known until deploy
            }),
        }
    }
    let n = probe.len();
    if !(3..=63).contains(&n) {
        return Some(format!("it is {n} characters long (at most 63, with the account ID and the longest region filled in)"));
    }
    if let Some(c) = probe
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '.' || *c == '-'))
    {
        return Some(format!("`{c}` is not allowed"));
    }
    let first = probe.chars().next().unwrap_or('-');
    let last = probe.chars().last().unwrap_or('-');
    if !first.is_ascii_alphanumeric() || !last.is_ascii_alphanumeric() {
        return Some("it must start and end with a letter or digit".into());
    }
    if probe.contains("..") {
        return Some("it has two adjacent dots".into());
    }
    if probe.starts_with("xn--") || probe.ends_with("-s3alias") || probe.ends_with("--ol-s3") {
        return Some("it uses a reserved prefix or suffix".into());
    }
    if probe.split('.').count() == 4 && probe.split('.').all(|p| p.parse::<u8>().is_ok()) {
        return Some("it looks like an IP address".into());
    }
    None
}
