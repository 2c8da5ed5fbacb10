//! The catalog of every CloudFormation resource type, generated from AWS's
//! resource provider schemas by `scripts/gen-cfn-catalog.py` (see the data
//! file's header for the source and version). One line per type: the index is
//! built on first use with a line scan, and a type's schema is parsed only
//! when a stack uses it.

use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, OnceLock};

const DATA: &str = include_str!("../../../data/cfn-catalog.txt");

/// The catalog's size as embedded in the crate.
pub const BYTES: usize = DATA.len();

/// The JSON types a value may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonType {
    String,
    Integer,
    Number,
    Boolean,
    Array,
    Object,
}

impl JsonType {
    fn from_code(code: &str) -> Option<JsonType> {
        Some(match code {
            "s" => JsonType::String,
            "i" => JsonType::Integer,
            "n" => JsonType::Number,
            "b" => JsonType::Boolean,
            "a" => JsonType::Array,
            "o" => JsonType::Object,
            _ => return None,
        })
    }

    pub fn describe(self) -> &'static str {
        match self {
            JsonType::String => "a string",
            JsonType::Integer => "a whole number",
            JsonType::Number => "a number",
            JsonType::Boolean => "`true` or `false`",
            JsonType::Array => "a list `[…]`",
            JsonType::Object => "an object `{ … }`",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Codes {
    One(String),
    Many(Vec<String>),
}

/// What a property's value must be: a JSON-schema node, compacted.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Shape {
    #[serde(rename = "t")]
    types: Option<Codes>,
    /// A named definition of the type this shape stands for.
    #[serde(rename = "$")]
    pub definition: Option<String>,
    #[serde(rename = "e")]
    pub enumeration: Option<Vec<serde_json::Value>>,
    #[serde(rename = "ci", default)]
    pub enum_case_insensitive: u8,
    #[serde(rename = "c")]
    pub constant: Option<serde_json::Value>,
    #[serde(rename = "re")]
    pub pattern: Option<String>,
    #[serde(rename = "ln")]
    pub length: Option<[Option<f64>; 2]>,
    #[serde(rename = "nm")]
    pub range: Option<[Option<f64>; 2]>,
    #[serde(rename = "it")]
    pub item_count: Option<[Option<f64>; 2]>,
    #[serde(rename = "i")]
    pub items: Option<Box<Shape>>,
    #[serde(rename = "p")]
    pub properties: Option<BTreeMap<String, Shape>>,
    #[serde(rename = "r", default)]
    pub required: Vec<String>,
    /// Unknown properties are refused.
    #[serde(rename = "x", default)]
    pub closed: u8,
    #[serde(rename = "pp", default)]
    pub pattern_properties: Vec<(String, Shape)>,
    /// oneOf/anyOf: the value must fit one of these.
    #[serde(rename = "one", default)]
    pub alternatives: Vec<Shape>,
    /// Free-form JSON: an object, or a string holding JSON.
    #[serde(rename = "j", default)]
    pub json: u8,
    /// `"4"` / `"6"`: an IPv4 / IPv6 network in CIDR notation.
    #[serde(rename = "fm")]
    pub network: Option<String>,
    /// An identifier of another resource (`AWS::KMS::Key.Id`): see [`format`].
    #[serde(rename = "fmt")]
    pub format: Option<String>,
}

impl Shape {
    /// A shape that only says its JSON type (a function's argument).
    pub fn of(t: JsonType) -> Shape {
        let code = match t {
            JsonType::String => "s",
            JsonType::Integer => "i",
            JsonType::Number => "n",
            JsonType::Boolean => "b",
            JsonType::Array => "a",
            JsonType::Object => "o",
        };
        Shape {
            types: Some(Codes::One(code.to_string())),
            ..Shape::default()
        }
    }

    /// The JSON types this shape allows; empty when it does not say.
    pub fn types(&self) -> Vec<JsonType> {
        match &self.types {
            None => Vec::new(),
            Some(Codes::One(c)) => JsonType::from_code(c).into_iter().collect(),
            Some(Codes::Many(cs)) => cs.iter().filter_map(|c| JsonType::from_code(c)).collect(),
        }
    }
}

/// The IAM resource type an attribute's ARN is: (service prefix, resource type).
#[derive(Debug, Clone, Deserialize)]
pub struct IamType(pub String, pub String);

/// One resource type: its properties, attributes and what IAM knows of it.
#[derive(Debug, Default, Deserialize)]
pub struct TypeSchema {
    #[serde(skip)]
    pub name: String,
    #[serde(rename = "p", default)]
    pub properties: BTreeMap<String, Shape>,
    #[serde(rename = "r", default)]
    pub required: Vec<String>,
    #[serde(rename = "x", default)]
    pub closed: u8,
    #[serde(rename = "d", default)]
    pub definitions: BTreeMap<String, Shape>,
    /// The properties CloudFormation sets, each an attribute `Fn::GetAtt`
    /// can name (`A.B` for nested ones).
    #[serde(rename = "ro", default)]
    pub read_only: Vec<String>,
    /// The attributes `Fn::GetAtt` also takes that are not read-only
    /// (`AWS::SNS::Topic`'s `TopicName`): cfn-lint's table, as data.
    #[serde(rename = "ga", default)]
    pub get_att: Vec<String>,
    /// Changing one of these replaces the resource.
    #[serde(rename = "co", default)]
    pub create_only: Vec<String>,
    #[serde(rename = "wo", default)]
    pub write_only: Vec<String>,
    #[serde(rename = "id", default)]
    pub primary_identifier: Vec<String>,
    /// The date AWS shut the type's service down: CloudFormation can no
    /// longer create it.
    #[serde(rename = "gone")]
    pub shut_down: Option<String>,
    /// handler (`create`, `read`, `update`, `delete`) → the IAM actions it calls.
    #[serde(rename = "h", default)]
    pub handlers: BTreeMap<String, Vec<String>>,
    /// The attribute that is the resource's ARN (`Ref` when `Ref` returns it).
    #[serde(rename = "arn")]
    pub arn_attribute: Option<String>,
    /// attribute → its IAM resource type.
    #[serde(rename = "iam", default)]
    pub iam: BTreeMap<String, IamType>,
    /// IAM has no resource type for this type: grants on it take `*`.
    #[serde(rename = "noiam", default)]
    pub no_iam: u8,
}

impl TypeSchema {
    /// A named definition (`$ref`).
    pub fn definition(&self, name: &str) -> Option<&Shape> {
        self.definitions.get(name)
    }

    /// The shape a `$ref` stands for, followed until a concrete node.
    pub fn resolve<'a>(&'a self, mut shape: &'a Shape) -> &'a Shape {
        // A chain of references is short; the bound guards a cyclic schema.
        for _ in 0..16 {
            match shape.definition.as_deref().and_then(|d| self.definition(d)) {
                Some(next) if shape.types.is_none() && shape.properties.is_none() => shape = next,
                _ => return shape,
            }
        }
        shape
    }

    pub fn is_read_only(&self, property: &str) -> bool {
        self.read_only.iter().any(|p| p == property)
    }
}

fn index() -> &'static HashMap<&'static str, &'static str> {
    static INDEX: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    INDEX.get_or_init(|| {
        DATA.lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once('\t'))
            .collect()
    })
}

/// Every type name, sorted.
pub fn type_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = index().keys().copied().collect();
    names.sort_unstable();
    names
}

/// The schema of a type (`AWS::DynamoDB::Table`); parsed once per process.
pub fn schema(type_name: &str) -> Option<&'static TypeSchema> {
    static PARSED: OnceLock<Mutex<HashMap<&'static str, &'static TypeSchema>>> = OnceLock::new();
    // A custom resource (`Custom::Anything`) has `AWS::CloudFormation::CustomResource`'s schema.
    let (name, json) = match type_name.strip_prefix("Custom::") {
        Some(rest) if !rest.is_empty() => {
            let (_, json) = index().get_key_value(CUSTOM_RESOURCE)?;
            let parsed = PARSED.get_or_init(Default::default);
            if let Some(s) = parsed
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(type_name)
            {
                return Some(s);
            }
            let name: &'static str = Box::leak(type_name.to_string().into_boxed_str());
            (name, *json)
        }
        _ => {
            let (name, json) = index().get_key_value(type_name)?;
            (*name, *json)
        }
    };
    let parsed = PARSED.get_or_init(Default::default);
    let mut parsed = parsed.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(s) = parsed.get(name) {
        return Some(s);
    }
    // The file is generated and checked by the tests: a line that does not
    // parse is a generator bug, reported as an unknown type rather than a panic.
    let mut schema: TypeSchema = serde_json::from_str(json).ok()?;
    schema.name = (*name).to_string();
    let schema: &'static TypeSchema = Box::leak(Box::new(schema));
    parsed.insert(name, schema);
    Some(schema)
}

/// The type every custom resource is: its properties are the provider's own.
pub const CUSTOM_RESOURCE: &str = "AWS::CloudFormation::CustomResource";

/// Whether a type is a custom resource, which takes any property next to
/// `ServiceToken` and returns any attribute its provider sends.
pub fn is_custom(type_name: &str) -> bool {
    type_name == CUSTOM_RESOURCE || type_name.starts_with("Custom::")
}

/// The pattern of an identifier format (`AWS::KMS::Key.Id` → key IDs,
/// `mrk-` keys and aliases), from cfn-lint's format keywords in the header.
/// `None` for a format the file does not have, or a pattern the `regex-lite`
/// dialect cannot compile (a lookaround): not checked rather than guessed at.
pub fn format(name: &str) -> Option<&'static regex_lite::Regex> {
    static FORMATS: OnceLock<HashMap<&'static str, regex_lite::Regex>> = OnceLock::new();
    FORMATS
        .get_or_init(|| {
            DATA.lines()
                .filter_map(|l| l.strip_prefix("#format\t"))
                .filter_map(|l| l.split_once('\t'))
                // Python's `\Z` is the end of the text, `\z` in Rust's dialect.
                .filter_map(|(n, p)| {
                    Some((n, regex_lite::Regex::new(&p.replace("\\Z", "\\z")).ok()?))
                })
                .collect()
        })
        .get(name)
}

/// Where the data comes from (the generated file's source line).
pub fn source() -> &'static str {
    DATA.lines()
        .find_map(|l| l.strip_prefix("# source: "))
        .unwrap_or("unknown")
}

/// The file's header lines (source, versions, counts).
pub fn header() -> impl Iterator<Item = &'static str> {
    DATA.lines()
        .take_while(|l| l.starts_with('#'))
        .filter(|l| !l.starts_with("#format\t"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_parses() {
        let names = type_names();
        assert!(names.len() > 1800, "{}", names.len());
        for n in names {
            assert!(schema(n).is_some(), "{n} does not parse");
        }
    }

    #[test]
    fn a_table_has_its_schema() {
        let t = schema("AWS::DynamoDB::Table").expect("table");
        assert!(t.properties.contains_key("KeySchema"));
        assert!(t.read_only.iter().any(|a| a == "StreamArn"));
        assert_eq!(t.arn_attribute.as_deref(), Some("Arn"));
        let billing = &t.properties["BillingMode"];
        assert_eq!(billing.types(), vec![JsonType::String]);
        assert!(billing.enumeration.as_ref().is_some_and(|e| e.len() == 2));
        assert!(schema("AWS::DynamoDB::Tabel").is_none());
    }
}
