//! The lenient reading: libyaml's (through serde_norway), for YAML a strict
//! reader refuses but CloudFormation reads. Its plain scalars are resolved
//! by YAML 1.2's rules, which is what [`super::parse_lenient`] warns of.

use super::{display, long_form_named, YamlError};
use serde_json::{Map, Number, Value};
use serde_norway::Value as Yaml;

pub(super) fn to_json(yaml: Yaml, path: &str) -> Result<Value, YamlError> {
    Ok(match yaml {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(b),
        Yaml::Number(n) => number(&n),
        Yaml::String(s) => Value::String(s),
        Yaml::Sequence(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| to_json(item, &format!("{path}[{i}]")))
                .collect::<Result<_, _>>()?,
        ),
        Yaml::Mapping(entries) => {
            let mut map = Map::new();
            for (key, value) in entries {
                let key = key_text(key, path)?;
                let at = join(path, &key);
                map.insert(key, to_json(value, &at)?);
            }
            Value::Object(map)
        }
        Yaml::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = tag.trim_start_matches('!');
            let value = to_json(tagged.value, path)?;
            long_form_named(name, value)
        }
    })
}

fn number(n: &serde_norway::Number) -> Value {
    if let Some(i) = n.as_i64() {
        return Value::Number(i.into());
    }
    if let Some(u) = n.as_u64() {
        return Value::Number(u.into());
    }
    // JSON has no `.inf` or `.nan`: such a scalar stays the text YAML had.
    n.as_f64()
        .and_then(Number::from_f64)
        .map_or_else(|| Value::String(n.to_string()), Value::Number)
}

/// A mapping key as JSON's string key: YAML lets `80:` or `true:` be keys.
fn key_text(key: Yaml, path: &str) -> Result<String, YamlError> {
    match key {
        Yaml::String(s) => Ok(s),
        Yaml::Number(n) => Ok(n.to_string()),
        Yaml::Bool(b) => Ok(b.to_string()),
        Yaml::Null => Ok("null".to_string()),
        Yaml::Sequence(_) => Err(YamlError::Key {
            path: display(path),
            what: "a list",
        }),
        Yaml::Mapping(_) => Err(YamlError::Key {
            path: display(path),
            what: "a mapping",
        }),
        Yaml::Tagged(_) => Err(YamlError::Key {
            path: display(path),
            what: "a tagged value",
        }),
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}
