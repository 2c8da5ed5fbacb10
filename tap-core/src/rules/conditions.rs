//! A statement's `when { … }`: every operator is one of IAM's, every key
//! exists and applies to an action of the statement, the operator fits the
//! key's type, literal values parse as that type, and the set operators are
//! not used where they silently match (Access Analyzer's security warnings).

use crate::base::diag::{did_you_mean, Diagnostic, Diagnostics};
use crate::base::ir::*;
use crate::data::iam::catalog::{catalog, ActionInfo, KeyType, Service};

/// IAM's condition operators, without `IfExists` and the set prefixes.
const OPERATORS: &[(&str, Family)] = &[
    ("StringEquals", Family::String),
    ("StringNotEquals", Family::String),
    ("StringEqualsIgnoreCase", Family::String),
    ("StringNotEqualsIgnoreCase", Family::String),
    ("StringLike", Family::String),
    ("StringNotLike", Family::String),
    ("NumericEquals", Family::Numeric),
    ("NumericNotEquals", Family::Numeric),
    ("NumericLessThan", Family::Numeric),
    ("NumericLessThanEquals", Family::Numeric),
    ("NumericGreaterThan", Family::Numeric),
    ("NumericGreaterThanEquals", Family::Numeric),
    ("DateEquals", Family::Date),
    ("DateNotEquals", Family::Date),
    ("DateLessThan", Family::Date),
    ("DateLessThanEquals", Family::Date),
    ("DateGreaterThan", Family::Date),
    ("DateGreaterThanEquals", Family::Date),
    ("Bool", Family::Bool),
    ("BinaryEquals", Family::Binary),
    ("IpAddress", Family::Ip),
    ("NotIpAddress", Family::Ip),
    ("ArnEquals", Family::Arn),
    ("ArnLike", Family::Arn),
    ("ArnNotEquals", Family::Arn),
    ("ArnNotLike", Family::Arn),
    ("Null", Family::Null),
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Family {
    String,
    Numeric,
    Date,
    Bool,
    Binary,
    Ip,
    Arn,
    Null,
}

impl Family {
    fn describe(self) -> &'static str {
        match self {
            Family::String => "a string",
            Family::Numeric => "a numeric",
            Family::Date => "a date",
            Family::Bool => "a boolean",
            Family::Binary => "a binary",
            Family::Ip => "an IP address",
            Family::Arn => "an ARN",
            Family::Null => "a null",
        }
    }

    /// Whether an operator of this family can test a key of this type.
    fn fits(self, ty: KeyType) -> bool {
        match self {
            Family::Null => true,
            // IAM compares ARN keys as strings too.
            Family::String => matches!(ty, KeyType::String | KeyType::Arn),
            Family::Arn => ty == KeyType::Arn,
            Family::Numeric => ty == KeyType::Numeric,
            Family::Date => ty == KeyType::Date,
            Family::Bool => ty == KeyType::Bool,
            Family::Binary => ty == KeyType::Binary,
            Family::Ip => ty == KeyType::IpAddress,
        }
    }

    /// The operators to use for a key of this type.
    fn for_key(ty: KeyType) -> &'static str {
        match ty {
            KeyType::String => "`StringEquals`, `StringLike`, …",
            KeyType::Arn => "`ArnEquals`, `ArnLike`, …",
            KeyType::Numeric => "`NumericEquals`, `NumericLessThan`, …",
            KeyType::Date => "`DateGreaterThan`, `DateLessThan`, …",
            KeyType::Bool => "`Bool`",
            KeyType::Binary => "`BinaryEquals`",
            KeyType::IpAddress => "`IpAddress` or `NotIpAddress`",
        }
    }
}

/// A parsed operator: `ForAllValues:StringEqualsIfExists`.
struct Operator {
    set: Option<&'static str>,
    family: Family,
}

fn operator(text: &str) -> Option<Operator> {
    let (set, rest) = match text.split_once(':') {
        Some(("ForAllValues", r)) => (Some("ForAllValues"), r),
        Some(("ForAnyValue", r)) => (Some("ForAnyValue"), r),
        Some(_) => return None,
        None => (None, text),
    };
    let (name, if_exists) = match rest.strip_suffix("IfExists") {
        Some(n) => (n, true),
        None => (rest, false),
    };
    let (_, family) = OPERATORS.iter().find(|(o, _)| *o == name)?;
    if if_exists && *family == Family::Null {
        return None; // `NullIfExists` is not an operator
    }
    Some(Operator {
        set,
        family: *family,
    })
}

/// Every finding for one statement's condition block.
pub fn check(
    s: &Statement,
    actions: &[(&'static Service, Vec<&'static ActionInfo>)],
    diags: &mut Diagnostics,
) {
    let Some(cond) = &s.condition else { return };
    let Value::Object {
        tag: None, fields, ..
    } = cond
    else {
        // A parameter: judged where it is bound.
        if !matches!(cond, Value::Path { .. }) {
            diags.push(
                Diagnostic::new(
                    cond.loc(),
                    "a condition is `{ Operator: { \"key\": value } }`",
                )
                .help("`when { Bool: { \"aws:SecureTransport\": \"true\" } }`"),
            );
        }
        return;
    };
    // Keys tested `Null: { key: "false" }` in this statement: present for sure.
    let present: Vec<String> = fields
        .iter()
        .filter(|f| f.key.text == "Null")
        .filter_map(|f| match &f.value {
            Value::Object { fields, .. } => Some(fields),
            _ => None,
        })
        .flatten()
        .filter(|k| {
            matches!(&k.value, Value::Str { text, .. } if text == "false")
                || matches!(&k.value, Value::Bool { value: false, .. })
        })
        .map(|k| k.key.text.to_ascii_lowercase())
        .collect();
    for f in fields {
        let Some(op) = operator(&f.key.text) else {
            diags.push(unknown_operator(&f.key));
            continue;
        };
        let Value::Object { fields: keys, .. } = &f.value else {
            if matches!(f.value, Value::Path { .. }) {
                continue; // a parameter: judged where it is bound
            }
            diags.push(
                Diagnostic::new(
                    f.value.loc(),
                    format!("`{}` takes `{{ \"key\": value }}`", f.key.text),
                )
                .help(format!(
                    "`{}: {{ \"aws:SourceAccount\": \"${{AWS::AccountId}}\" }}`",
                    f.key.text
                )),
            );
            continue;
        };
        for k in keys {
            key(s, &op, f, k, actions, &present, diags);
        }
    }
}

fn unknown_operator(name: &Name) -> Diagnostic {
    if name.text.ends_with("NullIfExists") {
        return Diagnostic::new(
            name.loc,
            "`Null` has no `IfExists` form: it tests whether the key is there",
        )
        .help("write `Null: { \"key\": \"true\" }` (absent) or `\"false\"` (present)");
    }
    let (prefix, rest) = match name.text.split_once(':') {
        Some((p, r)) => (format!("{p}:"), r),
        None => (String::new(), name.text.as_str()),
    };
    let mut candidates: Vec<String> = OPERATORS.iter().map(|(o, _)| o.to_string()).collect();
    candidates.extend(
        OPERATORS
            .iter()
            .filter(|(_, f)| *f != Family::Null)
            .map(|(o, _)| format!("{o}IfExists")),
    );
    let d = Diagnostic::new(
        name.loc,
        format!("`{}` is not an IAM condition operator", name.text),
    );
    let prefix_ok = prefix.is_empty() || prefix == "ForAllValues:" || prefix == "ForAnyValue:";
    match did_you_mean(rest, candidates.iter().map(String::as_str)) {
        Some(s) if prefix_ok => d.help(format!("did you mean `{prefix}{s}`?")),
        Some(s) => d.help(format!("the set prefixes are `ForAllValues:` and `ForAnyValue:`; did you mean `ForAnyValue:{s}`?")),
        None => d.help("IAM's operators are `StringEquals`, `ArnLike`, `NumericLessThan`, `DateGreaterThan`, `Bool`, `IpAddress`, `Null`, … with an optional `IfExists` suffix and `ForAllValues:`/`ForAnyValue:` prefix"),
    }
}

fn key(
    s: &Statement,
    op: &Operator,
    opf: &Field,
    k: &Field,
    actions: &[(&'static Service, Vec<&'static ActionInfo>)],
    present: &[String],
    diags: &mut Diagnostics,
) {
    let name = &k.key;
    // The key's definition: a global `aws:` key or one of its service.
    let found = catalog().condition_key(&name.text);
    let Some((service, def)) = found else {
        // An identity provider's keys (`token.actions.githubusercontent.com:sub`,
        // `oidc.eks.….amazonaws.com/id/…:aud`) are named after its host, which
        // no catalog lists: judged by IAM when the provider is.
        let prefix = name.text.rsplit_once(':').map_or("", |(p, _)| p);
        if !(prefix.contains('.') || prefix.contains('/')) {
            diags.push(unknown_key(name, actions));
        }
        return;
    };
    // It applies to an action of the statement (global keys apply to all).
    if let Some(service) = service {
        let applies = s.not_actions
            || s.actions.iter().any(|a| a.text == "*")
            // A key can be listed by another service's actions (`ec2:SourceInstanceARN`
            // on ssm): what counts is that an action of the statement lists it.
            || actions.iter().any(|(svc, infos)| {
                infos
                    .iter()
                    .any(|i| svc.keys_of(i).any(|c| c.matches(&name.text)))
            });
        if !applies && !actions.is_empty() {
            let names: Vec<&str> = s.actions.iter().map(|a| a.text.as_str()).collect();
            diags.push(
                Diagnostic::new(name.loc, format!(
                    "`{}` is never in a request for {}: the condition never matches",
                    name.text,
                    names.join(", ")
                ))
                .help(format!("`{}` is a key of the `{}` actions that list it in the Service Authorization Reference: use a key of this statement's actions, or an `aws:` key", name.text, service.prefix)),
            );
            return;
        }
    }
    // `aws:EpochTime` is a date that the numeric operators compare too.
    let epoch = def.name.eq_ignore_ascii_case("aws:EpochTime") && op.family == Family::Numeric;
    if !op.family.fits(def.ty) && !epoch {
        diags.push(
            Diagnostic::new(
                opf.key.loc,
                format!(
                    "`{}` is {} operator, but `{}` is {} key",
                    opf.key.text,
                    op.family.describe(),
                    name.text,
                    key_type(def.ty)
                ),
            )
            .help(format!("use {}", Family::for_key(def.ty))),
        );
        return;
    }
    if let Some(set) = op.set {
        // An identity provider's keys (`cognito-identity.amazonaws.com:amr`)
        // can hold several values where the dataset types them as one.
        let provider = name
            .text
            .rsplit_once(':')
            .is_some_and(|(p, _)| p.contains('.'));
        if !def.multivalued && !provider {
            diags.push(
                Diagnostic::new(
                    opf.key.loc,
                    format!(
                        "`{set}:` is for keys with several values, and `{}` has one",
                        name.text
                    ),
                )
                .help(format!(
                    "use `{}` without `{set}:`",
                    &opf.key.text[set.len() + 1..]
                )),
            );
        } else if set == "ForAllValues"
            && s.effect == Effect::Allow
            && s.reason.is_none()
            && !present.contains(&name.text.to_ascii_lowercase())
        {
            diags.push(
                Diagnostic::new(
                    opf.key.loc,
                    format!(
                        "`ForAllValues` in an Allow also matches a request without `{}`",
                        name.text
                    ),
                )
                .help(format!(
                    "add `Null: {{ \"{}\": \"false\" }}` to the condition, or `because \"…\"`",
                    name.text
                )),
            );
        } else if set == "ForAnyValue" && s.effect == Effect::Deny && s.reason.is_none() {
            diags.push(
                Diagnostic::new(opf.key.loc, format!(
                    "`ForAnyValue` in a Deny does not match a request without `{}`, so the Deny does not apply to it",
                    name.text
                ))
                .help("deny the absent key too (`Null: { … : \"true\" }` in a Deny of its own), or add `because \"…\"`"),
            );
        }
    }
    values(op, &opf.key, &k.value, diags);
}

fn key_type(ty: KeyType) -> &'static str {
    match ty {
        KeyType::String => "a string",
        KeyType::Arn => "an ARN",
        KeyType::Numeric => "a numeric",
        KeyType::Date => "a date",
        KeyType::Bool => "a boolean",
        KeyType::Binary => "a binary",
        KeyType::IpAddress => "an IP address",
    }
}

fn unknown_key(
    name: &Name,
    actions: &[(&'static Service, Vec<&'static ActionInfo>)],
) -> Diagnostic {
    let d = Diagnostic::new(
        name.loc,
        format!("`{}` is not an IAM condition key", name.text),
    );
    let prefix = name.text.split(':').next().unwrap_or_default();
    let mut candidates: Vec<&str> = Vec::new();
    if prefix.eq_ignore_ascii_case("aws") {
        candidates.extend(catalog().global_keys().map(|k| k.name));
    } else if let Some(svc) = catalog().service(prefix) {
        candidates.extend(svc.condition_keys.iter().map(|k| k.name));
    } else {
        for (svc, _) in actions {
            candidates.extend(svc.condition_keys.iter().map(|k| k.name));
        }
        candidates.extend(catalog().global_keys().map(|k| k.name));
    }
    match did_you_mean(&name.text, candidates.iter().copied()) {
        Some(s) => d.help(format!("did you mean `{s}`?")),
        None => d.help(format!(
            "condition keys are `aws:…` (global) or the keys a service lists (catalog: {})",
            catalog().source
        )),
    }
}

/// Literal values parse as the operator's type.
fn values(op: &Operator, at: &Name, v: &Value, diags: &mut Diagnostics) {
    let items: Vec<&Value> = match v {
        Value::List { items, .. } => items.iter().collect(),
        one => vec![one],
    };
    for item in items {
        let (text, loc) = match item {
            Value::Str { text, loc } if !text.contains("${") => (text.clone(), *loc),
            Value::Int { value, loc } => (value.to_string(), *loc),
            Value::Bool { value, loc } => (value.to_string(), *loc),
            // References and interpolations are known at deploy time.
            _ => continue,
        };
        if let Some(problem) = value_problem(op.family, &text) {
            diags.push(
                Diagnostic::new(loc, format!("`{}`: {problem}", at.text))
                    .help(value_help(op.family)),
            );
        }
    }
}

fn value_problem(family: Family, text: &str) -> Option<String> {
    match family {
        Family::Bool | Family::Null => (!matches!(text, "true" | "false"))
            .then(|| format!("`{text}` is not `true` or `false`")),
        Family::Numeric => text
            .parse::<f64>()
            .is_err()
            .then(|| format!("`{text}` is not a number")),
        Family::Date => (!is_date(text)).then(|| format!("`{text}` is not a date")),
        Family::Ip => {
            (!is_cidr(text)).then(|| format!("`{text}` is not an IP address or CIDR range"))
        }
        Family::Arn => {
            (!(text.starts_with("arn:") || text == "*")).then(|| format!("`{text}` is not an ARN"))
        }
        Family::Binary => (!is_base64(text)).then(|| format!("`{text}` is not base64")),
        Family::String => None,
    }
}

fn value_help(family: Family) -> &'static str {
    match family {
        Family::Bool | Family::Null => "write `\"true\"` or `\"false\"`",
        Family::Numeric => "write a number: `\"3600\"`",
        Family::Date => {
            "write an ISO 8601 date (`\"2026-01-01T00:00:00Z\"`) or seconds since the epoch"
        }
        Family::Ip => "write an IPv4 or IPv6 address or CIDR range: `\"10.0.0.0/16\"`",
        Family::Arn => {
            "write an ARN: `\"arn:${AWS::Partition}:…\"`, or a reference such as `bucket.arn`"
        }
        Family::Binary => "write the value base64-encoded",
        Family::String => "",
    }
}

fn is_date(text: &str) -> bool {
    if text.bytes().all(|b| b.is_ascii_digit()) && !text.is_empty() {
        return true; // epoch seconds
    }
    // YYYY-MM-DD, optionally THH:MM[:SS[.fff]](Z|±HH:MM)
    let b = text.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    if b.len() < 10
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
    {
        return false;
    }
    let month = (b[5] - b'0') * 10 + (b[6] - b'0');
    let day = (b[8] - b'0') * 10 + (b[9] - b'0');
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return false;
    }
    b.len() == 10
        || (b[10] == b'T' && b.len() >= 16 && digits(11..13) && b[13] == b':' && digits(14..16))
}

fn is_cidr(text: &str) -> bool {
    let (addr, prefix) = match text.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (text, None),
    };
    let max = if addr.parse::<std::net::Ipv4Addr>().is_ok() {
        32
    } else if addr.parse::<std::net::Ipv6Addr>().is_ok() {
        128
    } else {
        return false;
    };
    prefix.is_none_or(|p| p.parse::<u8>().is_ok_and(|n| n <= max))
}

fn is_base64(text: &str) -> bool {
    !text.is_empty()
        && text.len().is_multiple_of(4)
        && text
            .trim_end_matches('=')
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

/// The findings of these checks on a statement of a synthesised policy
/// (JSON, as in a template): how tap holds the conditions it writes itself
/// (its secure defaults) to the rules it holds a user's to. Values that are
/// intrinsics (`Ref`, `Fn::Sub`) are known at deploy time and not judged.
pub fn json_findings(statement: &serde_json::Value) -> Vec<String> {
    use serde_json::Value as Json;
    let strings = |v: &Json| -> Vec<String> {
        match v {
            Json::String(s) => vec![s.clone()],
            Json::Array(a) => a
                .iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    };
    let loc = crate::base::diag::Loc::NONE;
    let (actions, not_actions) = match (statement.get("Action"), statement.get("NotAction")) {
        (Some(a), _) => (strings(a), false),
        (None, Some(a)) => (strings(a), true),
        (None, None) => (Vec::new(), false),
    };
    fn value(v: &Json) -> Value {
        let loc = crate::base::diag::Loc::NONE;
        match v {
            Json::String(s) => Value::Str {
                text: s.clone(),
                loc,
            },
            Json::Bool(b) => Value::Bool { value: *b, loc },
            Json::Number(n) => Value::Str {
                text: n.to_string(),
                loc,
            },
            Json::Array(a) => Value::List {
                items: a.iter().map(value).collect(),
                loc,
            },
            Json::Object(m) if m.keys().any(|k| k == "Ref" || k.starts_with("Fn::")) => {
                Value::Path {
                    segments: vec![Name::new("intrinsic", loc)],
                }
            }
            Json::Object(m) => Value::Object {
                tag: None,
                fields: m
                    .iter()
                    .map(|(k, v)| Field {
                        key: Name::new(k.clone(), loc),
                        value: value(v),
                    })
                    .collect(),
                loc,
            },
            Json::Null => Value::Str {
                text: String::new(),
                loc,
            },
        }
    }
    let s = Statement {
        effect: if statement.get("Effect").and_then(Json::as_str) == Some("Deny") {
            Effect::Deny
        } else {
            Effect::Allow
        },
        actions: actions
            .iter()
            .map(|a| Action {
                text: a.clone(),
                loc,
            })
            .collect(),
        not_actions,
        resources: Vec::new(),
        not_resources: false,
        principal: None,
        not_principal: false,
        condition: statement.get("Condition").map(value),
        reason: None,
        loc,
    };
    let keyed: Vec<(&'static Service, Vec<&'static ActionInfo>)> = actions
        .iter()
        .filter_map(|a| catalog().resolve(a).ok())
        .collect();
    let mut diags = Diagnostics::default();
    check(&s, &keyed, &mut diags);
    diags
        .into_vec()
        .into_iter()
        .map(|d| d.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators() {
        for ok in [
            "StringEquals",
            "StringNotEqualsIfExists",
            "ForAllValues:StringLike",
            "ForAnyValue:ArnLikeIfExists",
            "Null",
            "Bool",
            "IpAddress",
        ] {
            assert!(operator(ok).is_some(), "{ok}");
        }
        for bad in [
            "StringNotEqual",
            "NullIfExists",
            "ForSomeValues:StringLike",
            "stringequals",
        ] {
            assert!(operator(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn values_parse() {
        assert!(is_cidr("10.0.0.0/16"));
        assert!(is_cidr("2001:db8::/32"));
        assert!(!is_cidr("10.0.0.300/33"));
        assert!(!is_cidr("10.0.0.0/33"));
        assert!(is_date("2026-01-01T00:00:00Z"));
        assert!(is_date("2026-01-01"));
        assert!(is_date("1767225600"));
        assert!(!is_date("yesterday"));
        assert!(!is_date("2026-13-01"));
        assert_eq!(value_problem(Family::Bool, "true"), None);
        assert!(value_problem(Family::Bool, "yes").is_some());
        assert!(value_problem(Family::Numeric, "ten").is_some());
        assert!(is_base64("aGVsbG8="));
        assert!(!is_base64("not base64!"));
    }
}
