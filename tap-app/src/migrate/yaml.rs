//! A YAML template as the JSON CloudFormation reads it: the short-form tags
//! (`!Ref X`, `!GetAtt A.B`, `!Sub …`) become their long form, so that the
//! writer only ever sees one spelling of each intrinsic function.

use serde_json::{Map, Number, Value};
use serde_norway::Value as Yaml;

/// Why a YAML document is not a template's JSON.
#[derive(Debug, thiserror::Error)]
pub enum YamlError {
    #[error("{0}")]
    Parse(#[from] serde_norway::Error),
    #[error("a mapping key at {path} is {what}: keys are names")]
    Key { path: String, what: &'static str },
}

/// Parses `text` and turns it into JSON, short-form tags into long form.
pub fn parse(text: &str) -> Result<Value, YamlError> {
    let yaml: Yaml = serde_norway::from_str(text)?;
    to_json(yaml, "")
}

fn to_json(yaml: Yaml, path: &str) -> Result<Value, YamlError> {
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
            long_form(name, value)
        }
    })
}

/// `!Name value` as CloudFormation's JSON spells it.
fn long_form(name: &str, value: Value) -> Value {
    let (key, value) = match (name, value) {
        ("Ref", v) => ("Ref".to_string(), v),
        ("Condition", v) => ("Condition".to_string(), v),
        // `!GetAtt Res.Attr.Sub`: the resource is up to the first dot; the
        // attribute may have dots of its own (`Endpoint.Address`).
        ("GetAtt", Value::String(s)) => match s.split_once('.') {
            Some((res, attr)) => (
                "Fn::GetAtt".to_string(),
                Value::Array(vec![res.into(), attr.into()]),
            ),
            None => ("Fn::GetAtt".to_string(), Value::String(s)),
        },
        (other, v) => (format!("Fn::{other}"), v),
    };
    let mut map = Map::new();
    map.insert(key, value);
    Value::Object(map)
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

fn display(path: &str) -> String {
    if path.is_empty() {
        "the top level".to_string()
    } else {
        path.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::parse;
    use serde_json::json;

    #[test]
    fn short_tags_become_the_long_form() {
        let v = parse(
            "A: !Ref MyBucket\n\
             B: !GetAtt MyDB.Endpoint.Address\n\
             C: !Sub 'arn:${AWS::Partition}:s3:::${MyBucket}'\n\
             D: !Sub ['${X}', {X: !Ref Y}]\n\
             E: !Condition IsProd\n\
             F: !Select [0, !GetAZs '']\n\
             G: !Base64\n  Fn::Sub: |\n    #!/bin/bash\n    echo ${AWS::Region}\n\
             H: !GetAtt [Res, Arn]\n\
             I: !If [IsProd, !Ref AWS::NoValue, 3]\n",
        )
        .expect("parses");
        assert_eq!(
            v,
            json!({
                "A": {"Ref": "MyBucket"},
                "B": {"Fn::GetAtt": ["MyDB", "Endpoint.Address"]},
                "C": {"Fn::Sub": "arn:${AWS::Partition}:s3:::${MyBucket}"},
                "D": {"Fn::Sub": ["${X}", {"X": {"Ref": "Y"}}]},
                "E": {"Condition": "IsProd"},
                "F": {"Fn::Select": [0, {"Fn::GetAZs": ""}]},
                "G": {"Fn::Base64": {"Fn::Sub": "#!/bin/bash\necho ${AWS::Region}\n"}},
                "H": {"Fn::GetAtt": ["Res", "Arn"]},
                "I": {"Fn::If": ["IsProd", {"Ref": "AWS::NoValue"}, 3]},
            })
        );
    }

    #[test]
    fn nested_short_tags() {
        let v =
            parse("UserData: !Base64 {Fn::Sub: 'echo ${A}'}\nX: !Not [!Equals [!Ref E, prod]]\n")
                .expect("parses");
        assert_eq!(
            v,
            json!({
                "UserData": {"Fn::Base64": {"Fn::Sub": "echo ${A}"}},
                "X": {"Fn::Not": [{"Fn::Equals": [{"Ref": "E"}, "prod"]}]},
            })
        );
    }

    #[test]
    fn scalars_keep_their_types() {
        let v =
            parse("a: '5'\nb: 5\nc: 0.5\nd: true\ne: 'true'\nf: -3\ng:\n80: x\n").expect("parses");
        assert_eq!(
            v,
            json!({"a": "5", "b": 5, "c": 0.5, "d": true, "e": "true", "f": -3, "g": null, "80": "x"})
        );
    }

    #[test]
    fn the_order_of_keys_is_kept() {
        let v = parse("Zeta: 1\nAlpha: 2\nMid: 3\n").expect("parses");
        let keys: Vec<&str> = v
            .as_object()
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        assert_eq!(keys, ["Zeta", "Alpha", "Mid"]);
    }

    #[test]
    fn a_list_as_a_key_is_refused() {
        let e = parse("Resources:\n  [a, b]: 1\n").expect_err("refused");
        assert_eq!(
            e.to_string(),
            "a mapping key at Resources is a list: keys are names"
        );
    }

    #[test]
    fn broken_yaml_is_an_error() {
        assert!(parse("a: [1, 2\n").is_err());
    }
}
