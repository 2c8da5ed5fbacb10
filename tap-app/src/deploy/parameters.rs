//! Deploy-time parameters (a template's `Parameters` section): the values
//! given on the command line (`--parameter [STACK:]NAME=VALUE`), the
//! deployed stack's previous values, and the template's defaults, as the
//! `Parameter` list CloudFormation takes. A value is never printed: a `NoEcho`
//! one is a secret, and the others are shown by CloudFormation itself.

use anyhow::{bail, Result};
use aws_sdk_cloudformation::types::Parameter;
use serde_json::Value;
use std::collections::BTreeMap;

/// The values given for deploy-time parameters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParameterValues {
    /// `NAME=VALUE`: for every stack that has a parameter of that name.
    every: BTreeMap<String, String>,
    /// `STACK:NAME=VALUE`: for one stack.
    per_stack: BTreeMap<String, BTreeMap<String, String>>,
}

impl ParameterValues {
    /// Reads `[STACK:]NAME=VALUE` arguments.
    pub fn parse(args: &[String]) -> Result<ParameterValues> {
        let mut out = ParameterValues::default();
        for arg in args {
            let Some((key, value)) = arg.split_once('=') else {
                bail!("--parameter {arg}: expected NAME=VALUE or STACK:NAME=VALUE");
            };
            // A stack name has no `:`; a parameter name is alphanumeric.
            let (stack, name) = match key.split_once(':') {
                Some((s, n)) => (Some(s), n),
                None => (None, key),
            };
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
                bail!("--parameter {key}=…: `{name}` is not a parameter name (letters and digits)");
            }
            let map = match stack {
                Some(s) => out.per_stack.entry(s.to_string()).or_default(),
                None => &mut out.every,
            };
            map.insert(name.to_string(), value.to_string());
        }
        Ok(out)
    }

    /// The values for the stack `id` (`env/Name`) under its CloudFormation
    /// name: those given for `env/Name:` over those for `Name:` (which every
    /// environment's `Name` takes), over those for every stack.
    pub fn for_id(&self, id: &str, name: &str) -> ParameterValues {
        let mut out = self.clone();
        if id != name {
            if let Some(own) = self.per_stack.get(id) {
                out.per_stack
                    .entry(name.to_string())
                    .or_default()
                    .extend(own.clone());
            }
        }
        out
    }

    /// These values with `values` added for `stack` (what it takes from
    /// other environments' outputs), over any given for it.
    pub fn with_values(&self, stack: &str, values: BTreeMap<String, String>) -> ParameterValues {
        let mut out = self.clone();
        if !values.is_empty() {
            out.per_stack
                .entry(stack.to_string())
                .or_default()
                .extend(values);
        }
        out
    }

    /// Whether any value was given for this stack.
    pub fn any_for(&self, stack: &str, template: &Value) -> bool {
        declared(template)
            .keys()
            .any(|n| self.given(stack, n).is_some())
    }

    /// The value each of the template's parameters takes in this deploy:
    /// the one given, else the deployed one. (One with neither takes its
    /// default, which the template says.)
    pub fn values_for(
        &self,
        stack: &str,
        template: &Value,
        deployed: Option<&BTreeMap<String, String>>,
    ) -> BTreeMap<String, String> {
        declared(template)
            .into_keys()
            .filter_map(|n| {
                let v = self
                    .given(stack, &n)
                    .or_else(|| deployed.and_then(|d| d.get(&n)))?;
                Some((n, v.clone()))
            })
            .collect()
    }

    /// Whether a value given for this stack differs from the deployed one
    /// (a value carried from another environment is given on every deploy,
    /// and changes nothing while it is the same).
    pub fn changes_for(
        &self,
        stack: &str,
        template: &Value,
        deployed: &BTreeMap<String, String>,
    ) -> bool {
        declared(template).keys().any(|n| {
            self.given(stack, n)
                .is_some_and(|v| deployed.get(n) != Some(v))
        })
    }

    fn given(&self, stack: &str, name: &str) -> Option<&String> {
        self.per_stack
            .get(stack)
            .and_then(|m| m.get(name))
            .or_else(|| self.every.get(name))
    }

    /// The values that name no parameter of any of these stacks' templates
    /// (a typo would otherwise deploy the default silently).
    pub fn unused<'t>(
        &self,
        templates: impl IntoIterator<Item = (&'t str, &'t Value)>,
    ) -> Vec<String> {
        let templates: Vec<(&str, &Value)> = templates.into_iter().collect();
        let mut out = Vec::new();
        for name in self.every.keys() {
            if !templates
                .iter()
                .any(|(_, t)| declared(t).contains_key(name))
            {
                out.push(name.clone());
            }
        }
        for (stack, values) in &self.per_stack {
            let template = templates.iter().find(|(s, _)| s == stack).map(|(_, t)| *t);
            for name in values.keys() {
                if !template.is_some_and(|t| declared(t).contains_key(name)) {
                    out.push(format!("{stack}:{name}"));
                }
            }
        }
        out
    }

    /// The `Parameters` of a change set for `stack`: a given value, else the
    /// deployed one (`UsePreviousValue`), else nothing when the template has a
    /// default. A parameter with none of these is an error that names it.
    pub fn for_stack(
        &self,
        stack: &str,
        template: &Value,
        deployed: Option<&BTreeMap<String, String>>,
    ) -> Result<Vec<Parameter>> {
        let mut out = Vec::new();
        let mut missing = Vec::new();
        for (name, entry) in declared(template) {
            let p = Parameter::builder().parameter_key(name.as_str());
            if let Some(v) = self.given(stack, &name) {
                out.push(p.parameter_value(v).build());
            } else if deployed.is_some_and(|d| d.contains_key(&name)) {
                out.push(p.use_previous_value(true).build());
            } else if entry.get("Default").is_none() {
                missing.push(name);
            }
        }
        if !missing.is_empty() {
            bail!(
                "{stack}: parameter{} {} {} no default and no deployed value: give {} with --parameter {}",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", "),
                if missing.len() == 1 { "has" } else { "have" },
                if missing.len() == 1 { "it" } else { "them" },
                missing
                    .iter()
                    .map(|m| format!("{m}=VALUE"))
                    .collect::<Vec<_>>()
                    .join(" --parameter ")
            );
        }
        Ok(out)
    }
}

/// The template's parameters by name.
fn declared(template: &Value) -> BTreeMap<String, Value> {
    template
        .get("Parameters")
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn template() -> Value {
        json!({ "Parameters": {
            "Env": { "Type": "String", "Default": "test" },
            "KeyName": { "Type": "AWS::EC2::KeyPair::KeyName" },
            "Password": { "Type": "String", "NoEcho": true }
        }})
    }

    fn keys(ps: &[Parameter]) -> Vec<(String, Option<String>, Option<bool>)> {
        ps.iter()
            .map(|p| {
                (
                    p.parameter_key().unwrap_or_default().to_string(),
                    p.parameter_value().map(str::to_string),
                    p.use_previous_value(),
                )
            })
            .collect()
    }

    #[test]
    fn given_values_then_deployed_ones_then_defaults() {
        let v = ParameterValues::parse(&[
            "KeyName=ops".into(),
            "App:Password=s3cret".into(),
            "Other:Password=nope".into(),
        ])
        .expect("parsed");
        let ps = v.for_stack("App", &template(), None).expect("all given");
        assert_eq!(
            keys(&ps),
            vec![
                ("KeyName".into(), Some("ops".into()), None),
                ("Password".into(), Some("s3cret".into()), None),
            ]
        );
        // On an update, what is not given keeps its deployed value.
        let deployed: BTreeMap<String, String> =
            [("Password".to_string(), "****".to_string())].into();
        let only_key = ParameterValues::parse(&["KeyName=ops".into()]).expect("parsed");
        let ps = only_key
            .for_stack("App", &template(), Some(&deployed))
            .expect("previous value");
        assert_eq!(keys(&ps)[1], ("Password".into(), None, Some(true)));
    }

    #[test]
    fn a_value_for_one_environments_stack_is_its_own() {
        let v = ParameterValues::parse(&["App:KeyName=all".into(), "prod/App:KeyName=prod".into()])
            .expect("parsed");
        let given =
            |id: &str| v.for_id(id, "App").values_for("App", &template(), None)["KeyName"].clone();
        assert_eq!(given("prod/App"), "prod");
        assert_eq!(given("staging/App"), "all");
        assert!(v
            .unused([("App", &template()), ("prod/App", &template())])
            .is_empty());
    }

    #[test]
    fn a_value_equal_to_the_deployed_one_changes_nothing() {
        let carried = ParameterValues::default()
            .with_values("App", [("KeyName".to_string(), "ops".to_string())].into());
        let deployed: BTreeMap<String, String> =
            [("KeyName".to_string(), "ops".to_string())].into();
        assert!(!carried.changes_for("App", &template(), &deployed));
        let moved: BTreeMap<String, String> = [("KeyName".to_string(), "dev".to_string())].into();
        assert!(carried.changes_for("App", &template(), &moved));
        assert!(carried.changes_for("App", &template(), &BTreeMap::new()));
        assert!(!carried.changes_for("Other", &template(), &moved));
    }

    #[test]
    fn a_parameter_without_a_value_is_named() {
        let err = ParameterValues::default()
            .for_stack("App", &template(), None)
            .expect_err("missing")
            .to_string();
        assert!(err.contains("KeyName, Password"), "{err}");
        assert!(err.contains("--parameter KeyName=VALUE"), "{err}");
        assert!(!err.contains("Env"), "{err}");
    }

    #[test]
    fn malformed_and_unused_values_are_reported() {
        assert!(ParameterValues::parse(&["KeyName".into()]).is_err());
        assert!(ParameterValues::parse(&["Key-Name=x".into()]).is_err());
        let v =
            ParameterValues::parse(&["Envv=prod".into(), "App:Env=prod".into()]).expect("parsed");
        let t = template();
        assert_eq!(v.unused([("App", &t)]), vec!["Envv".to_string()]);
        assert!(v.any_for("App", &t));
        assert!(!v.any_for("Other", &t));
    }
}
