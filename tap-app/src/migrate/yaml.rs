//! A YAML template as the JSON CloudFormation reads it: the short-form tags
//! (`!Ref X`, `!GetAtt A.B`, `!Sub …`) become their long form, so that the
//! writer only ever sees one spelling of each intrinsic function.
//!
//! CloudFormation reads YAML 1.1, where a plain `Yes`, `off` or `0755` is a
//! boolean or a number, and a plain `012345678901` is a string; YAML 1.2's
//! readers disagree on all of them. The document is read as events (which
//! say whether a scalar was quoted) and resolved by 1.1's rules.

use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

mod lenient;

/// Why a YAML document is not a template's JSON.
#[derive(Debug, thiserror::Error)]
pub enum YamlError {
    #[error("{0}")]
    Parse(#[from] yaml_rust2::ScanError),
    #[error("a mapping key at {path} is {what}: keys are names")]
    Key { path: String, what: &'static str },
    #[error("line {line}: an alias to an anchor the document has not defined")]
    Alias { line: usize },
    #[error("line {line}: aliases expand to more than {MAX_ALIASED_NODES} values")]
    Aliases { line: usize },
    #[error("`{key}` is in {path} twice: which one was meant? (cfn-lint refuses it too, E0000; migrate keeps neither silently)")]
    Duplicate { path: String, key: String },
}

/// A template read leniently: the JSON, and what the reading could not
/// keep as CloudFormation reads it.
pub struct Lenient {
    pub value: Value,
    pub warning: Option<String>,
}

/// As [`parse`]; YAML that a strict reader refuses but libyaml (and so
/// CloudFormation and cfn-lint) reads — a quoted scalar's next line or a flow
/// list's `]` indented no deeper than its key — is read by libyaml instead.
/// That reader resolves plain scalars by YAML 1.2's rules, not 1.1's, which
/// the warning says where it matters (`Yes`, `off`, a leading zero).
pub fn parse_lenient(text: &str) -> Result<Lenient, YamlError> {
    let strict = match parse(text) {
        Ok(value) => {
            return Ok(Lenient {
                value,
                warning: None,
            })
        }
        Err(YamlError::Parse(e)) => e,
        Err(other) => return Err(other),
    };
    let Ok(yaml) = serde_norway::from_str::<serde_norway::Value>(text) else {
        return Err(YamlError::Parse(strict));
    };
    let value = lenient::to_json(yaml, "")?;
    Ok(Lenient {
        value,
        warning: Some(format!(
            "read by libyaml's lenient rules ({strict}): an unquoted `yes`/`no`/`on`/`off` is a string here and a boolean to CloudFormation, and an unquoted number with a leading zero loses it; check such values"
        )),
    })
}

/// Parses `text` and turns it into JSON, short-form tags into long form.
pub fn parse(text: &str) -> Result<Value, YamlError> {
    let mut tree = Tree::default();
    Parser::new_from_str(text).load(&mut tree, false)?;
    if let Some(e) = tree.error {
        return Err(e);
    }
    Ok(tree.root.unwrap_or(Value::Null))
}

/// A collection being read: its tag and anchor, what it holds so far.
enum Open {
    Seq {
        tag: Option<Tag>,
        anchor: usize,
        items: Vec<Value>,
    },
    Map {
        tag: Option<Tag>,
        anchor: usize,
        map: Map<String, Value>,
        key: Option<String>,
    },
}

/// How many values aliases may copy in all.
const MAX_ALIASED_NODES: usize = 1_000_000;

/// The values in `v`, itself included.
fn nodes(v: &Value) -> usize {
    1 + match v {
        Value::Array(items) => items.iter().map(nodes).sum::<usize>(),
        Value::Object(m) => m.values().map(nodes).sum::<usize>(),
        _ => 0,
    }
}

#[derive(Default)]
struct Tree {
    open: Vec<Open>,
    anchors: std::collections::HashMap<usize, Value>,
    /// The values aliases have copied so far.
    expanded: usize,
    root: Option<Value>,
    error: Option<YamlError>,
}

impl Tree {
    fn path(&self) -> String {
        self.open
            .iter()
            .filter_map(|o| match o {
                Open::Map { key: Some(k), .. } => Some(k.as_str()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join(".")
    }

    /// A finished value goes where the innermost collection is waiting.
    fn push(&mut self, value: Value, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, value.clone());
        }
        match self.open.last_mut() {
            None => self.root = Some(value),
            Some(Open::Seq { items, .. }) => items.push(value),
            Some(Open::Map { map, key, .. }) => match key.take() {
                Some(k) if map.contains_key(&k) => {
                    let path = self.path();
                    self.fail(YamlError::Duplicate {
                        path: display(&path),
                        key: k,
                    });
                }
                Some(k) => {
                    map.insert(k, value);
                }
                None => {
                    let what = match value {
                        Value::String(k) => {
                            *key = Some(k);
                            return;
                        }
                        Value::Array(_) => "a list",
                        Value::Object(_) => "a mapping",
                        _ => "a tagged value",
                    };
                    let path = self.path();
                    self.fail(YamlError::Key {
                        path: display(&path),
                        what,
                    });
                }
            },
        }
    }

    fn fail(&mut self, e: YamlError) {
        self.error.get_or_insert(e);
    }

    fn awaits_key(&self) -> bool {
        matches!(self.open.last(), Some(Open::Map { key: None, .. }))
    }
}

impl MarkedEventReceiver for Tree {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(text, style, anchor, tag) => {
                // A key is its text: `80:` and `true:` name entries.
                let value = if self.awaits_key() {
                    match tag {
                        Some(t) if !is_standard(&t) => {
                            let path = self.path();
                            self.fail(YamlError::Key {
                                path: display(&path),
                                what: "a tagged value",
                            });
                            return;
                        }
                        _ => Value::String(text),
                    }
                } else {
                    let plain = style == TScalarStyle::Plain;
                    match tag {
                        Some(t) if is_standard(&t) => standard(&t.suffix, text, plain),
                        // `!Ref On`, `!Sub 1.10`: a function's argument is the
                        // text as written, not the scalar it would resolve to.
                        Some(t) => long_form(&t, Value::String(text)),
                        None => scalar(text, plain),
                    }
                };
                self.push(value, anchor);
            }
            Event::SequenceStart(anchor, tag) => self.open.push(Open::Seq {
                tag,
                anchor,
                items: Vec::new(),
            }),
            Event::MappingStart(anchor, tag) => self.open.push(Open::Map {
                tag,
                anchor,
                map: Map::new(),
                key: None,
            }),
            Event::SequenceEnd | Event::MappingEnd => {
                let (value, tag, anchor) = match self.open.pop() {
                    Some(Open::Seq { tag, anchor, items }) => (Value::Array(items), tag, anchor),
                    Some(Open::Map {
                        tag, anchor, map, ..
                    }) => (Value::Object(map), tag, anchor),
                    None => return,
                };
                let value = match tag {
                    Some(t) if !is_standard(&t) => long_form(&t, value),
                    _ => value,
                };
                self.push(value, anchor);
            }
            // After a failure nothing more is built: the error is the result.
            Event::Alias(_) if self.error.is_some() => {}
            Event::Alias(id) => {
                let Some(size) = self.anchors.get(&id).map(nodes) else {
                    return self.fail(YamlError::Alias { line: mark.line() });
                };
                // Aliases of aliases grow exponentially ("a billion laughs");
                // no template needs that many values.
                self.expanded += size;
                if self.expanded > MAX_ALIASED_NODES {
                    return self.fail(YamlError::Aliases { line: mark.line() });
                }
                if let Some(v) = self.anchors.get(&id).cloned() {
                    self.push(v, 0);
                }
            }
            _ => {}
        }
    }
}

/// `!!str`, `!!int`…: YAML's own tags, not CloudFormation's functions.
fn is_standard(tag: &Tag) -> bool {
    tag.handle == "!!" || tag.handle.starts_with("tag:yaml.org")
}

fn standard(kind: &str, text: String, plain: bool) -> Value {
    match kind {
        "str" => Value::String(text),
        "null" => Value::Null,
        _ => scalar(text, plain),
    }
}

/// A scalar by YAML 1.1's rules, as CloudFormation reads it; a quoted one
/// is always a string. Dates stay strings (`Version: 2012-10-17`): CloudFormation
/// has no timestamp type.
fn scalar(text: String, plain: bool) -> Value {
    if !plain {
        return Value::String(text);
    }
    match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Value::Bool(true)
        }
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Value::Bool(false)
        }
        _ => {}
    }
    integer(&text)
        .or_else(|| float(&text))
        .unwrap_or(Value::String(text))
}

/// YAML 1.1's integers: decimal, `0b…`, `0x…`, octal `0…`, `_` between digits.
fn integer(text: &str) -> Option<Value> {
    let (negative, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let digits = body.replace('_', "");
    let (radix, digits) = if let Some(d) = digits.strip_prefix("0b") {
        (2, d)
    } else if let Some(d) = digits.strip_prefix("0x") {
        (16, d)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, digits.as_str())
    };
    if digits.is_empty() || body.starts_with('_') || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    if negative {
        let v = i64::try_from(magnitude).ok()?.checked_neg()?;
        Some(Value::Number(v.into()))
    } else {
        Some(Value::Number(magnitude.into()))
    }
}

/// YAML 1.1's floats: `1.5`, `-.5`, `6.8e+3`, `.inf` (not JSON: kept as text).
fn float(text: &str) -> Option<Value> {
    let body = text.trim_start_matches(['-', '+']);
    let (mantissa, exponent) = match body.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (body, None),
    };
    let ok_mantissa = mantissa.contains('.')
        && mantissa
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '_')
        && mantissa.chars().any(|c| c.is_ascii_digit());
    let ok_exponent = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.chars().all(|c| c.is_ascii_digit())
    });
    if !ok_mantissa || !ok_exponent || text.len() - body.len() > 1 {
        return None;
    }
    let n: f64 = text.replace('_', "").parse().ok()?;
    Number::from_f64(n).map(Value::Number)
}

/// `!Name value` as CloudFormation's JSON spells it.
fn long_form(tag: &Tag, value: Value) -> Value {
    long_form_named(&tag.suffix, value)
}

fn long_form_named(name: &str, value: Value) -> Value {
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
    fn scalars_are_read_as_yaml_1_1_reads_them() {
        let v = parse(
            "a: Yes\nb: 'Yes'\nc: off\nd: 012345678901\ne: 0755\nf: 0x1F\ng: 2012-10-17\n\
             h: 1_000\ni: ~\nj: .inf\nk: !!str 5\nl: 6.8e+3\nm: 1.2.3\nn: \"No\"\n",
        )
        .expect("parses");
        assert_eq!(
            v,
            json!({
                "a": true, "b": "Yes", "c": false, "d": "012345678901", "e": 493, "f": 31,
                "g": "2012-10-17", "h": 1000, "i": null, "j": ".inf", "k": "5", "l": 6800.0,
                "m": "1.2.3", "n": "No",
            })
        );
    }

    #[test]
    fn anchors_and_aliases() {
        let v = parse("a: &tags [x, y]\nb: *tags\n").expect("parses");
        assert_eq!(v, json!({"a": ["x", "y"], "b": ["x", "y"]}));
        // Each level doubles the one before: 2^40 values.
        let mut laughs = String::from("l0: &l0 [x, x]\n");
        for i in 1..=40 {
            laughs.push_str(&format!("l{i}: &l{i} [*l{}, *l{}]\n", i - 1, i - 1));
        }
        let e = parse(&laughs).expect_err("refused");
        assert!(e.to_string().contains("aliases expand"), "{e}");
    }

    #[test]
    fn a_functions_argument_is_its_text() {
        let v = parse("a: !Ref On\nb: !Sub 1.10\nc: !ImportValue 0123\n").expect("parses");
        assert_eq!(
            v,
            json!({"a": {"Ref": "On"}, "b": {"Fn::Sub": "1.10"}, "c": {"Fn::ImportValue": "0123"}})
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
    fn yaml_only_libyaml_reads_is_read_with_a_warning() {
        // A quoted scalar's next line no deeper than its key: libyaml (and
        // so CloudFormation) reads it, a strict reader does not.
        let text = "A:\n  B: 'one\n  two'\n  C: !Ref D\n";
        assert!(super::parse(text).is_err());
        let read = super::parse_lenient(text).expect("read leniently");
        assert_eq!(
            read.value,
            json!({"A": {"B": "one two", "C": {"Ref": "D"}}})
        );
        assert!(read.warning.is_some_and(|w| w.contains("libyaml")));
        let strict = super::parse_lenient("a: Yes\n").expect("reads");
        assert_eq!(strict.value, json!({"a": true}));
        assert!(strict.warning.is_none());
    }

    #[test]
    fn a_key_written_twice_is_refused() {
        let e = parse("Outputs:\n  Id: {Value: a}\n  Id: {Value: b}\n").expect_err("refused");
        assert_eq!(
            e.to_string(),
            "`Id` is in Outputs twice: which one was meant? (cfn-lint refuses it too, E0000; migrate keeps neither silently)"
        );
    }

    #[test]
    fn broken_yaml_is_an_error() {
        assert!(parse("a: [1, 2\n").is_err());
    }
}
