//! `Fn::ForEach` (AWS::LanguageExtensions), expanded on migration: each loop
//! becomes the entries CloudFormation's transform makes of it, with the
//! logical IDs the transform gives them, so that tap checks every resource
//! the loop makes and a deployed stack keeps its resources.
//!
//! The transform's rules: in a key, `${Id}` is the item and `&{Id}` the item
//! without its non-alphanumeric characters; in a value, `{"Ref": "Id"}` is the
//! item and `${Id}` in a `Fn::Sub` is replaced (a `Fn::Sub` left without
//! variables is its text). Plain strings are left alone, as are
//! `Fn::ToJsonString` and the condition of a `Fn::If`.

use super::Unsupported;
use serde_json::{Map, Value};

const PREFIX: &str = "Fn::ForEach::";

/// Expands every loop in `section` (`Resources`, `Outputs`, `Conditions`)
/// and in its entries' values, saying what each loop became. A loop whose
/// collection is not a literal list (a parameter's value) is left in place
/// and reported.
pub(super) fn expand(section: &str, entries: &mut Map<String, Value>, out: &mut Vec<Unsupported>) {
    expand_map(entries, &Vars::new(), section, out);
    for (name, value) in entries.iter_mut() {
        walk_values(value, &format!("{section}.{name}"), out);
    }
}

type Vars = Vec<(String, String)>;

/// Loops found below a map's values (`Properties` may have them).
fn walk_values(v: &mut Value, path: &str, out: &mut Vec<Unsupported>) {
    match v {
        Value::Object(m) => {
            expand_map(m, &Vars::new(), path, out);
            for (k, child) in m.iter_mut() {
                walk_values(child, &format!("{path}.{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                walk_values(child, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// Replaces each loop key of `m` by the entries it makes. Why the first
/// loop that could not be expanded was left in place, if one was.
fn expand_map(
    m: &mut Map<String, Value>,
    vars: &Vars,
    path: &str,
    out: &mut Vec<Unsupported>,
) -> Option<String> {
    let mut failed = None;
    let keys: Vec<String> = m.keys().cloned().collect();
    let mut result = Map::new();
    for key in keys {
        let Some(value) = m.remove(&key) else {
            continue;
        };
        if !key.starts_with(PREFIX) {
            result.insert(key, value);
            continue;
        }
        let at = format!("{path}.{key}");
        match one_loop(&value, vars, &at) {
            Ok(entries) => {
                let names: Vec<String> = entries.keys().cloned().collect();
                let mut clash = None;
                for (k, v) in entries {
                    if result.contains_key(&k) || m.contains_key(&k) {
                        clash = Some(k.clone());
                    }
                    result.insert(k, v);
                }
                out.push(Unsupported {
                    path: at,
                    reason: match clash {
                        Some(k) => format!("expanded as AWS::LanguageExtensions expands it, but it makes `{k}`, which the template already has: CloudFormation refuses the template"),
                        None => format!(
                            "expanded as AWS::LanguageExtensions expands it: {} ({}), with the logical IDs the transform gives them",
                            count(names.len()),
                            names.join(", ")
                        ),
                    },
                });
            }
            Err(reason) => {
                failed.get_or_insert(reason.clone());
                out.push(Unsupported { path: at, reason });
                result.insert(key, value);
            }
        }
    }
    *m = result;
    failed
}

fn count(n: usize) -> String {
    if n == 1 {
        "1 entry".to_string()
    } else {
        format!("{n} entries")
    }
}

/// `[Id, [items…], {key: value…}]` → the entries, every item in turn.
fn one_loop(v: &Value, outer: &Vars, path: &str) -> Result<Map<String, Value>, String> {
    let Some([Value::String(id), collection, Value::Object(body)]) =
        v.as_array().map(Vec::as_slice)
    else {
        return Err(
            "not `[Identifier, Collection, { OutputKey: OutputValue }]`: left out".to_string(),
        );
    };
    let collection = substitute(collection, outer);
    let Some(items) = collection.as_array() else {
        return Err("a loop over a parameter's or a function's value cannot be expanded before deployment: left out; migrate the deployed stack's processed template (`tap migrate --stack NAME`)".to_string());
    };
    let mut made = Map::new();
    for item in items {
        let item = match item {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => {
                return Err(
                    "a collection item that is not a string: cannot be expanded; left out"
                        .to_string(),
                )
            }
        };
        let mut vars = outer.clone();
        vars.retain(|(k, _)| k != id);
        vars.push((id.clone(), item));
        let mut body = body.clone();
        // Loops inside the body first, with this item known; what they make
        // is said once, by this loop.
        if let Some(reason) = expand_map(&mut body, &vars, path, &mut Vec::new()) {
            return Err(format!("a loop inside it: {reason}"));
        }
        for (k, v) in body {
            let key = replace_in_key(&k, &vars);
            if made.contains_key(&key) {
                return Err(format!(
                    "two items make `{key}`: CloudFormation refuses the template; left out"
                ));
            }
            made.insert(key, substitute(&v, &vars));
        }
    }
    Ok(made)
}

/// `${Id}` → the item, `&{Id}` → the item's letters and digits.
fn replace_in_key(s: &str, vars: &Vars) -> String {
    let mut s = s.to_string();
    for (k, v) in vars {
        let alnum: String = v.chars().filter(char::is_ascii_alphanumeric).collect();
        s = s
            .replace(&format!("${{{k}}}"), v)
            .replace(&format!("&{{{k}}}"), &alnum);
    }
    s
}

/// The value with the loop's items in place, as the transform places them.
fn substitute(v: &Value, vars: &Vars) -> Value {
    match v {
        Value::Array(items) => Value::Array(items.iter().map(|i| substitute(i, vars)).collect()),
        Value::Object(m) if m.len() == 1 => {
            let (k, arg) = m.iter().next().expect("one entry");
            match (k.as_str(), arg) {
                ("Ref", Value::String(name)) => {
                    if let Some((_, item)) = vars.iter().rev().find(|(k, _)| k == name) {
                        return Value::String(item.clone());
                    }
                    v.clone()
                }
                ("Fn::Sub", Value::String(text)) => sub(text, None, vars),
                ("Fn::Sub", Value::Array(a)) if !a.is_empty() => match &a[0] {
                    Value::String(text) => sub(text, a.get(1), vars),
                    _ => Value::Object([(k.clone(), substitute(arg, vars))].into_iter().collect()),
                },
                ("Fn::ToJsonString", _) => v.clone(),
                ("Fn::If", Value::Array(a)) if a.len() == 3 => {
                    let mut branches = vec![a[0].clone()];
                    branches.extend(a[1..].iter().map(|b| substitute(b, vars)));
                    Value::Object([(k.clone(), Value::Array(branches))].into_iter().collect())
                }
                _ => Value::Object(
                    [(replace_in_key(k, vars), substitute(arg, vars))]
                        .into_iter()
                        .collect(),
                ),
            }
        }
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (replace_in_key(k, vars), substitute(v, vars)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A `Fn::Sub` with the items in place: its text alone when no variable is left.
fn sub(text: &str, map: Option<&Value>, vars: &Vars) -> Value {
    let replaced = replace_in_key(text, vars);
    let map = map.map(|m| substitute(m, vars));
    let has_vars = {
        let mut rest = replaced.as_str();
        let mut found = false;
        while let Some(i) = rest.find("${") {
            if !rest[i + 2..].starts_with('!') {
                found = true;
                break;
            }
            rest = &rest[i + 2..];
        }
        found
    };
    if !has_vars && map.is_none() {
        return Value::String(replaced);
    }
    let arg = match map {
        Some(m) => Value::Array(vec![Value::String(replaced), m]),
        None => Value::String(replaced),
    };
    Value::Object([("Fn::Sub".to_string(), arg)].into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(section: &str, v: Value) -> (Value, Vec<Unsupported>) {
        let Value::Object(mut m) = v else {
            panic!("an object")
        };
        let mut out = Vec::new();
        expand(section, &mut m, &mut out);
        (Value::Object(m), out)
    }

    #[test]
    fn a_loop_of_resources() {
        let (v, out) = run(
            "Resources",
            json!({
                "Fn::ForEach::Tables": ["Name", ["Points", "high-score"], {
                    "Table&{Name}": {"Type": "AWS::DynamoDB::Table", "Properties": {
                        "TableName": {"Ref": "Name"},
                        "Plain": "${Name}",
                        "Tag": {"Fn::Sub": "t-${Name}-${AWS::Region}"},
                        "Both": {"Fn::Sub": "${Name}"},
                    }}
                }],
                "Other": {"Type": "AWS::SQS::Queue"},
            }),
        );
        assert_eq!(
            v,
            json!({
                "TablePoints": {"Type": "AWS::DynamoDB::Table", "Properties": {
                    "TableName": "Points", "Plain": "${Name}",
                    "Tag": {"Fn::Sub": "t-Points-${AWS::Region}"}, "Both": "Points",
                }},
                "Tablehighscore": {"Type": "AWS::DynamoDB::Table", "Properties": {
                    "TableName": "high-score", "Plain": "${Name}",
                    "Tag": {"Fn::Sub": "t-high-score-${AWS::Region}"}, "Both": "high-score",
                }},
                "Other": {"Type": "AWS::SQS::Queue"},
            })
        );
        assert_eq!(out.len(), 1);
        assert!(
            out[0]
                .reason
                .contains("2 entries (TablePoints, Tablehighscore)"),
            "{}",
            out[0].reason
        );
    }

    #[test]
    fn nested_loops_of_outputs() {
        let (v, _) = run(
            "Outputs",
            json!({"Fn::ForEach::Outer": ["Id", ["A", "B"], {
                "Fn::ForEach::Inner": ["Prop", ["Arn"], {
                    "Bucket${Id}${Prop}": {"Value": {"Fn::GetAtt": [{"Fn::Sub": "Bucket${Id}"}, {"Ref": "Prop"}]}}
                }]
            }]}),
        );
        assert_eq!(
            v,
            json!({
                "BucketAArn": {"Value": {"Fn::GetAtt": ["BucketA", "Arn"]}},
                "BucketBArn": {"Value": {"Fn::GetAtt": ["BucketB", "Arn"]}},
            })
        );
    }

    #[test]
    fn a_loop_over_a_parameter_stays_and_is_reported() {
        let (v, out) = run(
            "Resources",
            json!({"Fn::ForEach::Q": ["N", {"Ref": "Names"}, {"Q${N}": {"Type": "AWS::SQS::Queue"}}]}),
        );
        assert!(v.get("Fn::ForEach::Q").is_some());
        assert!(out[0].reason.contains("left out"), "{}", out[0].reason);
    }

    #[test]
    fn a_loop_in_properties() {
        let (v, _) = run(
            "Resources",
            json!({"B": {"Type": "AWS::S3::Bucket", "Properties": {"Tags": [],
                "Fn::ForEach::T": ["K", ["a"], {"X${K}": {"Ref": "K"}}]}}}),
        );
        assert_eq!(
            v,
            json!({"B": {"Type": "AWS::S3::Bucket", "Properties": {"Tags": [], "Xa": "a"}}})
        );
    }

    #[test]
    fn an_item_that_makes_a_key_twice_is_refused() {
        let (v, out) = run(
            "Resources",
            json!({"Fn::ForEach::Q": ["N", ["a", "a"], {"Q${N}": {"Type": "AWS::SQS::Queue"}}]}),
        );
        assert!(v.get("Fn::ForEach::Q").is_some());
        assert!(
            out[0].reason.contains("two items make `Qa`"),
            "{}",
            out[0].reason
        );
    }
}
