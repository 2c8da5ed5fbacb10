//! CloudFormation's intrinsic functions, wherever a template value may be:
//! each is a function CloudFormation has, in a place it takes it (`Fn::Equals`
//! only in a condition), with its number of arguments; the names it takes
//! (a condition for `Fn::If`, a mapping and its keys for `Fn::FindInMap`)
//! exist; its arguments are of the JSON type it reads; and the type it gives
//! is known, so the property it sets can judge it.

use crate::base::diag::{Diagnostic, Loc};
use crate::base::ir::*;
use crate::data::cfn::catalog::JsonType;
use crate::model::intrinsics::{intrinsic, Intrinsic, ParameterType, Place, INTRINSICS};
use crate::model::resolve::{Scope, Target};

/// Checks values outside a resource's schema (outputs, conditions, rules,
/// metadata, a function's arguments), and tells what JSON type each gives.
pub struct Expressions<'s, 'a> {
    pub scope: &'s Scope<'a>,
    pub place: Place,
}

/// `Fn::Selct`: no function of CloudFormation's, with the one meant.
pub fn unknown_function(name: &Name) -> Diagnostic {
    Diagnostic::new(
        name.loc,
        format!("`{}` is not a CloudFormation function", name.text),
    )
    .suggest(&name.text, INTRINSICS.iter().map(|i| i.name))
}

impl Expressions<'_, '_> {
    /// The findings for `v`, and its JSON type when it is known before deploy time.
    pub fn check(&self, v: &Value, out: &mut Vec<Diagnostic>) -> Option<JsonType> {
        match v {
            Value::Str { text, loc } => {
                self.interpolations(text, *loc, &[], out);
                Some(JsonType::String)
            }
            Value::Int { .. } => Some(JsonType::Integer),
            Value::Float { .. } => Some(JsonType::Number),
            Value::Bool { .. } => Some(JsonType::Boolean),
            Value::List { items, .. } => {
                items.iter().for_each(|i| {
                    self.check(i, out);
                });
                Some(JsonType::Array)
            }
            Value::Object { fields, tag, .. } => {
                if let Some(t) = tag {
                    out.push(Diagnostic::new(
                        t.loc,
                        format!("`{} {{ … }}` is not a CloudFormation value", t.text),
                    ));
                }
                fields.iter().for_each(|f| {
                    self.check(&f.value, out);
                });
                Some(JsonType::Object)
            }
            Value::Path { segments } => self.reference(segments, out),
            Value::Call { func, args } => self.call(func, args, out),
            Value::Statement(s) => {
                out.push(Diagnostic::new(
                    s.loc,
                    "a policy statement is not a CloudFormation value here",
                ));
                None
            }
        }
    }

    /// A reference's JSON type, or a finding when it names no value.
    pub fn reference(&self, segments: &[Name], out: &mut Vec<Diagnostic>) -> Option<JsonType> {
        let loc = segments.first().map_or(Loc::NONE, |s| s.loc);
        let target = match self.scope.resolve(segments) {
            Ok(t) => t,
            Err(d) => {
                out.push(d);
                return None;
            }
        };
        if self.place != Place::Value {
            if let Some(name) = matches!(target, Target::Resource { .. })
                .then(|| target.name())
                .flatten()
            {
                out.push(
                    Diagnostic::new(
                        loc,
                        format!("a condition cannot read resource `{name}`: CloudFormation evaluates conditions before it creates anything"),
                    )
                    .help("compare parameters, pseudo parameters (`AWS::Region`) and mappings' values"),
                );
                return None;
            }
        }
        value_type(&target, segments, out)
    }

    /// A call to one of CloudFormation's functions.
    pub fn call(&self, func: &Name, args: &[Value], out: &mut Vec<Diagnostic>) -> Option<JsonType> {
        let f = self.function(func, args, out)?;
        let arg = |i: usize| args.get(i);
        match f.name {
            "Fn::If" => {
                self.condition_name(arg(0), out);
                // Both branches are checked, whichever the condition picks.
                let a = arg(1).and_then(|v| self.branch(v, out));
                let b = arg(2).and_then(|v| self.branch(v, out));
                return if a == b { a } else { None };
            }
            "Fn::FindInMap" => return self.find_in_map(args, out),
            "Fn::Sub" => {
                let locals: Vec<&str> = match arg(1) {
                    Some(Value::Object { fields, .. }) => {
                        fields.iter().map(|f| f.key.text.as_str()).collect()
                    }
                    Some(other) => {
                        out.push(Diagnostic::new(
                            other.loc(),
                            "`Fn::Sub`'s variables are an object: `{ Var: value }`",
                        ));
                        Vec::new()
                    }
                    None => Vec::new(),
                };
                match arg(0) {
                    Some(Value::Str { text, loc }) => self.interpolations(text, *loc, &locals, out),
                    // A macro writes the text when the stack is deployed.
                    Some(call @ Value::Call { func, .. }) if func.text == "Fn::Transform" => {
                        self.check(call, out);
                    }
                    Some(other) => out.push(Diagnostic::new(
                        other.loc(),
                        "`Fn::Sub` takes its text as a string literal",
                    )),
                    None => {}
                }
                if let Some(Value::Object { fields, .. }) = arg(1) {
                    for f in fields {
                        self.check(&f.value, out);
                    }
                }
            }
            "Fn::GetAtt" => {
                match (arg(0), arg(1)) {
                    (Some(Value::Path { segments }), Some(Value::Str { text, loc })) => {
                        let mut path = segments.clone();
                        path.extend(text.split('.').map(|t| Name::new(t, *loc)));
                        return self.reference(&path, out);
                    }
                    (Some(other), _) => out.push(
                        Diagnostic::new(
                            other.loc(),
                            "`Fn::GetAtt` takes a resource and an attribute's name",
                        )
                        .help("write `Resource.Attribute`"),
                    ),
                    _ => {}
                }
                return None;
            }
            "Fn::GetStackOutput" => {
                const KEYS: [&str; 4] = ["StackName", "OutputName", "Region", "RoleArn"];
                match arg(0) {
                    Some(Value::Object {
                        tag: None,
                        fields,
                        loc,
                    }) => {
                        for field in fields {
                            if KEYS.contains(&field.key.text.as_str()) {
                                self.operand(&field.value, JsonType::String, f, out);
                            } else {
                                out.push(
                                    Diagnostic::new(
                                        field.key.loc,
                                        format!(
                                            "`Fn::GetStackOutput` takes no `{}`",
                                            field.key.text
                                        ),
                                    )
                                    .suggest(&field.key.text, KEYS.iter().copied()),
                                );
                            }
                        }
                        for needed in &KEYS[..2] {
                            if !fields.iter().any(|field| field.key.text == *needed) {
                                out.push(Diagnostic::new(
                                    *loc,
                                    format!("`Fn::GetStackOutput` needs `{needed}`"),
                                ));
                            }
                        }
                    }
                    Some(other) => out.push(Diagnostic::new(
                        other.loc(),
                        "`Fn::GetStackOutput` takes `{ StackName: …, OutputName: … }`",
                    )),
                    None => {}
                }
                return None;
            }
            "Fn::ImportValue" => {
                if let Some(v) = arg(0) {
                    self.operand(v, JsonType::String, f, out);
                    let mut resources = Vec::new();
                    self.scope.referenced(v, &mut resources);
                    if let Some(r) = resources.first() {
                        out.push(
                            Diagnostic::new(
                                v.loc(),
                                format!("the name `Fn::ImportValue` imports cannot depend on resource `{r}`: CloudFormation needs it before it creates anything"),
                            )
                            .help("build the export's name from parameters and pseudo parameters (`${AWS::StackName}`)"),
                        );
                    }
                }
            }
            "Fn::Select" => {
                if let Some(index) = arg(0) {
                    self.index(index, out);
                }
                if let Some(list) = arg(1) {
                    self.operand(list, JsonType::Array, f, out);
                    if let (Some(i), Value::List { items, loc }) =
                        (arg(0).and_then(literal_index), list)
                    {
                        if i >= items.len() {
                            out.push(Diagnostic::new(
                                *loc,
                                format!("`Fn::Select` picks item {i} of a list of {}", items.len()),
                            ));
                        }
                    }
                }
            }
            "Fn::Split" => {
                self.delimiter(arg(0), f, out);
                if let Some(v) = arg(1) {
                    self.operand(v, JsonType::String, f, out);
                }
            }
            "Fn::Join" => {
                self.delimiter(arg(0), f, out);
                if let Some(v) = arg(1) {
                    self.operand(v, JsonType::Array, f, out);
                }
            }
            "Fn::Base64" | "Fn::GetAZs" => {
                if let Some(v) = arg(0) {
                    self.operand(v, JsonType::String, f, out);
                }
            }
            "Fn::Cidr" => {
                if let Some(v) = arg(0) {
                    self.operand(v, JsonType::String, f, out);
                }
                // CloudFormation's bounds: up to 256 blocks, 1 to 128 bits each.
                for (i, (lo, hi)) in [(1, 2, 256), (2, 1, 128)].map(|(i, lo, hi)| (i, (lo, hi))) {
                    let Some(v) = arg(i) else { continue };
                    match literal_number(v) {
                        Some(n) if n < lo || n > hi => out.push(Diagnostic::new(
                            v.loc(),
                            format!(
                                "`Fn::Cidr`'s {} is {lo} to {hi}, not {n}",
                                if i == 1 { "count" } else { "bits per block" }
                            ),
                        )),
                        Some(_) => {}
                        None => {
                            self.operand(v, JsonType::Integer, f, out);
                        }
                    }
                }
            }
            "Fn::Equals" => {
                for v in args {
                    self.check(v, out);
                }
            }
            "Fn::And" | "Fn::Or" | "Fn::Not" => {
                for v in args {
                    self.condition_operand(v, out);
                }
            }
            _ => {
                for v in args {
                    self.check(v, out);
                }
            }
        }
        f.returns
    }

    /// The function `func` names, when it is one this place takes with this
    /// many arguments.
    fn function(
        &self,
        func: &Name,
        args: &[Value],
        out: &mut Vec<Diagnostic>,
    ) -> Option<&'static Intrinsic> {
        let Some(f) = intrinsic(&func.text) else {
            out.push(unknown_function(func));
            return None;
        };
        let allowed = matches!(
            (f.place, self.place),
            (Place::Value, _)
                | (Place::Condition, Place::Condition | Place::Rule)
                | (Place::Rule, Place::Rule)
        );
        if !allowed {
            let d = Diagnostic::new(
                func.loc,
                match f.place {
                    Place::Condition => {
                        format!("`{}` is written in a condition, not in a value", f.name)
                    }
                    _ => format!("`{}` is written in a rule's assertion", f.name),
                },
            );
            out.push(if f.place == Place::Condition {
                d.help(format!(
                    "declare `condition IsSo = {}(…);` in the stack and pick a value with `Fn::If(IsSo, then, else)`",
                    f.name
                ))
            } else {
                d
            });
            return None;
        }
        let (min, max) = f.arity;
        if args.len() < min || args.len() > max {
            let n = if min == max {
                format!("{min}")
            } else {
                format!("{min} to {max}")
            };
            out.push(
                Diagnostic::new(
                    func.loc,
                    format!(
                        "`{}` takes {n} argument{}, not {}",
                        f.name,
                        if max == 1 { "" } else { "s" },
                        args.len()
                    ),
                )
                .help(f.doc),
            );
            return None;
        }
        Some(f)
    }

    /// A value `f` reads as `want`: a list where a list is asked for, a
    /// scalar where a scalar is (CloudFormation converts between scalars).
    fn operand(&self, v: &Value, want: JsonType, f: &Intrinsic, out: &mut Vec<Diagnostic>) {
        let Some(got) = self.check(v, out) else {
            return;
        };
        let list = |t: JsonType| t == JsonType::Array;
        let object = |t: JsonType| t == JsonType::Object;
        if list(want) != list(got) || object(got) {
            out.push(
                Diagnostic::new(
                    v.loc(),
                    format!(
                        "`{}` reads {} here, not {}",
                        f.name,
                        want.describe(),
                        got.describe()
                    ),
                )
                .help(f.doc),
            );
        }
    }

    fn branch(&self, v: &Value, out: &mut Vec<Diagnostic>) -> Option<JsonType> {
        match v {
            Value::Path { segments } if is_no_value(segments) => None,
            _ => self.check(v, out),
        }
    }

    fn delimiter(&self, v: Option<&Value>, f: &Intrinsic, out: &mut Vec<Diagnostic>) {
        match v {
            Some(Value::Str { .. }) | None => {}
            Some(other) => out.push(
                Diagnostic::new(
                    other.loc(),
                    format!("`{}`'s delimiter is a string literal", f.name),
                )
                .help(f.doc),
            ),
        }
    }

    fn index(&self, v: &Value, out: &mut Vec<Diagnostic>) {
        match v {
            Value::Int { value, loc } if *value < 0 => {
                out.push(Diagnostic::new(*loc, "`Fn::Select`'s index counts from 0"))
            }
            Value::Str { text, loc } if !text.contains("${") && text.parse::<u32>().is_err() => out
                .push(Diagnostic::new(
                    *loc,
                    format!("`Fn::Select`'s index is a whole number, not \"{text}\""),
                )),
            Value::Int { .. } | Value::Str { .. } => {}
            other => {
                if let Some(t) = self.check(other, out) {
                    if matches!(t, JsonType::Array | JsonType::Object | JsonType::Boolean) {
                        out.push(Diagnostic::new(
                            other.loc(),
                            format!(
                                "`Fn::Select`'s index is a whole number, not {}",
                                t.describe()
                            ),
                        ));
                    }
                }
            }
        }
    }

    /// `Fn::If`'s first argument: a condition of this stack.
    fn condition_name(&self, v: Option<&Value>, out: &mut Vec<Diagnostic>) {
        let Some(v) = v else { return };
        match v {
            Value::Path { segments } if segments.len() == 1 => {
                if self.scope.entry(Section::Condition, &segments[0].text).is_none() {
                    out.push(self.no_condition(&segments[0]));
                }
            }
            other => out.push(
                Diagnostic::new(other.loc(), "`Fn::If` tests a condition of this stack, by name")
                    .help("`Fn::If(IsProduction, then, else)`, with `condition IsProduction = Fn::Equals(…);`"),
            ),
        }
    }

    fn no_condition(&self, name: &Name) -> Diagnostic {
        Diagnostic::new(
            name.loc,
            format!("`{}` is not a condition of this stack", name.text),
        )
        .suggest(
            &name.text,
            self.scope
                .entries
                .keys()
                .filter(|(s, _)| *s == Section::Condition)
                .map(|(_, n)| *n),
        )
    }

    /// An operand of `Fn::And`/`Fn::Or`/`Fn::Not`: a condition, by name or
    /// as a condition function.
    fn condition_operand(&self, v: &Value, out: &mut Vec<Diagnostic>) {
        match v {
            Value::Path { segments } if segments.len() == 1 => {
                if self
                    .scope
                    .entry(Section::Condition, &segments[0].text)
                    .is_none()
                {
                    out.push(self.no_condition(&segments[0]));
                }
            }
            Value::Call { func, args } => {
                if self
                    .call(func, args, out)
                    .is_some_and(|t| t != JsonType::Boolean)
                {
                    out.push(Diagnostic::new(
                        func.loc,
                        format!("`{}` is not a condition", func.text),
                    ));
                }
            }
            other => out.push(Diagnostic::new(
                other.loc(),
                "a condition is a condition's name or `Fn::Equals`, `Fn::And`, `Fn::Or`, `Fn::Not`",
            )),
        }
    }

    /// `Fn::FindInMap(Map, key, key)`: the mapping exists, and each key
    /// written as a literal is one of its keys.
    fn find_in_map(&self, args: &[Value], out: &mut Vec<Diagnostic>) -> Option<JsonType> {
        // The map's name may itself be looked up: a deploy-time parameter's
        // value or another `Fn::FindInMap` (CloudFormation allows both), so
        // only the lookup's own arguments can be checked.
        let computed = match args.first() {
            Some(Value::Path { segments }) if segments.len() == 1 => {
                segments[0].text.starts_with("AWS::")
                    || self
                        .scope
                        .entry(Section::Parameter, &segments[0].text)
                        .is_some()
            }
            // Other functions need AWS::LanguageExtensions, which the
            // sections' rule asks for.
            Some(Value::Call { .. }) => true,
            _ => false,
        };
        if computed {
            for a in args {
                self.check(a, out);
            }
            return None;
        }
        let map = match args.first() {
            Some(Value::Path { segments }) if segments.len() == 1 => {
                match self.scope.entry(Section::Mapping, &segments[0].text) {
                    Some(m) => m,
                    None => {
                        out.push(
                            Diagnostic::new(
                                segments[0].loc,
                                format!("`{}` is not a mapping of this stack", segments[0].text),
                            )
                            .suggest(
                                &segments[0].text,
                                self.scope
                                    .entries
                                    .keys()
                                    .filter(|(s, _)| *s == Section::Mapping)
                                    .map(|(_, n)| *n),
                            ),
                        );
                        return None;
                    }
                }
            }
            Some(other) => {
                out.push(
                    Diagnostic::new(
                        other.loc(),
                        "`Fn::FindInMap` reads a mapping of this stack, by name",
                    )
                    .help("`Fn::FindInMap(RegionMap, AWS::Region, \"AMI\")`"),
                );
                return None;
            }
            None => return None,
        };
        for key in &args[1..args.len().min(3)] {
            self.check(key, out);
        }
        // The fourth argument is `{ DefaultValue: … }` (AWS::LanguageExtensions).
        if let Some(d) = args.get(3) {
            self.check(d, out);
        }
        let Value::Object { fields: top, .. } = &map.value else {
            return None;
        };
        fn literal(v: Option<&Value>) -> Option<(&str, Loc)> {
            match v {
                Some(Value::Str { text, loc }) if !text.contains("${") => {
                    Some((text.as_str(), *loc))
                }
                _ => None,
            }
        }
        let defaulted = args.len() == 4;
        let first: Vec<&[Field]> = match literal(args.get(1)) {
            Some((k, loc)) => match field(top, k) {
                Some(Value::Object { fields, .. }) => vec![fields.as_slice()],
                _ if defaulted => return None,
                _ => {
                    out.push(
                        Diagnostic::new(
                            loc,
                            format!("mapping `{}` has no key `{k}`", map.name.text),
                        )
                        .suggest(k, top.iter().map(|f| f.key.text.as_str())),
                    );
                    return None;
                }
            },
            None => top
                .iter()
                .filter_map(|f| match &f.value {
                    Value::Object { fields, .. } => Some(fields.as_slice()),
                    _ => None,
                })
                .collect(),
        };
        let found: Vec<&Value> = match literal(args.get(2)) {
            Some((k, loc)) => {
                let found: Vec<&Value> = first.iter().filter_map(|f| field(f, k)).collect();
                // A key that no entry has is a typo in every region; one that
                // only some entries have fails only where it is missing.
                if found.is_empty() && !defaulted {
                    out.push(
                        Diagnostic::new(
                            loc,
                            format!("no entry of mapping `{}` has the key `{k}`", map.name.text),
                        )
                        .suggest(
                            k,
                            first
                                .iter()
                                .flat_map(|f| f.iter().map(|x| x.key.text.as_str())),
                        ),
                    );
                    return None;
                }
                found
            }
            None => first
                .iter()
                .flat_map(|f| f.iter().map(|x| &x.value))
                .collect(),
        };
        let types: Vec<Option<JsonType>> = found.iter().map(|v| literal_type(v)).collect();
        match types.first() {
            Some(Some(t)) if types.iter().all(|x| x == &Some(*t)) => Some(*t),
            _ => None,
        }
    }

    /// The references inside a `Fn::Sub` string resolve (`locals` are its
    /// own variables).
    fn interpolations(&self, text: &str, loc: Loc, locals: &[&str], out: &mut Vec<Diagnostic>) {
        for var in crate::base::template::sub_variables(text) {
            if locals.contains(&var) {
                continue;
            }
            if let Some(segments) = crate::model::resolve::interpolation_path(var, loc) {
                match self.scope.resolve(&segments) {
                    Ok(Target::Entry(e)) if e.section != Section::Parameter => {
                        out.push(Diagnostic::new(
                            loc,
                            format!(
                                "`${{{var}}}`: `{var}` is a {}, not a value",
                                e.section.keyword()
                            ),
                        ))
                    }
                    Ok(_) => {}
                    Err(d) => out.push(d),
                }
            } else if let Some(p) = var.strip_prefix("AWS::") {
                if !crate::base::template::pseudo::ALL
                    .iter()
                    .any(|x| x.strip_prefix("AWS::") == Some(p))
                {
                    out.push(
                        Diagnostic::new(
                            loc,
                            format!("`${{{var}}}`: `{var}` is not a pseudo parameter"),
                        )
                        .suggest(var, crate::base::template::pseudo::ALL.iter().copied()),
                    );
                }
            }
        }
    }
}

/// The JSON type a reference gives, or a finding when it names no value.
pub fn value_type(
    target: &Target,
    segments: &[Name],
    out: &mut Vec<Diagnostic>,
) -> Option<JsonType> {
    let loc = segments.first().map_or(Loc::NONE, |s| s.loc);
    match target {
        Target::Pseudo(p) if *p == crate::base::template::pseudo::NO_VALUE => None,
        Target::Pseudo("AWS::NotificationARNs") => Some(JsonType::Array),
        Target::Pseudo(_) => Some(JsonType::String),
        Target::Entry(e) => match e.section {
            Section::Parameter => {
                Some(parameter_type(e).map_or(JsonType::String, ParameterType::json))
            }
            section => {
                let help = match section {
                    Section::Condition => {
                        format!("pick a value with `Fn::If({}, then, else)`", e.name.text)
                    }
                    Section::Mapping => {
                        format!("read it with `Fn::FindInMap({}, key, key)`", e.name.text)
                    }
                    _ => String::new(),
                };
                let d = Diagnostic::new(
                    loc,
                    format!("`{}` is a {}, not a value", e.name.text, section.keyword()),
                );
                out.push(if help.is_empty() { d } else { d.help(help) });
                None
            }
        },
        Target::Resource { attr, .. }
        | Target::Param {
            attr: attr @ Some(_),
            ..
        } => match attr.map(|a| &a.value) {
            Some(crate::model::kind::AttrValue::GetAtt(name)) => Some(attribute_type(target, name)),
            Some(
                crate::model::kind::AttrValue::Metric(..)
                | crate::model::kind::AttrValue::Linked(_),
            ) => None,
            _ => Some(JsonType::String),
        },
        Target::Param { param, .. } => match &param.ty {
            ParamType::Int => Some(JsonType::Integer),
            ParamType::Bool => Some(JsonType::Boolean),
            ParamType::List(_) => Some(JsonType::Array),
            ParamType::Str => Some(JsonType::String),
            _ => None,
        },
        Target::Unknown => None,
    }
}

/// A deploy-time parameter's type, when its entry names one CloudFormation knows.
pub fn parameter_type(e: &SectionEntry) -> Option<ParameterType> {
    match &e.value {
        Value::Object { fields, .. } => match field(fields, "Type") {
            Some(Value::Str { text, .. }) => ParameterType::parse(text),
            _ => None,
        },
        _ => None,
    }
}

pub fn is_no_value(segments: &[Name]) -> bool {
    segments.len() == 1 && segments[0].text == crate::base::template::pseudo::NO_VALUE
}

fn literal_index(v: &Value) -> Option<usize> {
    match v {
        Value::Int { value, .. } => usize::try_from(*value).ok(),
        Value::Str { text, .. } => text.parse().ok(),
        _ => None,
    }
}

fn literal_number(v: &Value) -> Option<i64> {
    match v {
        Value::Int { value, .. } => Some(*value),
        Value::Str { text, .. } => text.parse().ok(),
        _ => None,
    }
}

fn literal_type(v: &Value) -> Option<JsonType> {
    Some(match v {
        Value::Str { .. } => JsonType::String,
        Value::Int { .. } => JsonType::Integer,
        Value::Bool { .. } => JsonType::Boolean,
        Value::List { .. } => JsonType::Array,
        Value::Object { .. } => JsonType::Object,
        _ => return None,
    })
}

/// The JSON type of a raw resource's attribute, from its type's schema.
pub fn attribute_type(target: &Target, name: &str) -> JsonType {
    let schema = target.kind().and_then(crate::model::raw::schema_of);
    let Some(schema) = schema else {
        return JsonType::String;
    };
    let mut parts = name.split('.');
    let mut shape = parts.next().and_then(|p| schema.properties.get(p));
    for p in parts {
        shape = shape
            .map(|s| schema.resolve(s))
            .and_then(|s| s.properties.as_ref())
            .and_then(|props| props.get(p));
    }
    shape
        .map(|s| schema.resolve(s).types())
        .and_then(|t| t.first().copied())
        .unwrap_or(JsonType::String)
}
