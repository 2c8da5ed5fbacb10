//! Which differences between the deployed template and the new one a hotswap
//! can make without CloudFormation: a function's code, its environment, and
//! what follows from new code (a version published, aliases moved to it).
//! Everything else is refused, with the reason, so the deploy falls back to a
//! change set (or, with `--hotswap-only`, skips it).

use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

const FUNCTION: &str = "AWS::Lambda::Function";
const VERSION: &str = "AWS::Lambda::Version";
const ALIAS: &str = "AWS::Lambda::Alias";

/// What a hotswap does to one function.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FunctionSwap {
    pub logical_id: String,
    /// The new `Code` (still expressions), when it changed.
    pub code: Option<Value>,
    /// Every variable of the new `Environment` (still expressions), when any changed.
    pub environment: Option<Map<String, Value>>,
    /// The names of the variables that changed, were added or removed.
    pub changed_variables: Vec<String>,
    /// The versions the template replaces (old logical ID, new logical ID):
    /// a hotswap publishes one version from the new code in their stead.
    pub versions: Vec<(String, String)>,
    /// The aliases (logical IDs) that move to that version.
    pub aliases: Vec<String>,
}

/// The hotswap a template change allows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    pub functions: Vec<FunctionSwap>,
    /// What cannot be hotswapped, one line each.
    pub refused: Vec<String>,
    /// Outputs that name a replaced version: they keep their deployed value
    /// until the next deploy.
    pub stale_outputs: Vec<String>,
}

impl Plan {
    pub fn can_hotswap(&self) -> bool {
        !self.functions.is_empty()
    }
}

/// The template's resources, in the order of their logical IDs.
fn resources(t: &Value) -> BTreeMap<String, Value> {
    t["Resources"]
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

fn kind(r: &Value) -> &str {
    r["Type"].as_str().unwrap_or("")
}

/// The keys of two objects whose values differ.
fn differing(old: &Value, new: &Value) -> Vec<String> {
    let empty = Map::new();
    let (o, n) = (
        old.as_object().unwrap_or(&empty),
        new.as_object().unwrap_or(&empty),
    );
    let keys: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
    keys.into_iter()
        .filter(|k| o.get(*k) != n.get(*k))
        .cloned()
        .collect()
}

/// The logical ID a `Ref` or `Fn::GetAtt` names, if `v` is one.
fn target(v: &Value) -> Option<&str> {
    if let Some(r) = v.get("Ref").and_then(Value::as_str) {
        return Some(r);
    }
    match v.get("Fn::GetAtt")? {
        Value::Array(a) => a.first()?.as_str(),
        Value::String(s) => s.split('.').next(),
        _ => None,
    }
}

/// `v` with every reference to a key of `renamed` made to its value instead:
/// in `Ref`, `Fn::GetAtt`, `Fn::Sub` text and `DependsOn`.
fn rename(v: &Value, renamed: &BTreeMap<String, String>) -> Value {
    let swap = |id: &str| renamed.get(id).cloned().unwrap_or_else(|| id.to_string());
    match v {
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, x) in m {
                let x = match (k.as_str(), x) {
                    ("Ref" | "DependsOn", Value::String(id)) => Value::String(swap(id)),
                    ("Fn::GetAtt", Value::String(s)) => {
                        let (id, att) = s.split_once('.').unwrap_or((s, ""));
                        Value::String(format!("{}.{att}", swap(id)))
                    }
                    ("Fn::GetAtt", Value::Array(a)) => Value::Array(
                        a.iter()
                            .enumerate()
                            .map(|(i, p)| match (i, p) {
                                (0, Value::String(id)) => Value::String(swap(id)),
                                _ => p.clone(),
                            })
                            .collect(),
                    ),
                    ("Fn::Sub", Value::String(text)) => Value::String(rename_sub(text, renamed)),
                    ("Fn::Sub", Value::Array(a)) => Value::Array(
                        a.iter()
                            .enumerate()
                            .map(|(i, p)| match (i, p) {
                                (0, Value::String(t)) => Value::String(rename_sub(t, renamed)),
                                _ => rename(p, renamed),
                            })
                            .collect(),
                    ),
                    _ => rename(x, renamed),
                };
                out.insert(k.clone(), x);
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(|x| rename(x, renamed)).collect()),
        other => other.clone(),
    }
}

fn rename_sub(text: &str, renamed: &BTreeMap<String, String>) -> String {
    let mut out = text.to_string();
    for (new, old) in renamed {
        out = out
            .replace(&format!("${{{new}}}"), &format!("${{{old}}}"))
            .replace(&format!("${{{new}."), &format!("${{{old}."));
    }
    out
}

/// What hotswapping `new` over the deployed `old` would do.
pub fn plan(old: &Value, new: &Value) -> Plan {
    let mut plan = Plan::default();
    let empty = Map::new();
    let (old_top, new_top) = (
        old.as_object().unwrap_or(&empty),
        new.as_object().unwrap_or(&empty),
    );
    let sections: BTreeSet<&String> = old_top.keys().chain(new_top.keys()).collect();
    for section in sections {
        if !matches!(section.as_str(), "Resources" | "Outputs")
            && old.get(section) != new.get(section)
        {
            plan.refused
                .push(format!("the template's {section} changed"));
        }
    }
    let (old_res, new_res) = (resources(old), resources(new));

    // A version whose logical ID changed (tap names it after the code) and
    // nothing else: a version of the new code, published by the hotswap.
    let mut renamed: BTreeMap<String, String> = BTreeMap::new();
    let mut paired_old: BTreeSet<String> = BTreeSet::new();
    for (id, r) in new_res
        .iter()
        .filter(|(id, r)| kind(r) == VERSION && !old_res.contains_key(*id))
    {
        let twin = old_res
            .iter()
            .find(|(oid, o)| !new_res.contains_key(*oid) && !paired_old.contains(*oid) && *o == r);
        if let Some((oid, _)) = twin {
            paired_old.insert(oid.clone());
            renamed.insert(id.clone(), oid.clone());
        }
    }

    let mut swaps: BTreeMap<String, FunctionSwap> = BTreeMap::new();
    let mut aliases: Vec<(String, String)> = Vec::new();
    let mut versions: Vec<(String, String, String)> = Vec::new();
    for (id, r) in &new_res {
        let what = format!("{id} ({})", kind(r));
        let Some(o) = old_res.get(id) else {
            match renamed.get(id) {
                Some(oid) => match target(&r["Properties"]["FunctionName"]) {
                    Some(f) => versions.push((f.to_string(), oid.clone(), id.clone())),
                    None => plan.refused.push(format!("{what} is added")),
                },
                None => plan.refused.push(format!("{what} is added")),
            }
            continue;
        };
        if o == r {
            continue;
        }
        if kind(o) != kind(r) {
            plan.refused.push(format!("{what} changes type"));
            continue;
        }
        if kind(r) == FUNCTION {
            let mut other: Vec<String> = differing(o, r)
                .into_iter()
                .filter(|k| k != "Properties")
                .collect();
            other.extend(
                differing(&o["Properties"], &r["Properties"])
                    .into_iter()
                    .filter(|k| k != "Code" && k != "Environment"),
            );
            if !other.is_empty() {
                plan.refused
                    .push(format!("{what}: its {} changed", other.join(", ")));
                continue;
            }
            let p = (&o["Properties"], &r["Properties"]);
            let mut swap = FunctionSwap {
                logical_id: id.clone(),
                ..FunctionSwap::default()
            };
            if p.0.get("Code") != p.1.get("Code") {
                swap.code = Some(p.1["Code"].clone());
            }
            if p.0.get("Environment") != p.1.get("Environment") {
                let env_keys = differing(&p.0["Environment"], &p.1["Environment"]);
                if env_keys.iter().any(|k| k != "Variables") {
                    plan.refused.push(format!(
                        "{what}: its Environment's {} changed",
                        env_keys.join(", ")
                    ));
                    continue;
                }
                let vars = p.1["Environment"]["Variables"]
                    .as_object()
                    .cloned()
                    .unwrap_or_default();
                swap.changed_variables = differing(
                    &p.0["Environment"]["Variables"],
                    &p.1["Environment"]["Variables"],
                );
                swap.environment = Some(vars);
            }
            swaps.insert(id.clone(), swap);
            continue;
        }
        // Changed only in naming a replaced version.
        if rename(r, &renamed) == *o {
            match (kind(r), target(&r["Properties"]["FunctionName"])) {
                (ALIAS, Some(f)) => aliases.push((f.to_string(), id.clone())),
                _ => plan.refused.push(format!("{what} names the new version")),
            }
            continue;
        }
        let mut keys = differing(o, r);
        if keys == ["Properties"] {
            keys = differing(&o["Properties"], &r["Properties"]);
        }
        plan.refused
            .push(format!("{what}: its {} changed", keys.join(", ")));
    }
    for (id, o) in &old_res {
        if !new_res.contains_key(id) && !paired_old.contains(id) {
            plan.refused.push(format!("{id} ({}) is removed", kind(o)));
        }
    }

    // Versions and aliases only follow a function that is hotswapped.
    for (function, old_id, new_id) in versions {
        match swaps.get_mut(&function) {
            Some(s) if s.code.is_some() || s.environment.is_some() => s.versions.push((old_id, new_id)),
            _ => plan.refused.push(format!("{new_id} ({VERSION}) is added for {function}, whose code and environment are unchanged")),
        }
    }
    for (function, alias) in aliases {
        match swaps.get_mut(&function) {
            Some(s) if !s.versions.is_empty() => s.aliases.push(alias),
            _ => plan.refused.push(format!(
                "{alias} ({ALIAS}) moves to a version of {function} the hotswap does not publish"
            )),
        }
    }

    let empty_outputs = Map::new();
    let (old_out, new_out) = (
        old["Outputs"].as_object().unwrap_or(&empty_outputs),
        new["Outputs"].as_object().unwrap_or(&empty_outputs),
    );
    let names: BTreeSet<&String> = old_out.keys().chain(new_out.keys()).collect();
    for name in names {
        match (old_out.get(name), new_out.get(name)) {
            (Some(o), Some(n)) if o == n => {}
            (Some(o), Some(n)) if rename(n, &renamed) == *o => {
                plan.stale_outputs.push(name.clone())
            }
            (None, Some(_)) => plan.refused.push(format!("the output {name} is added")),
            (Some(_), None) => plan.refused.push(format!("the output {name} is removed")),
            _ => plan.refused.push(format!("the output {name} changed")),
        }
    }
    plan.functions = swaps.into_values().collect();
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn template(key: &str, env: &str, version: &str, memory: u32) -> Value {
        json!({
            "Resources": {
                "Role": { "Type": "AWS::IAM::Role", "Properties": { "Description": "r" } },
                "Fn": { "Type": FUNCTION, "Properties": {
                    "Code": { "S3Bucket": { "Fn::Sub": "tap-assets-${AWS::AccountId}-${AWS::Region}" }, "S3Key": key },
                    "Environment": { "Variables": { "APP_ENV": env, "ROLE": { "Fn::GetAtt": ["Role", "Arn"] } } },
                    "MemorySize": memory,
                } },
                version: { "Type": VERSION, "Properties": { "FunctionName": { "Ref": "Fn" } }, "DeletionPolicy": "Retain" },
                "Live": { "Type": ALIAS, "Properties": {
                    "FunctionName": { "Ref": "Fn" },
                    "FunctionVersion": { "Fn::GetAtt": [version, "Version"] },
                    "Name": "live",
                } },
            },
            "Outputs": {
                "Version": { "Value": { "Fn::Sub": format!("${{{version}.Version}}") } },
                "Name": { "Value": { "Ref": "Fn" } },
            },
        })
    }

    #[test]
    fn new_code_swaps_the_code_publishes_a_version_and_moves_the_alias() {
        let p = plan(
            &template("a.zip", "dev", "FnVersion1", 128),
            &template("b.zip", "dev", "FnVersion2", 128),
        );
        assert_eq!(p.refused, Vec::<String>::new());
        assert_eq!(p.functions.len(), 1);
        let f = &p.functions[0];
        assert_eq!(f.logical_id, "Fn");
        assert_eq!(f.code.as_ref().map(|c| &c["S3Key"]), Some(&json!("b.zip")));
        assert_eq!(f.environment, None);
        assert_eq!(
            f.versions,
            [("FnVersion1".to_string(), "FnVersion2".to_string())]
        );
        assert_eq!(f.aliases, ["Live"]);
        assert_eq!(p.stale_outputs, ["Version"]);
    }

    #[test]
    fn a_changed_variable_is_swapped_with_the_whole_environment() {
        let p = plan(
            &template("a.zip", "dev", "FnVersion1", 128),
            &template("a.zip", "test", "FnVersion1", 128),
        );
        assert!(p.refused.is_empty(), "{:?}", p.refused);
        let f = &p.functions[0];
        assert_eq!(f.code, None);
        assert_eq!(f.changed_variables, ["APP_ENV"]);
        let env = f.environment.as_ref().expect("environment");
        assert_eq!(env.len(), 2, "unchanged variables are kept: {env:?}");
        assert!(f.aliases.is_empty());
    }

    #[test]
    fn any_other_change_is_refused_with_what_changed() {
        let p = plan(
            &template("a.zip", "dev", "FnVersion1", 128),
            &template("b.zip", "dev", "FnVersion2", 256),
        );
        assert!(p.functions.is_empty());
        assert!(
            p.refused
                .contains(&"Fn (AWS::Lambda::Function): its MemorySize changed".to_string()),
            "{:?}",
            p.refused
        );
        // Without its function, the version and alias cannot follow.
        assert!(
            p.refused
                .iter()
                .any(|r| r.starts_with("FnVersion2 (AWS::Lambda::Version) is added for Fn")),
            "{:?}",
            p.refused
        );

        let mut role = template("b.zip", "dev", "FnVersion2", 128);
        role["Resources"]["Role"]["Properties"]["Description"] = json!("changed");
        role["Resources"]["Queue"] = json!({ "Type": "AWS::SQS::Queue" });
        role["Parameters"] = json!({ "P": { "Type": "String" } });
        let p = plan(&template("a.zip", "dev", "FnVersion1", 128), &role);
        assert_eq!(
            p.functions.len(),
            1,
            "the function part is still known (for --hotswap-only)"
        );
        assert_eq!(
            p.refused,
            [
                "the template's Parameters changed",
                "Queue (AWS::SQS::Queue) is added",
                "Role (AWS::IAM::Role): its Description changed",
            ]
        );
    }

    #[test]
    fn a_new_version_without_new_code_or_a_changed_output_is_refused() {
        let mut new = template("a.zip", "dev", "FnVersion2", 128);
        new["Outputs"]["Name"] = json!({ "Value": "other" });
        let p = plan(&template("a.zip", "dev", "FnVersion1", 128), &new);
        assert!(p.functions.is_empty());
        assert!(
            p.refused.contains(&"the output Name changed".to_string()),
            "{:?}",
            p.refused
        );
        assert!(p
            .refused
            .iter()
            .any(|r| r.contains("whose code and environment are unchanged")));
    }

    #[test]
    fn references_to_a_renamed_version_are_renamed_everywhere() {
        let renamed = BTreeMap::from([("New".to_string(), "Old".to_string())]);
        let v = json!({
            "a": { "Ref": "New" },
            "b": { "Fn::GetAtt": ["New", "Version"] },
            "c": { "Fn::GetAtt": "New.Version" },
            "d": { "Fn::Sub": "${New.Version}-${New}-${Newer}" },
            "e": { "Fn::Sub": ["${x}", { "x": { "Ref": "New" } }] },
            "DependsOn": "New",
        });
        assert_eq!(
            rename(&v, &renamed),
            json!({
                "a": { "Ref": "Old" },
                "b": { "Fn::GetAtt": ["Old", "Version"] },
                "c": { "Fn::GetAtt": "Old.Version" },
                "d": { "Fn::Sub": "${Old.Version}-${Old}-${Newer}" },
                "e": { "Fn::Sub": ["${x}", { "x": { "Ref": "Old" } }] },
                "DependsOn": "Old",
            })
        );
    }
}
