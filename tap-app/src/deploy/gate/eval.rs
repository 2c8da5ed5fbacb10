//! A template evaluated as far as CloudFormation would before it creates
//! anything: parameters bound (the values this deploy passes, else each
//! `Default`), conditions decided, `Fn::Sub` in both forms, `Fn::Join`,
//! `Split`, `Select`, `FindInMap`, `If` and `ImportValue` (the export's current
//! value, when the endpoint was asked) worked out.
//!
//! What stays the same across two deploys of one stack in one account is kept
//! as a symbol: `${Bucket}` for a resource's `Ref`, `${Bucket.Arn}` for an
//! attribute, `${AWS::AccountId}` for a pseudo parameter. Two templates then
//! compare equal exactly where they mean the same thing.
//!
//! What cannot be known here (an SSM or dynamic reference, an export the
//! endpoint does not have, a parameter with no value) becomes
//! `{"tap:unknown": "<what>"}`; a condition that depends on one makes its
//! `Fn::If` `{"tap:either": [a, b]}`: both branches count.

use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

pub const UNKNOWN: &str = "tap:unknown";
pub const EITHER: &str = "tap:either";

/// What a deploy binds that the template alone does not say.
#[derive(Debug, Default, Clone)]
pub struct Inputs {
    /// Parameter values this deploy passes; a parameter not here takes its `Default`.
    pub parameters: BTreeMap<String, String>,
    /// The deployed stack's parameter values: what its template is evaluated
    /// with, so that a parameter's new value (a grant moved to another
    /// bucket by a value carried from another environment) is a change.
    pub deployed_parameters: BTreeMap<String, String>,
    /// Export name → value, as the endpoint has them; `None` when not read.
    pub exports: Option<BTreeMap<String, String>>,
}

pub fn unknown(what: impl Into<String>) -> Value {
    json!({ UNKNOWN: what.into() })
}

/// A value as a person reads it: `(unknown: …)` for what the deploy decides,
/// `(either A or B)` for an undecided `Fn::If`.
pub fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(m) if m.contains_key(UNKNOWN) => {
            format!("(unknown: {})", m[UNKNOWN].as_str().unwrap_or("?"))
        }
        Value::Object(m) if m.contains_key(EITHER) => {
            let branches: Vec<String> = m[EITHER]
                .as_array()
                .into_iter()
                .flatten()
                .map(|b| {
                    if b.is_null() {
                        "nothing".into()
                    } else {
                        describe(b)
                    }
                })
                .collect();
            format!("(either {})", branches.join(" or "))
        }
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(describe).collect::<Vec<_>>().join(", ")
        ),
        other => other.to_string(),
    }
}

/// Whether any part of `v` cannot be known before the deploy.
pub fn has_unknown(v: &Value) -> bool {
    match v {
        Value::Object(m) => {
            m.contains_key(UNKNOWN) || m.contains_key(EITHER) || m.values().any(has_unknown)
        }
        Value::Array(a) => a.iter().any(has_unknown),
        _ => false,
    }
}

/// Both branches of an undecided `Fn::If`; `Null` stands for `AWS::NoValue`.
fn either(a: Option<Value>, b: Option<Value>) -> Option<Value> {
    if a == b {
        return a;
    }
    Some(json!({ EITHER: [a.unwrap_or(Value::Null), b.unwrap_or(Value::Null)] }))
}

/// Whether the template uses anything that needs the endpoint's exports.
pub fn imports_values(template: &Value) -> bool {
    match template {
        Value::Object(m) => m.contains_key("Fn::ImportValue") || m.values().any(imports_values),
        Value::Array(a) => a.iter().any(imports_values),
        _ => false,
    }
}

/// The template with every resource's `Properties` and `Metadata` and every
/// output evaluated; a resource whose `Condition` is false is left out.
pub fn evaluate(template: &Value, inputs: &Inputs) -> Value {
    let ev = Evaluator {
        t: template,
        inputs,
        decided: Default::default(),
    };
    let mut out = template.clone();
    if let Some(resources) = template["Resources"].as_object() {
        let mut kept = Map::new();
        for (id, r) in resources {
            if let Some(c) = r["Condition"].as_str() {
                if ev.named_condition(c, 0) == Some(false) {
                    continue;
                }
            }
            let mut r = r.clone();
            for key in ["Properties", "Metadata"] {
                if let Some(v) = r.get(key) {
                    let evaluated = ev.value(v, 0).unwrap_or(Value::Null);
                    r[key] = evaluated;
                }
            }
            kept.insert(id.clone(), r);
        }
        out["Resources"] = Value::Object(kept);
    }
    if let Some(outputs) = template["Outputs"].as_object() {
        let evaluated: Map<String, Value> = outputs
            .iter()
            .map(|(k, v)| (k.clone(), ev.value(v, 0).unwrap_or(Value::Null)))
            .collect();
        out["Outputs"] = Value::Object(evaluated);
    }
    out
}

/// Nesting deeper than this is not a template anyone wrote: unknown.
const MAX_DEPTH: usize = 64;

struct Evaluator<'a> {
    t: &'a Value,
    inputs: &'a Inputs,
    /// Each named condition decided once (a chain of conditions naming
    /// conditions would otherwise be decided again at every use); `None`
    /// while it is being decided, so a cycle is undecided, not endless.
    decided: std::cell::RefCell<BTreeMap<String, Option<bool>>>,
}

impl Evaluator<'_> {
    /// `None` is `AWS::NoValue`: the property or item is left out.
    fn value(&self, v: &Value, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return Some(unknown("a value nested too deeply to evaluate"));
        }
        match v {
            Value::String(s) if s.contains("{{resolve:") => Some(unknown(format!(
                "dynamic reference {s} (resolved by CloudFormation at deploy)"
            ))),
            Value::Object(m) if m.len() == 1 => {
                let (k, arg) = m.iter().next()?;
                if k == "Ref" || k.starts_with("Fn::") {
                    self.intrinsic(k, arg, depth + 1)
                } else {
                    Some(self.object(m, depth))
                }
            }
            Value::Object(m) => Some(self.object(m, depth)),
            Value::Array(a) => Some(Value::Array(
                a.iter().filter_map(|x| self.value(x, depth + 1)).collect(),
            )),
            other => Some(other.clone()),
        }
    }

    fn object(&self, m: &Map<String, Value>, depth: usize) -> Value {
        Value::Object(
            m.iter()
                .filter_map(|(k, x)| self.value(x, depth + 1).map(|x| (k.clone(), x)))
                .collect(),
        )
    }

    fn text(&self, v: &Value, depth: usize) -> Option<String> {
        match self.value(v, depth)? {
            Value::String(s) => Some(s),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    fn intrinsic(&self, name: &str, arg: &Value, depth: usize) -> Option<Value> {
        let shown = || format!("{name}({})", arg);
        Some(match name {
            "Ref" => return self.reference(arg.as_str().unwrap_or(""), depth),
            "Fn::GetAtt" => {
                let text = match arg {
                    Value::Array(a) if a.len() == 2 => {
                        let attr = self.text(&a[1], depth).unwrap_or_else(|| a[1].to_string());
                        format!("{}.{attr}", a[0].as_str().unwrap_or("?"))
                    }
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                Value::String(format!("${{{text}}}"))
            }
            "Fn::Sub" => self.sub(arg, depth),
            "Fn::Join" => {
                let (Some(sep), Some(items)) = (arg.get(0), arg.get(1)) else {
                    return Some(unknown(shown()));
                };
                let sep = self.text(sep, depth).unwrap_or_default();
                match self.value(items, depth) {
                    Some(Value::Array(parts)) => {
                        let strings: Option<Vec<String>> = parts
                            .iter()
                            .map(|p| match p {
                                Value::String(s) => Some(s.clone()),
                                Value::Number(n) => Some(n.to_string()),
                                Value::Bool(b) => Some(b.to_string()),
                                _ => None,
                            })
                            .collect();
                        match strings {
                            Some(s) => Value::String(s.join(&sep)),
                            None => unknown(format!("Fn::Join of {}", Value::Array(parts.clone()))),
                        }
                    }
                    _ => unknown(shown()),
                }
            }
            "Fn::Split" => {
                let (Some(sep), Some(s)) = (arg.get(0), arg.get(1)) else {
                    return Some(unknown(shown()));
                };
                match (self.text(sep, depth), self.text(s, depth)) {
                    (Some(sep), Some(s)) if !sep.is_empty() => Value::Array(
                        s.split(sep.as_str())
                            .map(|p| Value::String(p.to_string()))
                            .collect(),
                    ),
                    _ => unknown(shown()),
                }
            }
            "Fn::Select" => {
                let (Some(i), Some(list)) = (arg.get(0), arg.get(1)) else {
                    return Some(unknown(shown()));
                };
                let index = self.text(i, depth).and_then(|i| i.parse::<usize>().ok());
                match (index, self.value(list, depth)) {
                    (Some(i), Some(Value::Array(items))) if i < items.len() => items[i].clone(),
                    _ => unknown(shown()),
                }
            }
            "Fn::FindInMap" => {
                let Some(a) = arg.as_array().filter(|a| a.len() >= 3) else {
                    return Some(unknown(shown()));
                };
                // A key only the deploy knows (`${AWS::Region}`) picks an
                // entry tap cannot: unknown, not the default.
                let keys: Option<Vec<String>> = a[..3]
                    .iter()
                    .map(|k| self.text(k, depth).filter(|t| !t.contains("${")))
                    .collect();
                let found = keys.as_ref().and_then(|k| {
                    self.t["Mappings"]
                        .get(&k[0])
                        .and_then(|m| m.get(&k[1]))
                        .and_then(|m| m.get(&k[2]))
                });
                match (found, a.get(3).and_then(|d| d.get("DefaultValue"))) {
                    (Some(v), _) => return self.value(v, depth),
                    (None, Some(default)) if keys.is_some() => return self.value(default, depth),
                    _ => unknown(shown()),
                }
            }
            "Fn::If" => {
                let Some(a) = arg.as_array().filter(|a| a.len() == 3) else {
                    return Some(unknown(shown()));
                };
                let cond = a[0].as_str().and_then(|c| self.named_condition(c, depth));
                return match cond {
                    Some(true) => self.value(&a[1], depth),
                    Some(false) => self.value(&a[2], depth),
                    None => either(self.value(&a[1], depth), self.value(&a[2], depth)),
                };
            }
            "Fn::ImportValue" => {
                let name = self.text(arg, depth);
                let value = name
                    .as_ref()
                    .and_then(|n| self.inputs.exports.as_ref().and_then(|e| e.get(n)).cloned());
                match (value, name) {
                    (Some(v), _) => Value::String(v),
                    (None, Some(n)) => unknown(format!("the export `{n}`")),
                    (None, None) => unknown(shown()),
                }
            }
            "Fn::Base64" => json!({ "Fn::Base64": self.value(arg, depth) }),
            "Fn::ToJsonString" => match self.value(arg, depth) {
                Some(v) if !has_unknown(&v) => Value::String(v.to_string()),
                _ => unknown(shown()),
            },
            "Fn::Length" => match self.value(arg, depth) {
                Some(Value::Array(a)) => json!(a.len()),
                _ => unknown(shown()),
            },
            // Stable for a stack in one region, but not a value tap knows.
            "Fn::GetAZs" => unknown("Fn::GetAZs (the region's availability zones)"),
            _ => unknown(format!(
                "{name}({})",
                self.value(arg, depth).unwrap_or_default()
            )),
        })
    }

    fn reference(&self, name: &str, depth: usize) -> Option<Value> {
        match name {
            "AWS::NoValue" => None,
            "AWS::NotificationARNs" => Some(unknown("AWS::NotificationARNs")),
            _ if name.starts_with("AWS::") => Some(Value::String(format!("${{{name}}}"))),
            _ if self.t["Parameters"].get(name).is_some() => Some(self.parameter(name, depth)),
            _ => Some(Value::String(format!("${{{name}}}"))),
        }
    }

    /// A parameter's value: what this deploy passes, else its `Default`. A
    /// list type is a list; every other value is a string, as `Ref` gives it.
    fn parameter(&self, name: &str, _depth: usize) -> Value {
        let def = &self.t["Parameters"][name];
        let ty = def["Type"].as_str().unwrap_or("String");
        if ty.starts_with("AWS::SSM::Parameter::Value") {
            return unknown(format!(
                "the parameter {name} (read from SSM by CloudFormation at deploy)"
            ));
        }
        let value = match self.inputs.parameters.get(name) {
            Some(v) => v.clone(),
            None => match &def["Default"] {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Array(a) => a
                    .iter()
                    .map(|x| x.as_str().map(str::to_string).unwrap_or(x.to_string()))
                    .collect::<Vec<_>>()
                    .join(","),
                _ => return unknown(format!("the parameter {name} (no value given)")),
            },
        };
        if ty.starts_with("List<") || ty == "CommaDelimitedList" {
            Value::Array(
                value
                    .split(',')
                    .map(|s| Value::String(s.trim().to_string()))
                    .collect(),
            )
        } else {
            Value::String(value)
        }
    }

    fn sub(&self, arg: &Value, depth: usize) -> Value {
        let (text, vars) = match arg {
            Value::String(s) => (s.as_str(), None),
            Value::Array(a) if !a.is_empty() => match a[0].as_str() {
                Some(s) => (s, a.get(1).and_then(Value::as_object)),
                None => return unknown(format!("Fn::Sub({arg})")),
            },
            _ => return unknown(format!("Fn::Sub({arg})")),
        };
        let mut out = String::new();
        let mut rest = text;
        let mut unknowns = Vec::new();
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let var = &after[..end];
            rest = &after[end + 1..];
            if let Some(literal) = var.strip_prefix('!') {
                out.push_str(&format!("${{{literal}}}"));
                continue;
            }
            let value = match vars.and_then(|m| m.get(var)) {
                Some(v) => self.value(v, depth),
                None if self.t["Parameters"].get(var).is_some() => Some(self.parameter(var, depth)),
                None => Some(Value::String(format!("${{{var}}}"))),
            };
            match value {
                Some(Value::String(s)) => out.push_str(&s),
                Some(Value::Number(n)) => out.push_str(&n.to_string()),
                Some(Value::Bool(b)) => out.push_str(&b.to_string()),
                Some(other) => {
                    unknowns.push(format!("{var} = {}", describe(&other)));
                    out.push_str(&format!("${{{var}}}"));
                }
                None => {}
            }
        }
        out.push_str(rest);
        if unknowns.is_empty() {
            Value::String(out)
        } else {
            unknown(format!("{out} where {}", unknowns.join(", ")))
        }
    }

    fn named_condition(&self, name: &str, depth: usize) -> Option<bool> {
        if depth > MAX_DEPTH {
            return None;
        }
        if let Some(known) = self.decided.borrow().get(name) {
            return *known;
        }
        self.decided.borrow_mut().insert(name.to_string(), None);
        let truth = self.condition(self.t["Conditions"].get(name)?, depth + 1);
        self.decided.borrow_mut().insert(name.to_string(), truth);
        truth
    }

    /// A condition's truth, when every value it compares is known.
    fn condition(&self, c: &Value, depth: usize) -> Option<bool> {
        if depth > MAX_DEPTH {
            return None;
        }
        let m = c.as_object().filter(|m| m.len() == 1)?;
        let (k, arg) = m.iter().next()?;
        let args = || arg.as_array().map(|a| a.as_slice()).unwrap_or(&[]);
        match k.as_str() {
            "Condition" => self.named_condition(arg.as_str()?, depth),
            "Fn::Equals" => {
                let a = args();
                if a.len() != 2 {
                    return None;
                }
                let (x, y) = (self.value(&a[0], depth)?, self.value(&a[1], depth)?);
                if has_unknown(&x) || has_unknown(&y) || is_symbol(&x) || is_symbol(&y) {
                    return None;
                }
                Some(scalar_text(&x) == scalar_text(&y))
            }
            "Fn::Not" => self.condition(args().first()?, depth + 1).map(|b| !b),
            "Fn::And" | "Fn::Or" => {
                let and = k == "Fn::And";
                let mut undecided = false;
                for x in args() {
                    match self.condition(x, depth + 1) {
                        Some(b) if b != and => return Some(!and),
                        Some(_) => {}
                        None => undecided = true,
                    }
                }
                if undecided {
                    None
                } else {
                    Some(and)
                }
            }
            _ => None,
        }
    }
}

/// A value that stands for something only the deploy knows (`${AWS::Region}`).
fn is_symbol(v: &Value) -> bool {
    v.as_str().is_some_and(|s| s.contains("${"))
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval_props(template: Value, inputs: &Inputs) -> Value {
        evaluate(&template, inputs)["Resources"]["R"]["Properties"].clone()
    }

    #[test]
    fn sub_with_a_map_substitutes_its_variables() {
        let t = json!({ "Resources": { "R": { "Type": "X", "Properties": {
            "Resource": { "Fn::Sub": ["arn:${AWS::Partition}:s3:::${B}/*", { "B": "prod-pii" }] }
        } } } });
        assert_eq!(
            eval_props(t, &Inputs::default())["Resource"],
            "arn:${AWS::Partition}:s3:::prod-pii/*"
        );
    }

    #[test]
    fn parameters_take_the_value_passed_else_the_default() {
        let t = json!({
            "Parameters": { "Who": { "Type": "String", "Default": "111111111111" },
                            "Many": { "Type": "CommaDelimitedList", "Default": "a,b" } },
            "Resources": { "R": { "Type": "X", "Properties": {
                "P": { "Fn::Sub": "arn:aws:iam::${Who}:root" },
                "L": { "Ref": "Many" }
            } } }
        });
        let p = eval_props(t.clone(), &Inputs::default());
        assert_eq!(p["P"], "arn:aws:iam::111111111111:root");
        assert_eq!(p["L"], json!(["a", "b"]));
        let mut inputs = Inputs::default();
        inputs
            .parameters
            .insert("Who".into(), "222222222222".into());
        assert_eq!(
            eval_props(t, &inputs)["P"],
            "arn:aws:iam::222222222222:root"
        );
    }

    #[test]
    fn conditions_pick_a_branch_or_keep_both() {
        let t = json!({
            "Parameters": { "Env": { "Type": "String", "Default": "prod" } },
            "Conditions": { "Prod": { "Fn::Equals": [{ "Ref": "Env" }, "prod"] },
                            "Here": { "Fn::Equals": [{ "Ref": "AWS::Region" }, "us-east-1"] } },
            "Resources": { "R": { "Type": "X", "Properties": {
                "A": { "Fn::If": ["Prod", "narrow", "*"] },
                "B": { "Fn::If": ["Here", "narrow", "*"] },
                "C": { "Fn::If": ["Prod", { "Ref": "AWS::NoValue" }, "x"] }
            } } }
        });
        let p = eval_props(t, &Inputs::default());
        assert_eq!(p["A"], "narrow");
        assert_eq!(p["B"], json!({ EITHER: ["narrow", "*"] }));
        assert!(p.get("C").is_none());
    }

    #[test]
    fn lists_split_select_join_and_find_in_map() {
        let t = json!({
            "Mappings": { "Accounts": { "prod": { "Id": "333333333333" } } },
            "Resources": { "R": { "Type": "X", "Properties": {
                "S": { "Fn::Split": [",", "a,b,c"] },
                "T": { "Fn::Select": [1, { "Fn::Split": [",", "a,b,c"] }] },
                "J": { "Fn::Join": ["", ["arn:aws:iam::", { "Fn::FindInMap": ["Accounts", "prod", "Id"] }, ":root"]] },
                "M": { "Fn::FindInMap": ["Accounts", "dev", "Id"] }
            } } }
        });
        let p = eval_props(t, &Inputs::default());
        assert_eq!(p["S"], json!(["a", "b", "c"]));
        assert_eq!(p["T"], "b");
        assert_eq!(p["J"], "arn:aws:iam::333333333333:root");
        assert!(has_unknown(&p["M"]));
    }

    #[test]
    fn imports_and_dynamic_references() {
        let t = json!({ "Resources": { "R": { "Type": "X", "Properties": {
            "I": { "Fn::ImportValue": "Shared:Bucket:Name" },
            "D": "{{resolve:ssm:/bucket}}"
        } } } });
        let p = eval_props(t.clone(), &Inputs::default());
        assert!(has_unknown(&p["I"]) && has_unknown(&p["D"]));
        let inputs = Inputs {
            exports: Some(BTreeMap::from([(
                "Shared:Bucket:Name".to_string(),
                "data".to_string(),
            )])),
            ..Inputs::default()
        };
        assert_eq!(eval_props(t, &inputs)["I"], "data");
    }

    #[test]
    fn a_resource_whose_condition_is_false_is_left_out() {
        let t = json!({
            "Conditions": { "Never": { "Fn::Equals": ["a", "b"] } },
            "Resources": { "R": { "Type": "X", "Condition": "Never" } }
        });
        assert!(evaluate(&t, &Inputs::default())["Resources"]
            .get("R")
            .is_none());
    }
}
