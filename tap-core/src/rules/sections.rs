//! The template's other sections, as `stack!` declares them: deploy-time
//! parameters (their type, keys, and a default that keeps their own
//! constraints), mappings (literal values, two levels of keys), conditions
//! (condition functions over parameters, no cycle), rules, the conditions
//! resources and outputs name, the transform, and a `NoEcho` value that
//! would be written out in clear.

use crate::base::diag::{Diagnostic, Diagnostics, Loc};
use crate::base::ir::*;
use crate::model::intrinsics::{
    intrinsic, ParameterType, Place, LANGUAGE_EXTENSIONS, PARAMETER_KEYS,
};
use crate::model::params::walk;
use crate::model::resolve::Scope;
use crate::rules::intrinsics::Expressions;
use std::collections::BTreeMap;

/// The stack setting that names the template's transforms.
pub const TRANSFORM: &str = "transform";
/// The stack setting that is the template's `Description` exactly as
/// written (a doc comment is trimmed and its lines joined).
pub const DESCRIPTION: &str = "description";
/// The stack setting that is the template's own `Metadata`.
pub const METADATA: &str = "metadata";
/// The stack setting that is SAM's `Globals` section.
pub const GLOBALS: &str = "globals";

/// Whether the stack names a transform that rewrites its resources (SAM, an
/// account's macro) before CloudFormation reads them: its raw resources are
/// the macro's input, not CloudFormation's, and are not judged by the schema.
pub fn expands_resources(stack: &StackDef) -> bool {
    transforms(stack).iter().any(|t| *t != LANGUAGE_EXTENSIONS)
}

/// The transforms the stack names.
pub fn transforms(stack: &StackDef) -> Vec<&str> {
    let items = match field(&stack.settings, TRANSFORM) {
        Some(Value::List { items, .. }) => items.iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    };
    items
        .into_iter()
        .filter_map(|i| match i {
            Value::Str { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

pub fn check(stack: &StackDef, scope: &Scope, diags: &mut Diagnostics) {
    let mut seen: BTreeMap<(Section, &str), Loc> = BTreeMap::new();
    for e in stack.items.iter().filter_map(|i| match i {
        Item::Section(e) => Some(e),
        _ => None,
    }) {
        if seen.insert((e.section, &e.name.text), e.name.loc).is_some() {
            diags.error(
                e.name.loc,
                format!(
                    "{} `{}` is declared twice",
                    e.section.keyword(),
                    e.name.text
                ),
            );
            continue;
        }
        if let Some(problem) = crate::data::cfn::limits::logical_id_problem(&e.name.text) {
            diags.error(e.name.loc, problem);
        }
        match e.section {
            Section::Parameter => parameter(e, scope, diags),
            Section::Mapping => mapping(e, diags),
            Section::Condition => condition(e, scope, diags),
            Section::Rule => rule(e, scope, diags),
        }
    }
    conditions_cycle(stack, diags);
    transform(stack, diags);
    if let Some(d) = field(&stack.settings, DESCRIPTION) {
        if !matches!(d, Value::Str { .. }) {
            diags.error(d.loc(), "the stack's `description` is a string");
        }
    }
    if let Some(m) = field(&stack.settings, METADATA) {
        if !matches!(m, Value::Object { tag: None, .. }) {
            diags.error(m.loc(), "the stack's `metadata` is an object `{ … }`");
        }
    }
    if let Some(g) = field(&stack.settings, GLOBALS) {
        globals(g, stack, scope, diags);
    }
    for out in stack.outputs() {
        if let Some(c) = field(&out.fields, "condition") {
            condition_name(c, scope, diags);
        }
        if let Some(v) = field(&out.fields, "value") {
            no_echo_in(v, scope, &format!("output `{}`", out.name.text), diags);
        }
    }
    for r in stack.resources() {
        if let Some(Value::Object { fields, .. }) = field(&r.fields, "Metadata") {
            for f in fields {
                no_echo_in(
                    &f.value,
                    scope,
                    &format!("`{}`'s `Metadata`", r.name.text),
                    diags,
                );
            }
        }
    }
}

/// The value of condition `name` when it depends on nothing given at deploy
/// time (`Fn::Equals("true", "false")`, the "null resource" idiom), else `None`.
pub fn constant_condition(name: &str, scope: &Scope) -> Option<bool> {
    fn eval(v: &Value, scope: &Scope, depth: usize) -> Option<bool> {
        // Conditions in a circle are reported elsewhere.
        if depth > 32 {
            return None;
        }
        match v {
            Value::Bool { value, .. } => Some(*value),
            Value::Path { segments } if segments.len() == 1 => {
                let e = scope.entry(Section::Condition, &segments[0].text)?;
                eval(&e.value, scope, depth + 1)
            }
            Value::Call { func, args } => match (func.text.as_str(), args.as_slice()) {
                ("Fn::Equals", [a, b]) => Some(literal(a)? == literal(b)?),
                ("Fn::Not", [a]) => eval(a, scope, depth + 1).map(|x| !x),
                // One operand that decides is enough (`false` for `Fn::And`,
                // `true` for `Fn::Or`); otherwise every operand must be known.
                (f @ ("Fn::And" | "Fn::Or"), items) => {
                    let decisive = f == "Fn::Or";
                    let values: Vec<Option<bool>> =
                        items.iter().map(|i| eval(i, scope, depth + 1)).collect();
                    if values.contains(&Some(decisive)) {
                        Some(decisive)
                    } else {
                        values
                            .into_iter()
                            .collect::<Option<Vec<_>>>()
                            .map(|_| !decisive)
                    }
                }
                _ => None,
            },
            _ => None,
        }
    }
    /// A literal as `Fn::Equals` compares it: as its text.
    fn literal(v: &Value) -> Option<String> {
        match v {
            Value::Str { text, .. } if !text.contains("${") => Some(text.clone()),
            Value::Int { value, .. } => Some(value.to_string()),
            Value::Bool { value, .. } => Some(value.to_string()),
            _ => None,
        }
    }
    let e = scope.entry(Section::Condition, name)?;
    eval(&e.value, scope, 0)
}

/// SAM's `Globals`: an object, read only by SAM's transform, whose values
/// may name the stack's own resources and parameters.
fn globals(g: &Value, stack: &StackDef, scope: &Scope, diags: &mut Diagnostics) {
    let sam = crate::model::raw::SAM_TRANSFORM;
    if !matches!(g, Value::Object { tag: None, .. }) {
        diags.error(g.loc(), "the stack's `globals` is an object `{ … }`");
        return;
    }
    let mut out = Vec::new();
    Expressions {
        scope,
        place: Place::Value,
    }
    .check(g, &mut out);
    diags.extend(out);
    if !transforms(stack).contains(&sam) {
        // CloudFormation refuses a template section it does not know.
        diags.push(
            Diagnostic::new(
                g.loc(),
                "`globals` is SAM's: only its transform reads a `Globals` section",
            )
            .help(format!(
                "add `transform: \"{sam}\";` at the top of the stack"
            )),
        );
    }
}

fn parameter(e: &SectionEntry, scope: &Scope, diags: &mut Diagnostics) {
    let Value::Object { fields, loc, .. } = &e.value else {
        return;
    };
    if scope
        .resources
        .values()
        .any(|(d, _)| crate::base::naming::logical_id(&d.name.text) == e.name.text)
    {
        diags.error(
            e.name.loc,
            format!("parameter `{}` has the logical ID of a resource: CloudFormation keeps parameters and resources in one namespace", e.name.text),
        );
    }
    for f in fields {
        if !PARAMETER_KEYS.contains(&f.key.text.as_str()) {
            diags.push(
                Diagnostic::new(
                    f.key.loc,
                    format!("a parameter has no key `{}`", f.key.text),
                )
                .suggest(&f.key.text, PARAMETER_KEYS.iter().copied()),
            );
        }
        if !matches!(
            f.value,
            Value::Str { .. }
                | Value::Int { .. }
                | Value::Bool { .. }
                | Value::Float { .. }
                | Value::List { .. }
        ) {
            diags.error(
                f.value.loc(),
                format!("`{}` of a parameter is a literal: CloudFormation reads it before anything else", f.key.text),
            );
        }
    }
    let ty = match field(fields, "Type") {
        None => {
            diags.push(
                Diagnostic::new(*loc, format!("parameter `{}` needs a `Type`", e.name.text))
                    .help("`Type: \"String\"`, `\"Number\"`, `\"CommaDelimitedList\"`, `\"AWS::EC2::KeyPair::KeyName\"`, …"),
            );
            return;
        }
        Some(Value::Str { text, loc }) => match ParameterType::parse(text) {
            Some(t) => t,
            None => {
                let known = [
                    "String",
                    "Number",
                    "List<Number>",
                    "CommaDelimitedList",
                    "AWS::SSM::Parameter::Name",
                    "AWS::SSM::Parameter::Value<String>",
                ]
                .into_iter()
                .chain(
                    crate::model::intrinsics::AWS_PARAMETER_TYPES
                        .iter()
                        .copied(),
                );
                diags.push(
                    Diagnostic::new(
                        *loc,
                        format!("`{text}` is not a parameter type CloudFormation knows"),
                    )
                    .suggest(text, known),
                );
                return;
            }
        },
        Some(other) => {
            diags.error(
                other.loc(),
                "a parameter's `Type` is a string: `\"String\"`",
            );
            return;
        }
    };
    for f in fields {
        literal_text(&f.value, "a parameter", diags);
    }
    // What CloudFormation reads: `${!x}` is written for the text `${x}`.
    let text = |v: &Value| match v {
        Value::Str { text, .. } => Some(text.replace("${!", "${")),
        Value::Int { value, .. } => Some(value.to_string()),
        Value::Bool { value, .. } => Some(value.to_string()),
        Value::Float { text, .. } => Some(text.clone()),
        _ => None,
    };
    let number = |key: &str| match field(fields, key) {
        Some(Value::Int { value, .. }) => Some(*value as f64),
        Some(Value::Str { text, .. } | Value::Float { text, .. }) => text.parse::<f64>().ok(),
        _ => None,
    };
    for key in ["MinLength", "MaxLength", "MinValue", "MaxValue"] {
        if let Some(v) = field(fields, key) {
            if number(key).is_none() {
                diags.error(v.loc(), format!("`{key}` is a number"));
            }
        }
    }
    if let Some(v) = field(fields, "NoEcho") {
        if !matches!(v, Value::Bool { .. })
            && !matches!(v, Value::Str { text, .. } if text == "true" || text == "false")
        {
            diags.error(v.loc(), "`NoEcho` is `true` or `false`");
        }
    }
    let allowed: Option<Vec<String>> = match field(fields, "AllowedValues") {
        Some(Value::List { items, .. }) => Some(items.iter().filter_map(text).collect()),
        Some(other) => {
            diags.error(other.loc(), "`AllowedValues` is a list: `[\"a\", \"b\"]`");
            None
        }
        None => None,
    };
    let pattern = match field(fields, "AllowedPattern") {
        Some(Value::Str { text, loc }) => match regex_lite::Regex::new(&format!("^(?:{text})$")) {
            Ok(r) => Some(r),
            // A pattern regex-lite cannot compile (a lookaround) is left to CloudFormation.
            Err(_) => {
                let _ = loc;
                None
            }
        },
        _ => None,
    };
    let no_echo = matches!(
        field(fields, "NoEcho"),
        Some(Value::Bool { value: true, .. })
    ) || matches!(field(fields, "NoEcho"), Some(Value::Str { text, .. }) if text == "true");
    let Some(default) = field(fields, "Default") else {
        return;
    };
    // An empty default holds no secret (it means "none given").
    let empty = matches!(default, Value::Str { text, .. } if text.is_empty());
    if no_echo && !empty {
        diags.push(
            Diagnostic::new(default.loc(), format!("parameter `{}` is `NoEcho`, but its `Default` is written into the template in clear: CloudFormation accepts it, and anyone who can read the template reads the secret", e.name.text))
                .help("remove the default and pass the value at deploy time (`tap deploy --parameter NAME=VALUE`), or read the secret with a dynamic reference (`{{resolve:secretsmanager:…}}`)"),
        );
    }
    let Some(value) = text(default) else {
        diags.error(
            default.loc(),
            "a parameter's `Default` is a string or a number",
        );
        return;
    };
    // A list type's default is one comma-separated string; each item is judged.
    let values: Vec<&str> = match ty {
        ParameterType::List | ParameterType::Ssm { list: true } => {
            value.split(',').map(str::trim).collect()
        }
        _ => vec![value.as_str()],
    };
    let bad = |what: String, diags: &mut Diagnostics| {
        diags.push(
            Diagnostic::new(
                default.loc(),
                format!("parameter `{}`'s default {what}", e.name.text),
            )
            .help("CloudFormation refuses a default that breaks its parameter's own constraints"),
        );
    };
    // A list's default may also be one of the allowed values as a whole
    // (`AllowedValues: ["three,four"]`), as cfn-lint takes it.
    let whole_allowed = allowed
        .as_ref()
        .is_some_and(|allowed| allowed.contains(&value));
    for v in values {
        if let Some(allowed) = allowed.as_ref().filter(|_| !whole_allowed) {
            if !allowed.iter().any(|a| a == v) {
                bad(format!("`{v}` is not one of its `AllowedValues`"), diags);
            }
        }
        if let Some(p) = &pattern {
            if !p.is_match(v) {
                bad(format!("`{v}` does not match its `AllowedPattern`"), diags);
            }
        }
        if matches!(ty, ParameterType::Number)
            || (ty == ParameterType::List
                && field(fields, "Type").is_some_and(
                    |t| matches!(t, Value::Str { text, .. } if text == "List<Number>"),
                ))
        {
            match v.parse::<f64>() {
                Err(_) => bad(format!("`{v}` is not a number"), diags),
                Ok(n) => {
                    if number("MinValue").is_some_and(|m| n < m) {
                        bad(format!("{v} is below its `MinValue`"), diags);
                    }
                    if number("MaxValue").is_some_and(|m| n > m) {
                        bad(format!("{v} is above its `MaxValue`"), diags);
                    }
                }
            }
        }
        let len = v.chars().count() as f64;
        if number("MinLength").is_some_and(|m| len < m) {
            bad(format!("`{v}` is shorter than its `MinLength`"), diags);
        }
        if number("MaxLength").is_some_and(|m| len > m) {
            bad(format!("`{v}` is longer than its `MaxLength`"), diags);
        }
    }
}

/// A mapping: `{ TopKey: { SecondKey: value } }`, values literal.
fn mapping(e: &SectionEntry, diags: &mut Diagnostics) {
    let Value::Object { fields, loc, .. } = &e.value else {
        return;
    };
    if fields.is_empty() {
        diags.error(*loc, format!("mapping `{}` is empty", e.name.text));
    }
    for top in fields {
        let Value::Object { fields: second, .. } = &top.value else {
            diags.push(
                Diagnostic::new(
                    top.value.loc(),
                    format!(
                        "mapping `{}`'s `{}` is an object of named values",
                        e.name.text, top.key.text
                    ),
                )
                .help("`\"us-east-1\": { AMI: \"ami-…\" }`"),
            );
            continue;
        };
        for f in second {
            literal(&f.value, &e.name.text, diags);
        }
    }
}

/// A string in a section CloudFormation reads as written (a parameter, a
/// mapping): `${x}` there is text, not a reference, and `stack!` reads `${x}`
/// as a reference everywhere, so the text is written `${!x}`.
fn literal_text(v: &Value, owner: &str, diags: &mut Diagnostics) {
    match v {
        Value::Str { text, loc } => {
            if let Some(var) = crate::base::template::sub_variables(text).first() {
                diags.push(
                    Diagnostic::new(*loc, format!("`${{{var}}}` in {owner} is text, not a reference: CloudFormation reads it as written"))
                        .help(format!("write `${{!{var}}}` for the text `${{{var}}}`")),
                );
            }
        }
        Value::List { items, .. } => items.iter().for_each(|i| literal_text(i, owner, diags)),
        _ => {}
    }
}

fn literal(v: &Value, map: &str, diags: &mut Diagnostics) {
    literal_text(v, &format!("mapping `{map}`"), diags);
    match v {
        Value::Str { .. } | Value::Int { .. } | Value::Bool { .. } | Value::Float { .. } => {}
        Value::List { items, .. } => items.iter().for_each(|i| literal(i, map, diags)),
        other => diags.push(
            Diagnostic::new(
                other.loc(),
                format!(
                    "mapping `{map}` holds literal values, not {}",
                    other.describe()
                ),
            )
            .help("CloudFormation reads mappings before it resolves anything"),
        ),
    }
}

fn condition(e: &SectionEntry, scope: &Scope, diags: &mut Diagnostics) {
    let x = Expressions {
        scope,
        place: Place::Condition,
    };
    let mut out = Vec::new();
    match &e.value {
        Value::Call { func, args } => {
            let gives = x.call(func, args, &mut out);
            if intrinsic(&func.text).is_some()
                && gives != Some(crate::data::cfn::catalog::JsonType::Boolean)
                && out.is_empty()
            {
                out.push(Diagnostic::new(
                    func.loc,
                    format!(
                        "a condition is `Fn::Equals`, `Fn::And`, `Fn::Or` or `Fn::Not`, not `{}`",
                        func.text
                    ),
                ));
            }
        }
        Value::Path { segments } if segments.len() == 1 => {
            if scope.entry(Section::Condition, &segments[0].text).is_none() {
                out.push(Diagnostic::new(
                    segments[0].loc,
                    format!("`{}` is not a condition of this stack", segments[0].text),
                ));
            }
        }
        other => out.push(
            Diagnostic::new(
                other.loc(),
                format!("condition `{}` is a condition function", e.name.text),
            )
            .help("`condition IsProduction = Fn::Equals(Environment, \"production\");`"),
        ),
    }
    diags.extend(out);
}

fn rule(e: &SectionEntry, scope: &Scope, diags: &mut Diagnostics) {
    let Value::Object { fields, loc, .. } = &e.value else {
        return;
    };
    let x = Expressions {
        scope,
        place: Place::Rule,
    };
    let mut out = Vec::new();
    for f in fields {
        match f.key.text.as_str() {
            "RuleCondition" => {
                x.check(&f.value, &mut out);
            }
            "Assertions" => match &f.value {
                Value::List { items, .. } => {
                    for a in items {
                        let Value::Object { fields, loc, .. } = a else {
                            out.push(Diagnostic::new(
                                a.loc(),
                                "an assertion is `{ Assert: …, AssertDescription: \"…\" }`",
                            ));
                            continue;
                        };
                        if field(fields, "Assert").is_none() {
                            out.push(Diagnostic::new(*loc, "an assertion needs `Assert`"));
                        }
                        for g in fields {
                            match g.key.text.as_str() {
                                "Assert" | "AssertDescription" => {
                                    x.check(&g.value, &mut out);
                                }
                                other => out.push(
                                    Diagnostic::new(
                                        g.key.loc,
                                        format!("an assertion has no key `{other}`"),
                                    )
                                    .suggest(other, ["Assert", "AssertDescription"]),
                                ),
                            }
                        }
                    }
                }
                other => out.push(Diagnostic::new(other.loc(), "`Assertions` is a list")),
            },
            other => out.push(
                Diagnostic::new(f.key.loc, format!("a rule has no key `{other}`"))
                    .suggest(other, ["RuleCondition", "Assertions"]),
            ),
        }
    }
    if field(fields, "Assertions").is_none() {
        out.push(Diagnostic::new(
            *loc,
            format!("rule `{}` needs `Assertions`", e.name.text),
        ));
    }
    diags.extend(out);
}

/// A resource's or an output's `Condition`: a condition of this stack.
pub fn condition_name(v: &Value, scope: &Scope, diags: &mut Diagnostics) {
    match v {
        Value::Path { segments } if segments.len() == 1 => {
            if scope.entry(Section::Condition, &segments[0].text).is_none() {
                diags.push(
                    Diagnostic::new(
                        segments[0].loc,
                        format!("`{}` is not a condition of this stack", segments[0].text),
                    )
                    .suggest(
                        &segments[0].text,
                        scope
                            .entries
                            .keys()
                            .filter(|(s, _)| *s == Section::Condition)
                            .map(|(_, n)| *n),
                    ),
                );
            }
        }
        other => diags.push(
            Diagnostic::new(other.loc(), "`Condition` names a condition of this stack")
                .help("`Condition: IsProduction`"),
        ),
    }
}

/// Conditions that name each other in a circle never evaluate.
fn conditions_cycle(stack: &StackDef, diags: &mut Diagnostics) {
    let deps: BTreeMap<&str, Vec<&str>> = stack
        .section(Section::Condition)
        .map(|e| {
            let mut names = Vec::new();
            condition_names(&e.value, &mut names);
            (e.name.text.as_str(), names)
        })
        .collect();
    if let Some(cycle) = crate::base::graph::find_cycle(deps.keys().copied(), |n| {
        deps.get(n).cloned().unwrap_or_default()
    }) {
        let loc = stack
            .entry(Section::Condition, &cycle[0])
            .map_or(stack.name.loc, |e| e.name.loc);
        diags.error(
            loc,
            format!(
                "the conditions name each other in a circle: {}",
                cycle.join(" → ")
            ),
        );
    }
}

/// The conditions a condition names: bare names where a condition is read
/// (not inside `Fn::Equals`, where a name is a parameter's value).
fn condition_names<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Path { segments } if segments.len() == 1 => out.push(&segments[0].text),
        Value::Call { func, args } if func.text != "Fn::Equals" => {
            args.iter().for_each(|a| condition_names(a, out))
        }
        _ => {}
    }
}

/// `transform: "AWS::LanguageExtensions";`, and the functions that need one.
fn transform(stack: &StackDef, diags: &mut Diagnostics) {
    let mut declared = Vec::new();
    if let Some(v) = field(&stack.settings, TRANSFORM) {
        let items = match v {
            Value::List { items, .. } => items.iter().collect(),
            one => vec![one],
        };
        for i in items {
            match i {
                // Any name: a macro is the account's own (`Count`, `PyPlate`).
                Value::Str { text, .. } => declared.push(text.as_str()),
                other => diags.error(
                    other.loc(),
                    "a transform is named by a string: `\"AWS::LanguageExtensions\"`",
                ),
            }
        }
    }
    // A policy chosen at deploy time is one of the transform's extensions.
    for r in stack.resources() {
        let policies = r.fields.iter().filter(|f| {
            (f.key.text == "DeletionPolicy" || f.key.text == "UpdateReplacePolicy")
                && !matches!(f.value, Value::Str { .. })
        });
        for f in policies {
            if !declared.contains(&LANGUAGE_EXTENSIONS) {
                diags.push(
                    Diagnostic::new(
                        f.value.loc(),
                        format!(
                            "a `{}` chosen by a function or a parameter needs the `{LANGUAGE_EXTENSIONS}` transform",
                            f.key.text
                        ),
                    )
                    .help(format!(
                        "add `{TRANSFORM}: \"{LANGUAGE_EXTENSIONS}\";` at the top of the stack"
                    )),
                );
            }
        }
    }
    // A macro may read functions of its own (`Fn::Explode`).
    let macro_input = expands_resources(stack)
        && !transforms(stack)
            .iter()
            .all(|t| *t == crate::model::raw::SAM_TRANSFORM || *t == LANGUAGE_EXTENSIONS);
    let mut visit = |v: &Value| {
        // `{ "Fn::GetAtt:": … }`: CloudFormation reads a one-key object
        // whose key starts with `Fn::` as a function, and refuses one it
        // does not have, wherever it is (a JSON-typed property too).
        if let Value::Object { fields, .. } = v {
            if let [f] = fields.as_slice() {
                if !macro_input
                    && f.key.text.starts_with("Fn::")
                    && intrinsic(&f.key.text).is_none()
                {
                    diags.push(crate::rules::intrinsics::unknown_function(&f.key));
                }
            }
        }
        // A mapping's name computed by a function other than `Fn::FindInMap`
        // is one of the transform's extensions to `Fn::FindInMap`.
        if let Value::Call { func, args } = v {
            let computed_map = func.text == "Fn::FindInMap"
                && matches!(args.first(), Some(Value::Call { func: inner, .. }) if inner.text != "Fn::FindInMap");
            if computed_map && !declared.contains(&LANGUAGE_EXTENSIONS) {
                diags.push(
                    Diagnostic::new(
                        func.loc,
                        format!("a mapping's name computed by a function needs the `{LANGUAGE_EXTENSIONS}` transform"),
                    )
                    .help(format!("add `{TRANSFORM}: \"{LANGUAGE_EXTENSIONS}\";` at the top of the stack, or name the mapping")),
                );
            }
        }
        if let Value::Call { func, .. } = v {
            if let Some(t) = intrinsic(&func.text).and_then(|f| f.transform) {
                if !declared.contains(&t) {
                    diags.push(
                        Diagnostic::new(
                            func.loc,
                            format!("`{}` needs the `{t}` transform", func.text),
                        )
                        .help(format!(
                            "add `{TRANSFORM}: \"{t}\";` at the top of the stack"
                        )),
                    );
                }
            }
        }
    };
    for item in &stack.items {
        match item {
            Item::Resource(r) => r.fields.iter().for_each(|f| walk(&f.value, &mut visit)),
            Item::Output(o) => o.fields.iter().for_each(|f| walk(&f.value, &mut visit)),
            Item::Section(e) => walk(&e.value, &mut visit),
        }
    }
}

/// A `NoEcho` parameter's value written where CloudFormation shows it.
fn no_echo_in(v: &Value, scope: &Scope, place: &str, diags: &mut Diagnostics) {
    let mut visit = |v: &Value| {
        let name = match v {
            Value::Path { segments } if segments.len() == 1 => {
                Some((segments[0].text.as_str(), segments[0].loc))
            }
            _ => None,
        };
        let subs: Vec<(String, Loc)> = match v {
            Value::Str { text, loc } => crate::base::template::sub_variables(text)
                .into_iter()
                .map(|s| (s.to_string(), *loc))
                .collect(),
            _ => Vec::new(),
        };
        let names = name
            .map(|(n, l)| (n.to_string(), l))
            .into_iter()
            .chain(subs);
        for (n, loc) in names {
            let Some(p) = scope.entry(Section::Parameter, &n) else {
                continue;
            };
            let Value::Object { fields, .. } = &p.value else {
                continue;
            };
            let no_echo = matches!(
                field(fields, "NoEcho"),
                Some(Value::Bool { value: true, .. })
            ) || matches!(field(fields, "NoEcho"), Some(Value::Str { text, .. }) if text == "true");
            if no_echo {
                diags.push(
                    Diagnostic::new(loc, format!("parameter `{n}` is `NoEcho`, but {place} shows its value in clear: CloudFormation accepts it, and anyone who can describe the stack reads the secret (AWS strongly recommends against it; cfn-lint W2010)"))
                        .help("CloudFormation masks a NoEcho parameter only where it shows parameters: keep the secret in Secrets Manager or SSM and have the instance read it there (cfn-init's commands can), or leave the value out here"),
                );
            }
        }
    };
    walk(v, &mut visit);
}
