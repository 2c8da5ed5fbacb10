//! Property values → CloudFormation expressions: references become `Ref`,
//! `Fn::GetAtt` or `Fn::Sub`, strings with `${…}` become `Fn::Sub`, parameters
//! become their bound values.

use super::{err, Ctx, Result};
use crate::base::diag::Loc;
use crate::base::ir::*;
use crate::base::naming::logical_id;
use crate::base::template::{sub_pieces, sub_variables, Expr, SubPiece};
use crate::model::bindings::Bound;
use crate::model::intrinsics::{intrinsic, is_intrinsic_name};
use crate::model::kind::{
    duration_seconds, literal_seconds, seconds_or_default, AttrValue, Dflt, Kind, Prop, Ty,
};
use crate::model::resolve::{interpolation_path, Target};
use std::collections::BTreeMap;

impl Ctx<'_> {
    /// A value as CloudFormation JSON.
    pub fn expr(&self, v: &Value) -> Result<Expr> {
        match v {
            Value::Str { text, loc } => self.string(text, *loc),
            Value::Int { value, .. } => Ok(Expr::Int(*value)),
            Value::Bool { value, .. } => Ok(Expr::Bool(*value)),
            Value::Float { text, loc } => match text
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
            {
                Some(n) => Ok(Expr::Json(serde_json::Value::Number(n))),
                None => err(*loc, format!("`{text}` is not a number JSON can hold")),
            },
            Value::Path { segments } => self.path(segments, None),
            Value::List { items, .. } => Ok(Expr::List(
                items.iter().map(|i| self.expr(i)).collect::<Result<_>>()?,
            )),
            Value::Object { fields, .. } => Ok(Expr::Map(
                fields
                    .iter()
                    .map(|f| Ok((f.key.text.clone(), self.expr(&f.value)?)))
                    .collect::<Result<BTreeMap<_, _>>>()?,
            )),
            Value::Call { func, args } if is_intrinsic_name(&func.text) => {
                self.intrinsic(func, args)
            }
            Value::Call { func, args } => match (func.text.as_str(), args.as_slice()) {
                (_, [Value::Int { value, .. }]) => match duration_seconds(&func.text, *value) {
                    Some(s) => Ok(Expr::Int(s)),
                    None => err(func.loc, format!("`{}` is not a duration", func.text)),
                },
                _ => err(
                    func.loc,
                    format!("`{}(…)` has no CloudFormation value here", func.text),
                ),
            },
            Value::Statement(s) => err(s.loc, "a policy statement is not a value"),
        }
    }

    pub fn opt(&self, fields: &[Field], key: &str) -> Result<Option<Expr>> {
        field(fields, key).map(|v| self.expr(v)).transpose()
    }

    /// A reference as CloudFormation JSON; `default_attr` is used for a bare resource.
    pub fn path(&self, segments: &[Name], default_attr: Option<&str>) -> Result<Expr> {
        let loc = segments.first().map_or(Loc::NONE, |s| s.loc);
        let target = self
            .scope
            .resolve(segments)
            .map_err(|d| super::SynthError {
                loc: d.loc,
                message: d.message,
            })?;
        match target {
            Target::Resource { decl, kind, attr } => {
                let attr_name = attr.map(|a| a.name).or(default_attr);
                if let Some(p) = decl
                    .unless_param
                    .as_ref()
                    .filter(|p| self.bindings.0.contains_key(&p.text))
                {
                    return self.bound(&p.text, attr_name, loc);
                }
                let id = logical_id(&decl.name.text);
                match attr_name {
                    None => Ok(Expr::Ref(id)),
                    Some(a) => attr_expr(kind, &id, a, loc),
                }
            }
            Target::Param { param, attr, .. } => {
                self.bound(&param.name.text, attr.map(|a| a.name).or(default_attr), loc)
            }
            Target::Pseudo(p) => Ok(Expr::Ref(p.to_string())),
            Target::Entry(e) => match e.section {
                Section::Parameter => Ok(Expr::Ref(e.name.text.clone())),
                // Inside `Fn::And`/`Fn::Or`/`Fn::Not`: `{"Condition": "Name"}`.
                Section::Condition => Ok(Expr::Condition(e.name.text.clone())),
                Section::Mapping | Section::Rule => err(
                    loc,
                    format!(
                        "`{}` is a {}, not a value",
                        e.name.text,
                        e.section.keyword()
                    ),
                ),
            },
            // A resource a module or SAM makes (`MyFunctionRole`): named as written.
            Target::Unknown => match segments {
                [] => err(loc, "an empty reference"),
                [one] => Ok(Expr::Ref(one.text.clone())),
                [head, attr @ ..] => Ok(Expr::GetAtt(head.text.clone(), path_text(attr))),
            },
        }
    }

    /// A condition, or an operand of `Fn::And`/`Fn::Or`/`Fn::Not`: a bare
    /// name is `{"Condition": "Name"}` there, whatever else has that name.
    pub fn condition_operand(&self, v: &Value) -> Result<Expr> {
        match v {
            Value::Path { segments }
                if segments.len() == 1
                    && self
                        .scope
                        .entry(Section::Condition, &segments[0].text)
                        .is_some() =>
            {
                Ok(Expr::Condition(segments[0].text.clone()))
            }
            other => self.expr(other),
        }
    }

    /// `Fn::Name(args…)` → `{"Fn::Name": [args…]}` (or the one argument as
    /// is, for a function that takes no array).
    fn intrinsic(&self, func: &Name, args: &[Value]) -> Result<Expr> {
        let Some(f) = intrinsic(&func.text) else {
            return err(
                func.loc,
                format!("`{}` is not a CloudFormation function", func.text),
            );
        };
        let mut out = Vec::with_capacity(args.len());
        for (i, a) in args.iter().enumerate() {
            out.push(match (f.name, i, a) {
                // A name, not a value: the condition `Fn::If` tests, the map
                // `Fn::FindInMap` reads, the resource `Fn::GetAtt` reads, the
                // parameter `Fn::ValueOf` reads.
                // A map's name may be a parameter's value (`Ref`).
                ("Fn::FindInMap", 0, v @ Value::Path { segments })
                    if self
                        .scope
                        .entry(Section::Mapping, &path_text(segments))
                        .is_none() =>
                {
                    self.expr(v)?
                }
                ("Fn::If" | "Fn::FindInMap" | "Fn::ValueOf", 0, Value::Path { segments }) => {
                    Expr::Str(path_text(segments))
                }
                // A condition's operand: a name is a condition's, even when a
                // parameter has the same name.
                ("Fn::And" | "Fn::Or" | "Fn::Not", _, v) => self.condition_operand(v)?,
                ("Fn::GetAtt", 0, v @ Value::Path { .. }) => match self.logical_name(v) {
                    Some(id) => Expr::Str(id),
                    None => self.expr(v)?,
                },
                // The text of an explicit `Fn::Sub`: its own variables stay as written.
                ("Fn::Sub", 0, Value::Str { text, loc }) => {
                    let local: Vec<&str> = match args.get(1) {
                        Some(Value::Object { fields, .. }) => {
                            fields.iter().map(|f| f.key.text.as_str()).collect()
                        }
                        _ => Vec::new(),
                    };
                    // It stays a `Fn::Sub`, so its text keeps its `${!…}`
                    // escapes even when no variable is left.
                    match self.sub_text(text, *loc, &local)? {
                        (s, vars) if vars.is_empty() => Expr::Str(s),
                        (s, vars) => Expr::Sub(s, vars),
                    }
                }
                _ => self.expr(a)?,
            });
        }
        let arg = match (f.direct, f.name) {
            // `Fn::GetAZs()` is the region's own zones: `{"Fn::GetAZs": ""}`.
            (true, _) => out.into_iter().next().unwrap_or_else(|| Expr::str("")),
            // `Fn::Sub` with no variables is its text alone.
            (false, "Fn::Sub") if out.len() == 1 => out.remove(0),
            _ => Expr::List(out),
        };
        Ok(Expr::Fn(f.name.to_string(), Box::new(arg)))
    }

    /// The logical ID a reference resolves to, when it is a resource of this stack.
    pub fn local_id(&self, v: &Value) -> Option<String> {
        let Value::Path { segments } = v else {
            return None;
        };
        match self.scope.resolve(segments) {
            Ok(Target::Resource { decl, .. }) if !self.is_replaced(decl) => {
                Some(logical_id(&decl.name.text))
            }
            _ => None,
        }
    }

    /// As [`Self::local_id`], or the name as written of a resource a module
    /// or SAM adds to the stack (`MyFunctionRole`): what `DependsOn` and
    /// `Fn::GetAtt` name.
    pub fn logical_name(&self, v: &Value) -> Option<String> {
        self.local_id(v).or_else(|| match v {
            Value::Path { segments } if segments.len() == 1 => {
                matches!(self.scope.resolve(segments), Ok(Target::Unknown))
                    .then(|| segments[0].text.clone())
            }
            _ => None,
        })
    }

    fn bound(&self, param: &str, attr: Option<&str>, loc: Loc) -> Result<Expr> {
        match (self.bindings.0.get(param), attr) {
            (Some(Bound::Str(s)), None) => Ok(Expr::Str(s.clone())),
            (Some(Bound::Int(i)), None) => Ok(Expr::Int(*i)),
            (Some(Bound::Bool(b)), None) => Ok(Expr::Bool(*b)),
            (Some(Bound::Duration(secs)), None) => {
                Ok(Expr::Int(i64::try_from(*secs).unwrap_or(i64::MAX)))
            }
            (Some(Bound::List(_)), None) => err(
                loc,
                format!("list parameter `{param}` is not a single value here"),
            ),
            (Some(Bound::Resource(h)), Some(a)) => match h.attrs.get(a) {
                Some(e) => Ok(e.clone()),
                None => err(
                    loc,
                    format!("`{param}.{a}` is not known for a resource from outside this stack"),
                ),
            },
            // A bare reference means what `Ref` means for the kind: a topic's ARN, a bucket's name.
            (Some(Bound::Resource(h)), None) => {
                let ref_attr = self
                    .scope
                    .kinds
                    .kind(&h.kind)
                    .and_then(|k| k.attrs.iter().find(|a| matches!(a.value, AttrValue::Ref)))
                    .map_or("name", |a| a.name);
                h.attrs
                    .get(ref_attr)
                    .cloned()
                    .map_or_else(|| err(loc, format!("`{param}` has no `{ref_attr}`")), Ok)
            }
            (Some(_), Some(a)) => err(loc, format!("parameter `{param}` has no attribute `{a}`")),
            (None, _) => err(loc, format!("parameter `{param}` was not given")),
        }
    }

    /// A string with `${…}` interpolations → `Fn::Sub` (or a plain string when none remain).
    fn string(&self, text: &str, loc: Loc) -> Result<Expr> {
        self.string_except(text, loc, &[])
    }

    /// As [`Self::string`], with `local` variables (an explicit `Fn::Sub`'s
    /// own) kept as written.
    fn string_except(&self, text: &str, loc: Loc, local: &[&str]) -> Result<Expr> {
        if !text.contains("${") {
            return Ok(Expr::Str(text.to_string()));
        }
        let (out, vars) = self.sub_text(text, loc, local)?;
        if !sub_variables(&out).is_empty() || !vars.is_empty() {
            Ok(Expr::Sub(out, vars))
        } else {
            Ok(Expr::Str(out.replace("${!", "${")))
        }
    }

    /// The text of a `Fn::Sub` for `text`, references made logical IDs and
    /// known values put in place, its escapes (`${!…}`) kept; and the
    /// variables it needs besides.
    fn sub_text(
        &self,
        text: &str,
        loc: Loc,
        local: &[&str],
    ) -> Result<(String, BTreeMap<String, Expr>)> {
        let mut out = String::new();
        let mut vars: BTreeMap<String, Expr> = BTreeMap::new();
        for piece in sub_pieces(text) {
            let var = match piece {
                SubPiece::Text(t) => {
                    out.push_str(t);
                    continue;
                }
                // `${!text}` is CloudFormation's escape for a literal `${text}`.
                SubPiece::Var(v) if v.starts_with('!') => {
                    out.push_str(&format!("${{{v}}}"));
                    continue;
                }
                SubPiece::Var(v) if local.contains(&v) => {
                    out.push_str(&format!("${{{v}}}"));
                    continue;
                }
                SubPiece::Var(v) => v,
            };
            let Some(segments) = interpolation_path(var, loc) else {
                if var.contains(':') && !var.contains("::") {
                    // An IAM policy variable: literal text for `Fn::Sub`.
                    out.push_str(&format!("${{!{var}}}"));
                } else {
                    out.push_str(&format!("${{{var}}}"));
                }
                continue;
            };
            match self.path(&segments, None)? {
                Expr::Ref(id) => out.push_str(&format!("${{{id}}}")),
                Expr::GetAtt(id, a) => out.push_str(&format!("${{{id}.{a}}}")),
                Expr::Sub(s, v) if v.is_empty() => out.push_str(&s),
                Expr::Str(s) => out.push_str(&s.replace("${", "${!")),
                Expr::Int(i) => out.push_str(&i.to_string()),
                other => {
                    let name = format!("Var{}", vars.len());
                    out.push_str(&format!("${{{name}}}"));
                    vars.insert(name, other);
                }
            }
        }
        Ok((out, vars))
    }

    pub fn str_field(&self, fields: &[Field], key: &str) -> Option<String> {
        match field(fields, key) {
            Some(Value::Str { text, .. }) => Some(text.clone()),
            _ => None,
        }
    }

    pub fn int_field(&self, fields: &[Field], key: &str) -> Option<i64> {
        match field(fields, key) {
            Some(Value::Int { value, .. }) => Some(*value),
            _ => None,
        }
    }

    /// A property the checks require: every checked declaration has it, so
    /// its absence means the lowering was handed an unchecked stack.
    pub fn required<'f>(&self, d: &'f ResourceDecl, key: &str) -> Result<&'f Value> {
        field(&d.fields, key).map_or_else(
            || {
                err(
                    d.name.loc,
                    format!(
                        "`{}` has no `{key}`: only a checked stack can be lowered",
                        d.name.text
                    ),
                )
            },
            Ok,
        )
    }

    /// A boolean property, or its default from the kind's table.
    pub fn flag(&self, props: &[Prop], fields: &[Field], key: &str) -> bool {
        match field(fields, key) {
            Some(Value::Bool { value, .. }) => *value,
            _ => matches!(default_of(props, key), Dflt::Bool(true)),
        }
    }

    /// A whole-number property, or its default from the kind's table.
    pub fn number(&self, props: &[Prop], fields: &[Field], key: &str) -> Option<i64> {
        self.int_field(fields, key)
            .or(match default_of(props, key) {
                Dflt::Int(i) => Some(i),
                _ => None,
            })
    }

    /// A duration property in seconds, or its default from the kind's table.
    pub fn duration(&self, props: &[Prop], fields: &[Field], key: &str) -> Option<i64> {
        seconds_or_default(props, fields, key)
    }

    /// The CloudFormation value of an enum property (as given, or its
    /// default), read from the property's own variant table: a variant the
    /// checks accepted always has its value there.
    pub fn variant(
        &self,
        props: &[Prop],
        fields: &[Field],
        key: &str,
    ) -> Result<Option<&'static str>> {
        let Some(prop) = props.iter().find(|p| p.name == key) else {
            return err(Loc::NONE, format!("internal: no property `{key}`"));
        };
        let Ty::Enum(table) = &prop.ty else {
            return err(Loc::NONE, format!("internal: `{key}` is not an enum"));
        };
        let given = match field(fields, key) {
            Some(Value::Path { segments }) if segments.len() == 1 => Some(&segments[0]),
            _ => None,
        };
        let name = match (given, prop.default) {
            (Some(g), _) => g.text.as_str(),
            (None, Dflt::Variant(v)) => v,
            (None, _) => return Ok(None),
        };
        match table.iter().find(|(v, _)| *v == name) {
            Some((_, cfn)) => Ok(Some(cfn)),
            None => err(
                given.map_or(Loc::NONE, |g| g.loc),
                format!("`{name}` is not a variant of `{key}`"),
            ),
        }
    }

    /// The CloudFormation value of an enum property that has a default: as
    /// given, or the default, never nothing.
    pub fn chosen(&self, props: &[Prop], fields: &[Field], key: &str) -> Result<&'static str> {
        defaulted(self.variant(props, fields, key)?, key)
    }

    /// A whole-number property that has a default: as given, or the default.
    pub fn number_of(&self, props: &[Prop], fields: &[Field], key: &str) -> Result<i64> {
        defaulted(self.number(props, fields, key), key)
    }

    /// A duration property (seconds) that has a default: as given, or the default.
    pub fn seconds_of(&self, props: &[Prop], fields: &[Field], key: &str) -> Result<i64> {
        defaulted(self.duration(props, fields, key), key)
    }

    /// A duration property in seconds.
    pub fn seconds(&self, fields: &[Field], key: &str) -> Option<i64> {
        field(fields, key).and_then(literal_seconds)
    }
}

/// An attribute of a resource of this stack.
pub fn attr_expr(kind: &Kind, id: &str, attr: &str, loc: Loc) -> Result<Expr> {
    match kind.attr(attr).map(|a| &a.value) {
        Some(AttrValue::Ref) => Ok(Expr::Ref(id.to_string())),
        Some(AttrValue::GetAtt(a)) => Ok(Expr::GetAtt(id.to_string(), a.to_string())),
        Some(AttrValue::Sub(s)) => Ok(Expr::sub(s.replace("${Self}", id))),
        Some(AttrValue::Metric(..)) => err(loc, format!("`{attr}` is a metric, not a value")),
        Some(AttrValue::Linked(_)) => err(loc, format!("`{attr}` is a resource, not a value")),
        None => err(loc, format!("`{}` has no attribute `{attr}`", kind.name)),
    }
}

/// The value of a property whose table gives a default: there is always one.
fn defaulted<T>(found: Option<T>, key: &str) -> Result<T> {
    found.map_or_else(
        || {
            err(
                Loc::NONE,
                format!("internal: `{key}` has neither a value nor a default"),
            )
        },
        Ok,
    )
}

/// What an absent property stands for, from its kind's table.
fn default_of(props: &[Prop], key: &str) -> Dflt {
    props
        .iter()
        .find(|p| p.name == key)
        .map_or(Dflt::None, |p| p.default)
}
