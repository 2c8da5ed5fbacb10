//! The stack definition as the user wrote it: the typed tree that `stack!` parses
//! its input into. Every name and literal keeps its [`Loc`], so a check can point
//! at the token to change. The expanded code builds the same tree (as Rust,
//! `tap-macros/src/emit.rs`), and it is synthesised into a template at run
//! time; a `Loc` is then only a key (`params::apply` maps the places it put a
//! bound value to their parameters), not a place in a file.

use crate::base::diag::Loc;
use serde::Serialize;

/// The property of every resource that names the security-scanner findings it
/// accepts, each with its reason: `because: { CKV_AWS_117: "…" }`.
pub const BECAUSE: &str = "because";

/// A name the user wrote (a resource, property, attribute, parameter…).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Name {
    pub text: String,
    pub loc: Loc,
}

impl Name {
    pub fn new(text: impl Into<String>, loc: Loc) -> Self {
        Name {
            text: text.into(),
            loc,
        }
    }
}

/// A property value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Value {
    /// `"text"`; `${AWS::Region}`, `${res.attr}` and `${param}` are interpolated.
    Str {
        text: String,
        loc: Loc,
    },
    Int {
        value: i64,
        loc: Loc,
    },
    Bool {
        value: bool,
        loc: Loc,
    },
    /// `0.5`, `-1.5e3`: a number with a fraction or an exponent, kept as
    /// written (a JSON number in the template).
    Float {
        text: String,
        loc: Loc,
    },
    /// `dlq`, `data.objects`, `Retain`: a reference or an enum variant, decided by the property's type.
    /// A pseudo parameter is one segment: `AWS::Region`.
    Path {
        segments: Vec<Name>,
    },
    /// `days(14)`, `kms(key)`, `service("lambda.amazonaws.com")`, `asset("lambda")`;
    /// in raw values, CloudFormation's intrinsic functions: `Fn::Select(0, list)`.
    Call {
        func: Name,
        args: Vec<Value>,
    },
    List {
        items: Vec<Value>,
        loc: Loc,
    },
    /// `{ key: value, … }`, optionally tagged: `s3_source { … }`.
    Object {
        tag: Option<Name>,
        fields: Vec<Field>,
        loc: Loc,
    },
    /// An IAM policy statement (inside `allow: [...]` / `deny: [...]`).
    Statement(Box<Statement>),
}

impl Value {
    pub fn loc(&self) -> Loc {
        match self {
            Value::Str { loc, .. }
            | Value::Int { loc, .. }
            | Value::Bool { loc, .. }
            | Value::Float { loc, .. } => *loc,
            Value::List { loc, .. } | Value::Object { loc, .. } => *loc,
            Value::Path { segments } => segments.first().map_or(Loc::NONE, |s| s.loc),
            Value::Call { func, .. } => func.loc,
            Value::Statement(s) => s.loc,
        }
    }

    /// What the user wrote, briefly (for messages).
    pub fn describe(&self) -> String {
        match self {
            Value::Str { text, .. } => format!("\"{text}\""),
            Value::Int { value, .. } => value.to_string(),
            Value::Bool { value, .. } => value.to_string(),
            Value::Float { text, .. } => text.clone(),
            Value::Path { segments } => path_text(segments),
            Value::Call { func, .. } => format!("{}(…)", func.text),
            Value::List { .. } => "a list".into(),
            Value::Object { tag: Some(t), .. } => format!("`{} {{ … }}`", t.text),
            Value::Object { .. } => "an object".into(),
            Value::Statement(_) => "a policy statement".into(),
        }
    }
}

pub fn path_text(segments: &[Name]) -> String {
    segments
        .iter()
        .map(|s| s.text.as_str())
        .collect::<Vec<_>>()
        .join(".")
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field {
    pub key: Name,
    pub value: Value,
}

/// Looks a field up by name.
pub fn field<'a>(fields: &'a [Field], key: &str) -> Option<&'a Value> {
    fields.iter().find(|f| f.key.text == key).map(|f| &f.value)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Effect {
    Allow,
    Deny,
}

/// `s3:GetObject`, `s3:Get*`, `*`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Action {
    pub text: String,
    pub loc: Loc,
}

/// `[not] ACTIONS on [not] RESOURCES [to [not] PRINCIPAL] [when { … }] [because "reason"]`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Statement {
    pub effect: Effect,
    pub actions: Vec<Action>,
    /// `not ACTIONS`: IAM's `NotAction`, every action but these.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub not_actions: bool,
    /// References (`data.objects`), ARN strings, or `"*"`.
    pub resources: Vec<Value>,
    /// `on not RESOURCES`: IAM's `NotResource`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub not_resources: bool,
    pub principal: Option<Value>,
    /// `to not PRINCIPAL`: IAM's `NotPrincipal`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub not_principal: bool,
    pub condition: Option<Value>,
    /// The written reason that allows a wildcard.
    pub reason: Option<Name>,
    pub loc: Loc,
}

/// The type of a stack or construct parameter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ParamType {
    Str,
    Int,
    Bool,
    Duration,
    /// Any value; checked where it is used.
    Any,
    /// A resource of this kind (`s3::Bucket`).
    Kind(String),
    List(Box<ParamType>),
}

impl ParamType {
    pub fn describe(&self) -> String {
        match self {
            ParamType::Str => "Str".into(),
            ParamType::Int => "Int".into(),
            ParamType::Bool => "Bool".into(),
            ParamType::Duration => "Duration".into(),
            ParamType::Any => "Any".into(),
            ParamType::Kind(k) => k.clone(),
            ParamType::List(t) => format!("[{}]", t.describe()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Param {
    pub name: Name,
    pub ty: ParamType,
    pub ty_loc: Loc,
    pub optional: bool,
    /// `p: Option<T> = value`: what an absent optional parameter stands for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
}

impl Param {
    /// Optional with no default: what uses it is left out when it is not given.
    pub fn may_be_absent(&self) -> bool {
        self.optional && self.default.is_none()
    }
}

/// `name = kind { … };` or `name = param or kind { … };`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourceDecl {
    pub name: Name,
    /// `s3::Bucket`, or a construct's name.
    pub kind: Name,
    pub fields: Vec<Field>,
    /// `param or …`: use the stack parameter when it is given, else create this resource.
    pub unless_param: Option<Name>,
}

/// `output Name { value: …, description: …, export: … }`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutputDecl {
    pub name: Name,
    pub fields: Vec<Field>,
    pub loc: Loc,
}

/// The template sections other than resources and outputs, each entry kept
/// under the name the user gave it (CloudFormation's own names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Section {
    /// `parameter Env { Type: "String", … };`: a deploy-time parameter.
    Parameter,
    /// `mapping RegionMap { "us-east-1": { AMI: "…" }, … };`
    Mapping,
    /// `condition IsProd = Fn::Equals(Env, "prod");`
    Condition,
    /// `rule ProdSize { RuleCondition: …, Assertions: […] };`
    Rule,
}

impl Section {
    /// The keyword that declares an entry in `stack!`.
    pub fn keyword(self) -> &'static str {
        match self {
            Section::Parameter => "parameter",
            Section::Mapping => "mapping",
            Section::Condition => "condition",
            Section::Rule => "rule",
        }
    }
    /// The template section it is written into.
    pub fn template_key(self) -> &'static str {
        match self {
            Section::Parameter => "Parameters",
            Section::Mapping => "Mappings",
            Section::Condition => "Conditions",
            Section::Rule => "Rules",
        }
    }
    pub const ALL: [Section; 4] = [
        Section::Parameter,
        Section::Mapping,
        Section::Condition,
        Section::Rule,
    ];
}

/// One entry of a [`Section`]: its name and its value (an object for a
/// parameter, a mapping or a rule; a condition function for a condition).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectionEntry {
    pub section: Section,
    pub name: Name,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Item {
    Resource(ResourceDecl),
    Output(OutputDecl),
    Section(SectionEntry),
}

/// `stack Name(params) { items }`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StackDef {
    pub name: Name,
    pub description: Option<String>,
    pub params: Vec<Param>,
    pub items: Vec<Item>,
    /// `setting: value;` lines of the stack itself (`termination_protection: true;`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub settings: Vec<Field>,
}

impl StackDef {
    pub fn resources(&self) -> impl Iterator<Item = &ResourceDecl> {
        self.items.iter().filter_map(|i| match i {
            Item::Resource(r) => Some(r),
            _ => None,
        })
    }
    pub fn outputs(&self) -> impl Iterator<Item = &OutputDecl> {
        self.items.iter().filter_map(|i| match i {
            Item::Output(o) => Some(o),
            _ => None,
        })
    }
    /// The entries of one template section, in the order written.
    pub fn section(&self, section: Section) -> impl Iterator<Item = &SectionEntry> {
        self.items.iter().filter_map(move |i| match i {
            Item::Section(e) if e.section == section => Some(e),
            _ => None,
        })
    }
    /// A section entry by name.
    pub fn entry(&self, section: Section, name: &str) -> Option<&SectionEntry> {
        self.section(section).find(|e| e.name.text == name)
    }
}

/// `construct Name(params) -> primary { items }`: a reusable group of resources.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConstructDef {
    pub name: Name,
    pub params: Vec<Param>,
    /// The resource that stands for the construct when it is referenced.
    pub primary: Name,
    pub items: Vec<Item>,
}
