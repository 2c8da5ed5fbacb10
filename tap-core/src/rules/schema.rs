//! A raw resource's properties against its type's schema: unknown and missing
//! properties (nested objects included), JSON types, enums, patterns, length,
//! numeric and item bounds, read-only properties, and references that resolve
//! to values of the right shape.

use crate::base::diag::{did_you_mean, Diagnostic, Diagnostics, Loc};
use crate::base::ir::*;
use crate::data::cfn::catalog::{JsonType, Shape, TypeSchema};
use crate::model::intrinsics::{is_intrinsic_name, Place};
use crate::model::kind::{AttrValue, Kind};
use crate::model::raw::{RESOURCE_ATTRIBUTES, TEMPLATE_ATTRIBUTES};
use crate::model::resolve::{interpolation_path, Scope, Target};
use crate::rules::intrinsics::Expressions;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// How deep `$ref`s and alternatives are followed for one value; schemas are
/// finite trees in practice, this only guards a cyclic one.
const MAX_DEPTH: usize = 48;

pub struct Validator<'s, 'a> {
    pub schema: &'static TypeSchema,
    pub kind: &'static Kind,
    pub scope: &'s Scope<'a>,
}

impl Validator<'_, '_> {
    /// Every finding for a raw resource's fields (not `because`, judged apart).
    pub fn resource(&self, decl: &ResourceDecl, fields: &[Field], diags: &mut Diagnostics) {
        for (i, f) in fields.iter().enumerate() {
            let key = &f.key.text;
            if fields[..i].iter().any(|g| &g.key.text == key) {
                diags.error(f.key.loc, format!("`{key}` is set twice"));
                continue;
            }
            if let Some((_, values)) = RESOURCE_ATTRIBUTES.iter().find(|(n, _)| n == key) {
                self.resource_attribute(key, *values, &f.value, diags);
                continue;
            }
            // The attributes a type has no property of the same name for
            // (`AWS::Events::EventBusPolicy` has a `Condition` property).
            if TEMPLATE_ATTRIBUTES.contains(&key.as_str())
                && !self.schema.properties.contains_key(key)
            {
                self.template_attribute(key, &f.value, diags);
                continue;
            }
            let custom = crate::data::cfn::catalog::is_custom(&self.schema.name);
            let Some(shape) = self.schema.properties.get(key) else {
                // A custom resource's properties are its provider's: any JSON.
                if custom {
                    let mut out = Vec::new();
                    self.expressions().check(&f.value, &mut out);
                    diags.extend(out);
                    continue;
                }
                let names = self.schema.properties.keys().map(String::as_str);
                let d = Diagnostic::new(
                    f.key.loc,
                    format!("`{}` has no property `{key}`", self.kind.name),
                );
                diags.push(match did_you_mean(key, names) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help(format!(
                        "its properties are: {}",
                        self.schema
                            .properties
                            .keys()
                            .filter(|p| !self.schema.is_read_only(p))
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                });
                continue;
            };
            if self.schema.is_read_only(key) {
                // A writable property of a like name is what was meant
                // (`AWS::Neptune::DBCluster`'s `DBPort` for `Port`).
                let writable = self
                    .schema
                    .properties
                    .keys()
                    .filter(|p| !self.schema.is_read_only(p) && p.as_str() != key)
                    .filter(|p| p.contains(key.as_str()) || key.contains(p.as_str()))
                    .map(String::as_str)
                    .next();
                let d = Diagnostic::new(
                    f.key.loc,
                    format!(
                        "`{key}` is read-only: CloudFormation accepts it but never passes it to the `{}`, so the value is ignored (CloudFormation sets it itself)",
                        self.kind.cfn_type
                    ),
                );
                diags.push(match writable {
                    Some(w) => d.help(format!("did you mean `{w}`?")),
                    None => d.help(format!(
                        "remove it here, and read it elsewhere as `{}.{key}`",
                        decl.name.text
                    )),
                });
                continue;
            }
            diags.extend(self.value(&f.value, shape, key, 0));
            // Policy documents written as data: their actions, conditions and
            // principals, against the IAM catalog.
            crate::rules::documents::check(&f.value, key == "AssumeRolePolicyDocument", diags);
        }
        // A resource whose condition is never true is never created, so
        // CloudFormation never asks for its properties (`NullResource`, a
        // template's placeholder when it has nothing else).
        let never_created = match fields.iter().find(|f| f.key.text == "Condition") {
            Some(Field {
                value: Value::Path { segments },
                ..
            }) if segments.len() == 1 && !self.schema.properties.contains_key("Condition") => {
                crate::rules::sections::constant_condition(&segments[0].text, self.scope)
                    == Some(false)
            }
            _ => false,
        };
        if !never_created {
            diags.extend(self.required(
                &self.schema.required,
                fields,
                self.kind.name,
                decl.kind.loc,
            ));
        }
    }

    /// Required properties of `owner` (a type, or a nested object's path):
    /// each present, and not from an optional parameter that may leave it out.
    fn required(
        &self,
        required: &[String],
        fields: &[Field],
        owner: &str,
        loc: Loc,
    ) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for f in fields.iter().filter(|f| required.contains(&f.key.text)) {
            if let Some(param) = crate::model::params::absent_with(self.scope, &f.value) {
                out.push(
                    Diagnostic::new(
                        f.value.loc(),
                        format!(
                            "`{owner}` needs `{}`, but parameter `{}` is optional: when it is not given, `{}` is left out",
                            f.key.text, param.name.text, f.key.text
                        ),
                    )
                    .help(crate::model::params::absent_help(param)),
                );
            }
        }
        let missing: Vec<&str> = required
            .iter()
            .filter(|r| !fields.iter().any(|f| &f.key.text == *r))
            .map(String::as_str)
            .collect();
        if let Some(first) = missing.first() {
            out.push(
                Diagnostic::new(
                    loc,
                    format!(
                        "`{owner}` needs {}",
                        missing
                            .iter()
                            .map(|m| format!("`{m}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .help(format!("add `{first}: …`")),
            );
        }
        out
    }

    fn resource_attribute(
        &self,
        key: &str,
        values: Option<&[&str]>,
        v: &Value,
        diags: &mut Diagnostics,
    ) {
        match (values, v) {
            (Some(values), Value::Str { text, loc }) => {
                if !values.contains(&text.as_str()) {
                    let d = Diagnostic::new(*loc, format!("`{key}` is one of {}", quoted(values)));
                    diags.push(d.suggest(text, values.iter().copied()));
                }
            }
            (None, Value::List { items, .. }) => {
                for item in items {
                    self.depends_on(item, diags);
                }
            }
            (None, item @ Value::Path { .. }) => self.depends_on(item, diags),
            // Chosen at deploy time: a parameter's value, a mapping's, or
            // either branch of a condition (each literal branch checked).
            (Some(values), Value::Call { func, args })
                if func.text == "Fn::If" || func.text == "Fn::FindInMap" =>
            {
                let mut out = Vec::new();
                self.expressions().check(v, &mut out);
                diags.extend(out);
                if func.text == "Fn::If" {
                    for branch in args.iter().skip(1) {
                        if let Value::Str { .. } = branch {
                            self.resource_attribute(key, Some(values), branch, diags);
                        }
                    }
                }
            }
            (Some(_), Value::Path { segments })
                if segments.len() == 1
                    && self
                        .scope
                        .entry(crate::base::ir::Section::Parameter, &segments[0].text)
                        .is_some() => {}
            (Some(values), other) => diags.error(
                other.loc(),
                format!("`{key}` is one of {}, as a string", quoted(values)),
            ),
            (None, other) => diags.error(
                other.loc(),
                "`DependsOn` takes resources of this stack: `[queue, table]`",
            ),
        }
    }

    /// `Condition`, `Metadata`, `CreationPolicy`, `UpdatePolicy`.
    fn template_attribute(&self, key: &str, v: &Value, diags: &mut Diagnostics) {
        if key == "Condition" {
            crate::rules::sections::condition_name(v, self.scope, diags);
            return;
        }
        if !matches!(v, Value::Object { tag: None, .. }) {
            diags.error(v.loc(), format!("`{key}` is an object `{{ … }}`"));
            return;
        }
        // Which keys may be there is the names rule's to say: it knows the
        // stack's transforms.
        if key != crate::model::raw::OTHER_KEYS {
            crate::rules::attributes::check(key, v, self.kind.cfn_type, diags);
        }
        let mut out = Vec::new();
        self.expressions().check(v, &mut out);
        diags.extend(out);
    }

    fn depends_on(&self, v: &Value, diags: &mut Diagnostics) {
        match v {
            Value::Path { segments } if segments.len() == 1 => match self.scope.resolve(segments) {
                Ok(Target::Resource { .. } | Target::Unknown) => {}
                Ok(_) => diags.error(
                    v.loc(),
                    format!("`{}` is not a resource of this stack", segments[0].text),
                ),
                Err(d) => diags.push(d),
            },
            other => diags.error(
                other.loc(),
                "`DependsOn` takes resources of this stack: `[queue, table]`",
            ),
        }
    }

    /// The findings for one value against one shape (returned, not pushed, so
    /// that the alternatives of a `oneOf` can be tried in turn).
    fn value(&self, v: &Value, shape: &Shape, at: &str, depth: usize) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        if depth > MAX_DEPTH {
            return out;
        }
        if shape.json != 0 {
            // Free-form JSON (a policy document, a state machine definition):
            // its JSON type, and that the references in it resolve.
            if let Some(own) = json_type(v) {
                if !self.allows(shape, own) {
                    out.push(Diagnostic::new(
                        v.loc(),
                        format!(
                            "`{at}` is {}, not {}",
                            describe(&shape.types()),
                            own.describe()
                        ),
                    ));
                    return out;
                }
            }
            self.references_in(v, &mut out);
            return out;
        }
        self.local(v, shape, at, depth, &mut out);
        if let Some(def) = shape
            .definition
            .as_deref()
            .and_then(|d| self.schema.definition(d))
        {
            for d in self.value(v, def, at, depth + 1) {
                if !out.contains(&d) {
                    out.push(d);
                }
            }
        }
        // A function's result is judged whole in `local` (`Fn::If`'s
        // branches against this very shape): not once per alternative.
        let call = matches!(v, Value::Call { func, .. } if is_intrinsic_name(&func.text));
        if !shape.alternatives.is_empty() && !call {
            let tries: Vec<Vec<Diagnostic>> = shape
                .alternatives
                .iter()
                .map(|alt| self.value(v, alt, at, depth + 1))
                .collect();
            let formats: Vec<&str> = shape
                .alternatives
                .iter()
                .filter_map(|a| a.format.as_deref())
                .collect();
            if !tries.iter().any(Vec::is_empty) && formats.len() == shape.alternatives.len() {
                // Identifiers in one of several forms (a key's ID, ARN or alias): one finding names them all.
                if let Value::Str { text, loc } = v {
                    let last = formats.len() - 1;
                    let forms = if last == 0 {
                        format!("`{}`", formats[0])
                    } else {
                        format!(
                            "{} or `{}`",
                            formats[..last]
                                .iter()
                                .map(|f| format!("`{f}`"))
                                .collect::<Vec<_>>()
                                .join(", "),
                            formats[last]
                        )
                    };
                    // What a single form said of this value is said here whole.
                    out.retain(|d| d.loc != *loc);
                    out.push(
                        Diagnostic::new(
                            *loc,
                            format!("`{at}` takes the form of {forms}, not `\"{text}\"`"),
                        )
                        .help("the service refuses anything else when CloudFormation passes it on"),
                    );
                    return out;
                }
            }
            if !tries.iter().any(Vec::is_empty) {
                // None fits: report the alternative of the value's own JSON type.
                let own = json_type(v);
                let best = shape
                    .alternatives
                    .iter()
                    .position(|alt| own.is_some_and(|t| self.allows(alt, t)))
                    .unwrap_or(0);
                if let Some(found) = tries.into_iter().nth(best) {
                    out.extend(found);
                }
            }
        }
        out
    }

    /// The types a shape allows, following its definition when it says none.
    fn types_of(&self, shape: &Shape) -> Vec<JsonType> {
        let own = shape.types();
        if !own.is_empty() {
            return own;
        }
        match shape
            .definition
            .as_deref()
            .and_then(|d| self.schema.definition(d))
        {
            Some(def) if def.definition.as_deref() != shape.definition.as_deref() => {
                self.types_of(def)
            }
            _ => Vec::new(),
        }
    }

    fn allows(&self, shape: &Shape, t: JsonType) -> bool {
        let types = self.types_of(shape);
        types.is_empty()
            || types.contains(&t)
            || (t == JsonType::Integer && types.contains(&JsonType::Number))
    }

    /// The constraints of this node itself (not its definition or alternatives).
    fn local(&self, v: &Value, shape: &Shape, at: &str, depth: usize, out: &mut Vec<Diagnostic>) {
        let types = shape.types();
        let expected = || {
            types
                .iter()
                .map(|t| t.describe())
                .collect::<Vec<_>>()
                .join(" or ")
        };
        match v {
            Value::Path { segments } if crate::rules::intrinsics::is_no_value(segments) => {}
            Value::Path { segments } => {
                self.reference(segments, &types, at, out);
            }
            Value::Call { func, args } if is_intrinsic_name(&func.text) => {
                self.intrinsic(func, args, shape, at, depth, out);
            }
            Value::Call { func, .. } => out.push(
                Diagnostic::new(
                    func.loc,
                    format!("`{}(…)` is not a CloudFormation value", func.text),
                )
                .help(format!(
                    "`{at}` takes the value CloudFormation documents for it ({})",
                    if types.is_empty() {
                        "JSON".to_string()
                    } else {
                        expected()
                    }
                )),
            ),
            Value::Statement(s) => out.push(Diagnostic::new(
                s.loc,
                "a policy statement is not a CloudFormation value here",
            )),
            Value::Object { tag: Some(t), .. } => out.push(Diagnostic::new(
                t.loc,
                format!("`{} {{ … }}` is not a CloudFormation value", t.text),
            )),
            _ => {
                let Some(own) = json_type(v) else { return };
                // CloudFormation converts a numeric string where a number is
                // asked for, as AWS's own examples write them (`"5"`, `"0.5"`).
                let numeric = match v {
                    Value::Str { text, .. } => text.parse::<f64>().ok(),
                    _ => None,
                };
                // A string with `${…}` is known at deploy time, then converted
                // as any other (`Port: "${PortParameter}"`).
                let interpolated = matches!(v, Value::Str { text, .. }
                    if !crate::base::template::sub_variables(text).is_empty());
                if interpolated
                    && types.iter().any(|t| {
                        matches!(t, JsonType::Integer | JsonType::Number | JsonType::Boolean)
                    })
                {
                    return;
                }
                let fraction = numeric.is_some()
                    && (types.contains(&JsonType::Number)
                        || (types.contains(&JsonType::Integer)
                            && numeric.is_some_and(|n| n.fract() == 0.0)));
                // CloudFormation converts the other scalars too: `"true"` where
                // a boolean is asked for, a number or a boolean where a string
                // is (`MinSize: 2`, `IpProtocol: -1`). They are written as the
                // user wrote them; a string's rules judge the converted text.
                let converted = !self.allows(shape, own)
                    && match v {
                        Value::Str { text, .. } => {
                            types.contains(&JsonType::Boolean)
                                && (text.eq_ignore_ascii_case("true")
                                    || text.eq_ignore_ascii_case("false"))
                        }
                        Value::Int { .. } | Value::Bool { .. } | Value::Float { .. } => {
                            types.contains(&JsonType::String)
                        }
                        _ => false,
                    };
                if converted {
                    match v {
                        Value::Int { value, loc } => {
                            self.string(&value.to_string(), *loc, shape, at, out)
                        }
                        Value::Bool { value, loc } => {
                            self.string(&value.to_string(), *loc, shape, at, out)
                        }
                        Value::Float { text, loc } => self.string(text, *loc, shape, at, out),
                        _ => {}
                    }
                    return;
                }
                if !types.is_empty() && !fraction && !self.allows(shape, own) {
                    let d = Diagnostic::new(
                        v.loc(),
                        format!("`{at}` is {}, not {}", expected(), own.describe()),
                    );
                    out.push(match (v, types.first()) {
                        (Value::Int { value, .. }, Some(JsonType::String)) => {
                            d.help(format!("write `\"{value}\"`"))
                        }
                        (Value::Bool { value, .. }, Some(JsonType::String)) => {
                            d.help(format!("write `\"{value}\"`"))
                        }
                        (Value::Str { text, .. }, Some(JsonType::Integer | JsonType::Number))
                            if text.parse::<f64>().is_ok() =>
                        {
                            d.help(format!("write `{text}` without quotes"))
                        }
                        (Value::Str { text, .. }, Some(JsonType::Boolean))
                            if text == "true" || text == "false" =>
                        {
                            d.help(format!("write `{text}` without quotes"))
                        }
                        _ => d,
                    });
                    return;
                }
                match v {
                    Value::Str { loc, .. } if fraction => {
                        if let Some(n) = numeric.filter(|n| n.fract() == 0.0 && n.abs() < 9e15) {
                            #[allow(clippy::cast_possible_truncation)] // whole, and in range
                            self.number(n as i64, *loc, shape, at, out);
                        }
                    }
                    Value::Str { text, loc } => self.string(text, *loc, shape, at, out),
                    Value::Int { value, loc } => self.number(*value, *loc, shape, at, out),
                    Value::List { items, loc } => {
                        count(shape.item_count, items.len(), *loc, at, "items", out);
                        if let Some(item) = &shape.items {
                            for i in items {
                                out.extend(self.value(i, item, at, depth + 1));
                            }
                        }
                    }
                    Value::Object { fields, loc, .. } => {
                        self.object(fields, *loc, shape, at, depth, out)
                    }
                    _ => {}
                }
            }
        }
    }

    fn string(&self, text: &str, loc: Loc, shape: &Shape, at: &str, out: &mut Vec<Diagnostic>) {
        // `{{resolve:ssm:…}}`: a dynamic reference, resolved by CloudFormation.
        if text.contains("{{resolve:") {
            return;
        }
        if text.contains("${") {
            // Known only when CloudFormation resolves it: check what it names.
            for var in crate::base::template::sub_variables(text) {
                if let Some(segments) = interpolation_path(var, loc) {
                    if let Err(d) = self.scope.resolve(&segments) {
                        out.push(d);
                    }
                }
            }
            return;
        }
        if let Some(values) = &shape.enumeration {
            let strings: Vec<&str> = values.iter().filter_map(|v| v.as_str()).collect();
            let ok = strings.iter().any(|s| {
                *s == text || (shape.enum_case_insensitive != 0 && s.eq_ignore_ascii_case(text))
            });
            if !ok && !strings.is_empty() {
                let d = Diagnostic::new(
                    loc,
                    format!("`{at}` is one of {}, not `\"{text}\"`", quoted(&strings)),
                );
                out.push(d.suggest(text, strings.iter().copied()));
                return;
            }
        }
        if let Some(c) = shape.constant.as_ref().and_then(|c| c.as_str()) {
            if c != text {
                out.push(Diagnostic::new(
                    loc,
                    format!("`{at}` must be `\"{c}\"` here"),
                ));
                return;
            }
        }
        if let Some(version) = shape.network.as_deref() {
            if let Some((message, help)) = network_problem(text, version) {
                out.push(Diagnostic::new(loc, format!("`{at}`: {message}")).help(help));
                return;
            }
        }
        if let Some(name) = shape.format.as_deref() {
            // EC2 also takes an AMI as its Parameter Store name.
            let ssm_image = name == "AWS::EC2::Image.Id" && text.starts_with("resolve:ssm:");
            if let Some(re) = crate::data::cfn::catalog::format(name).filter(|_| !ssm_image) {
                if !re.is_match(text) {
                    out.push(
                        Diagnostic::new(loc, format!("`{at}` takes the form of `{name}`, not `\"{text}\"`"))
                            .help(format!("the service refuses anything else when CloudFormation passes it on: `{}`", re.as_str())),
                    );
                    return;
                }
            }
        }
        let chars = text.chars().count();
        let before = out.len();
        count(shape.length, chars, loc, at, "characters", out);
        if out.len() > before {
            return; // one finding per value: the pattern says the same again
        }
        if let Some(p) = &shape.pattern {
            if pattern(p).is_some_and(|re| !re.is_match(text)) {
                out.push(
                    Diagnostic::new(
                        loc,
                        format!("`\"{text}\"` does not match the pattern of `{at}`"),
                    )
                    .help(format!("CloudFormation's schema requires `{p}`")),
                );
            }
        }
    }

    fn number(&self, value: i64, loc: Loc, shape: &Shape, at: &str, out: &mut Vec<Diagnostic>) {
        if let Some(values) = &shape.enumeration {
            let numbers: Vec<i64> = values.iter().filter_map(|v| v.as_i64()).collect();
            if !numbers.is_empty() && !numbers.contains(&value) {
                out.push(Diagnostic::new(
                    loc,
                    format!(
                        "`{at}` is one of {}, not {value}",
                        numbers
                            .iter()
                            .map(|n| n.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
                return;
            }
        }
        if let Some([min, max]) = shape.range {
            #[allow(clippy::cast_precision_loss)] // schema bounds are small integers
            let v = value as f64;
            if min.is_some_and(|m| v < m) || max.is_some_and(|m| v > m) {
                out.push(Diagnostic::new(
                    loc,
                    format!("`{at}` is {}, not {value}", bounds(min, max, "")),
                ));
            }
        }
    }

    fn object(
        &self,
        fields: &[Field],
        loc: Loc,
        shape: &Shape,
        at: &str,
        depth: usize,
        out: &mut Vec<Diagnostic>,
    ) {
        let props = shape.properties.as_ref();
        for (i, f) in fields.iter().enumerate() {
            let key = &f.key.text;
            if fields[..i].iter().any(|g| &g.key.text == key) {
                out.push(Diagnostic::new(f.key.loc, format!("`{key}` is set twice")));
                continue;
            }
            let path = format!("{at}.{key}");
            if let Some(s) = props.and_then(|p| p.get(key)) {
                out.extend(self.value(&f.value, s, &path, depth + 1));
                continue;
            }
            if let Some((_, s)) = shape
                .pattern_properties
                .iter()
                .find(|(p, _)| pattern(p).is_none_or(|re| re.is_match(key)))
            {
                out.extend(self.value(&f.value, s, &path, depth + 1));
                continue;
            }
            let refuses = shape.closed != 0;
            if refuses {
                let names: Vec<&str> = props
                    .map(|p| p.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                let d = Diagnostic::new(f.key.loc, format!("`{at}` has no property `{key}`"));
                out.push(match did_you_mean(key, names.iter().copied()) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None if !names.is_empty() => {
                        d.help(format!("its properties are: {}", names.join(", ")))
                    }
                    None => d,
                });
            }
        }
        out.extend(self.required(&shape.required, fields, at, loc));
    }

    /// A reference as a property value: it resolves, and what it stands for
    /// fits the property (a string attribute where a list is asked for does not).
    fn reference(
        &self,
        segments: &[Name],
        types: &[JsonType],
        at: &str,
        out: &mut Vec<Diagnostic>,
    ) {
        let target = match self.scope.resolve(segments) {
            Ok(t) => t,
            Err(d) => {
                out.push(d);
                return;
            }
        };
        let loc = segments.last().map_or(Loc::NONE, |s| s.loc);
        let what = path_text(segments);
        let given = match target {
            Target::Unknown => return,
            Target::Pseudo(_) | Target::Entry(_) => {
                match crate::rules::intrinsics::value_type(&target, segments, out) {
                    Some(t) => t,
                    None => return,
                }
            }
            Target::Resource { attr, .. }
            | Target::Param {
                attr: attr @ Some(_),
                ..
            } => match attr.map(|a| &a.value) {
                Some(AttrValue::Metric(..)) => {
                    out.push(Diagnostic::new(
                        loc,
                        format!("`{what}` is a metric, not a value"),
                    ));
                    return;
                }
                Some(AttrValue::Linked(_)) => {
                    out.push(
                        Diagnostic::new(loc, format!("`{what}` is a resource, not a value"))
                            .help(format!("name one of its attributes: `{what}.arn`")),
                    );
                    return;
                }
                Some(AttrValue::GetAtt(name)) => {
                    crate::rules::intrinsics::attribute_type(&target, name)
                }
                _ => JsonType::String,
            },
            Target::Param { param, .. } => match &param.ty {
                ParamType::Duration => {
                    out.push(
                        Diagnostic::new(loc, format!("`{what}` is a `Duration`, which raw properties do not take"))
                            .help(format!("CloudFormation documents `{at}` in its own unit: make `{what}` an `Int` parameter of that unit")),
                    );
                    return;
                }
                ParamType::Int => JsonType::Integer,
                ParamType::Bool => JsonType::Boolean,
                ParamType::List(_) => JsonType::Array,
                ParamType::Any => return,
                _ => JsonType::String,
            },
        };
        // CloudFormation converts between scalars: a number or a boolean where
        // a string is asked for, and a string (a parameter's value, judged as a
        // literal when it is bound; an attribute known at deploy time) where a
        // number or a boolean is.
        let scalar = |t: &JsonType| {
            matches!(
                t,
                JsonType::String | JsonType::Integer | JsonType::Number | JsonType::Boolean
            )
        };
        let converted = match given {
            JsonType::String => types.iter().any(scalar),
            JsonType::Integer | JsonType::Number | JsonType::Boolean => {
                types.contains(&JsonType::String)
            }
            _ => false,
        };
        let fits = types.is_empty()
            || types.contains(&given)
            || (given == JsonType::Integer && types.contains(&JsonType::Number))
            || converted;
        if !fits {
            out.push(Diagnostic::new(
                loc,
                format!(
                    "`{at}` is {}, but `{what}` is {}",
                    types
                        .iter()
                        .map(|t| t.describe())
                        .collect::<Vec<_>>()
                        .join(" or "),
                    given.describe()
                ),
            ));
        }
    }
}

impl Validator<'_, '_> {
    /// References inside free-form JSON resolve.
    fn references_in(&self, v: &Value, out: &mut Vec<Diagnostic>) {
        match v {
            Value::Path { segments } => {
                if let Err(d) = self.scope.resolve(segments) {
                    out.push(d);
                }
            }
            Value::Str { text, loc } => self.string(text, *loc, &Shape::default(), "", out),
            Value::List { items, .. } => items.iter().for_each(|i| self.references_in(i, out)),
            Value::Object { fields, .. } => fields
                .iter()
                .for_each(|f| self.references_in(&f.value, out)),
            Value::Call { func, args } if is_intrinsic_name(&func.text) => {
                self.expressions().call(func, args, out);
            }
            _ => {}
        }
    }

    fn expressions(&self) -> Expressions<'_, '_> {
        Expressions {
            scope: self.scope,
            place: Place::Value,
        }
    }

    /// One of CloudFormation's functions as a property value: the call
    /// itself, what it gives against what the property takes, and both of
    /// `Fn::If`'s branches against the whole property.
    fn intrinsic(
        &self,
        func: &Name,
        args: &[Value],
        shape: &Shape,
        at: &str,
        depth: usize,
        out: &mut Vec<Diagnostic>,
    ) {
        let mut found = Vec::new();
        let gives = self.expressions().call(func, args, &mut found);
        if func.text == "Fn::If" && args.len() == 3 {
            for branch in &args[1..] {
                if !matches!(branch, Value::Path { segments } if crate::rules::intrinsics::is_no_value(segments))
                {
                    found.extend(self.value(branch, shape, at, depth + 1));
                }
            }
        }
        for d in found {
            if !out.contains(&d) {
                out.push(d);
            }
        }
        let types = self.types_of(shape);
        if let Some(t) = gives {
            let scalar = |t: &JsonType| !matches!(t, JsonType::Array | JsonType::Object);
            let fits =
                types.is_empty() || types.contains(&t) || (scalar(&t) && types.iter().any(scalar));
            if !fits {
                out.push(Diagnostic::new(
                    func.loc,
                    format!(
                        "`{at}` is {}, but `{}(…)` gives {}",
                        describe(&types),
                        func.text,
                        t.describe()
                    ),
                ));
            }
        }
    }
}

fn json_type(v: &Value) -> Option<JsonType> {
    Some(match v {
        Value::Str { .. } => JsonType::String,
        Value::Int { .. } => JsonType::Integer,
        Value::Bool { .. } => JsonType::Boolean,
        Value::List { .. } => JsonType::Array,
        Value::Object { tag: None, .. } => JsonType::Object,
        _ => return None,
    })
}

fn describe(types: &[JsonType]) -> String {
    types
        .iter()
        .map(|t| t.describe())
        .collect::<Vec<_>>()
        .join(" or ")
}

fn quoted(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("`\"{v}\"`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn bounds(min: Option<f64>, max: Option<f64>, unit: &str) -> String {
    match (min, max) {
        (Some(a), Some(b)) => format!("from {a} to {b}{unit}"),
        (Some(a), None) => format!("at least {a}{unit}"),
        (None, Some(b)) => format!("at most {b}{unit}"),
        (None, None) => "unbounded".into(),
    }
}

/// Length and item-count bounds.
fn count(
    limits: Option<[Option<f64>; 2]>,
    n: usize,
    loc: Loc,
    at: &str,
    unit: &str,
    out: &mut Vec<Diagnostic>,
) {
    let Some([min, max]) = limits else { return };
    #[allow(clippy::cast_precision_loss)] // counts are small
    let x = n as f64;
    if min.is_some_and(|m| x < m) || max.is_some_and(|m| x > m) {
        out.push(Diagnostic::new(
            loc,
            format!(
                "`{at}` takes {} {unit}, not {n}",
                bounds(min, max, "").replace("from ", "")
            ),
        ));
    }
}

/// A schema pattern, compiled once; `None` when the regex dialect is beyond
/// regex-lite (lookarounds, Unicode classes): such a pattern is not checked
/// rather than guessed at.
fn pattern(p: &str) -> Option<regex_lite::Regex> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<regex_lite::Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    cache
        .entry(p.to_string())
        // `\Z` is Python's end of text (cfn-lint is Python); Rust spells it `\z`.
        .or_insert_with(|| regex_lite::Regex::new(&p.replace("\\Z", "\\z")).ok())
        .clone()
}

/// Why `text` is not an IPv4 (`"4"`) or IPv6 (`"6"`) network in CIDR
/// notation, with the fix. A network's address has no bit set past its
/// prefix: `192.168.1.0/0` reads as a home network and is every address.
fn network_problem(text: &str, version: &str) -> Option<(String, String)> {
    let (addr, prefix) = text.split_once('/')?;
    let prefix: u32 = prefix.parse().ok()?;
    let (bits, max) = match version {
        "4" => (
            u128::from(u32::from(addr.parse::<std::net::Ipv4Addr>().ok()?)),
            32,
        ),
        "6" => (u128::from(addr.parse::<std::net::Ipv6Addr>().ok()?), 128),
        _ => return None,
    };
    if prefix > max {
        return Some((
            format!("`{text}` has a /{prefix} prefix, but an address has {max} bits"),
            format!("a prefix is 0 to {max}"),
        ));
    }
    // The bits past the prefix.
    let host = match max - prefix {
        0 => 0,
        n => u128::MAX >> (128 - n),
    };
    if bits & host == 0 {
        return None;
    }
    let network = match version {
        "4" => std::net::Ipv4Addr::from(u32::try_from(bits & !host).ok()?).to_string(),
        _ => std::net::Ipv6Addr::from(bits & !host).to_string(),
    };
    let every = if prefix == 0 {
        " (every address: the whole internet)"
    } else {
        ""
    };
    Some((
        format!("`{text}` is not a network: past its /{prefix} prefix its address has bits set, so it means `{network}/{prefix}`{every}"),
        format!("write `{network}/{prefix}` if that is meant, or the prefix of the network you meant"),
    ))
}

#[cfg(test)]
mod tests {
    use super::network_problem;

    #[test]
    fn a_network_has_no_bits_past_its_prefix() {
        assert!(network_problem("10.0.0.0/16", "4").is_none());
        assert!(network_problem("0.0.0.0/0", "4").is_none());
        assert!(network_problem("192.168.1.7/32", "4").is_none());
        let (m, _) = network_problem("192.168.1.0/0", "4").expect("host bits");
        assert!(m.contains("`0.0.0.0/0` (every address"), "{m}");
        assert!(network_problem("10.0.1.0/16", "4").is_some());
        assert!(network_problem("10.0.0.0/33", "4").is_some());
        assert!(network_problem("::/0", "6").is_none());
        assert!(network_problem("2001:db8::/32", "6").is_none());
        assert!(network_problem("2001:db8::1/64", "6").is_some());
        // Not CIDR at all: the schema's pattern speaks for that.
        assert!(network_problem("10.0.0.0", "4").is_none());
    }
}
