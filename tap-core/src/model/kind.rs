//! The vocabulary for describing a resource kind: its properties with their
//! types, and the attributes a reference to it can name.

use crate::base::ir::{Effect, Field, Value};

/// How a raw type is written: `cfn::` and the type name without `AWS::`.
pub const PREFIX: &str = "cfn::";

/// Whether a kind name is a raw CloudFormation type (`cfn::SQS::Queue`).
pub fn is_raw(kind_name: &str) -> bool {
    kind_name.starts_with(PREFIX)
}

/// Every kind a stack can name, as the lower layers see them: the curated
/// kinds are provided from above (`kinds::Table`), the raw ones are built from
/// the catalog on demand. It travels in a rule's or a lowering's context.
pub trait KindTable {
    /// A kind by its DSL name (`s3::Bucket`, `cfn::SQS::Queue`).
    fn kind(&self, name: &str) -> Option<&'static Kind>;
    /// The curated kinds, for did-you-mean and the docs.
    fn curated(&self) -> &'static [&'static Kind];

    /// Whether a resource of kind `k` can stand where one of `expected` is
    /// asked for: the same kind, or a raw resource of the same CloudFormation type.
    fn fits(&self, k: &Kind, expected: &[&str]) -> bool {
        expected.contains(&k.name)
            || (is_raw(k.name)
                && expected
                    .iter()
                    .filter_map(|e| self.kind(e))
                    .any(|e| e.cfn_type == k.cfn_type))
    }
}

/// The seconds a duration call stands for (`days(14)` → 1209600).
pub fn duration_seconds(func: &str, n: i64) -> Option<i64> {
    let unit = match func {
        "seconds" => 1,
        "minutes" => 60,
        "hours" => 3600,
        "days" => 86_400,
        _ => return None,
    };
    n.checked_mul(unit)
}

/// The seconds a duration value stands for, when it is a literal (`minutes(5)`).
pub fn literal_seconds(v: &Value) -> Option<i64> {
    match v {
        Value::Call { func, args } => match args.as_slice() {
            [Value::Int { value, .. }] => duration_seconds(&func.text, *value),
            _ => None,
        },
        _ => None,
    }
}

/// A duration property in seconds, as written or its default from `props`,
/// when it is known at compile time (not a parameter).
pub fn seconds_or_default(props: &[Prop], fields: &[Field], key: &str) -> Option<i64> {
    match crate::base::ir::field(fields, key) {
        Some(v) => literal_seconds(v),
        None => match props.iter().find(|p| p.name == key).map(|p| p.default) {
            Some(Dflt::Secs(s)) => i64::try_from(s).ok(),
            _ => None,
        },
    }
}

/// The type of a property value; the checks validate values against it.
#[derive(Debug)]
pub enum Ty {
    /// A string: a literal (with `${…}` interpolation), a string attribute (`dlq.url`) or a `Str` parameter.
    Str,
    Int {
        min: i64,
        max: i64,
    },
    Bool,
    /// `seconds(n)`, `minutes(n)`, `hours(n)`, `days(n)`; bounds in seconds.
    Duration {
        min: u64,
        max: u64,
    },
    /// `days(n)` with n one of CloudWatch Logs' retention values.
    RetentionDays,
    /// One of these identifiers, each with the value CloudFormation takes for it.
    Enum(&'static [Variant]),
    /// A resource of one of these kinds.
    Ref(&'static [&'static str]),
    /// `S3Managed` or `kms(key)`.
    BucketEncryption,
    /// `service("…")`, `any`, `account("…")`.
    Principal,
    /// `asset("path")`: a directory packaged and uploaded at deploy time.
    Asset,
    /// A CloudWatch metric of a resource: `function.errors`.
    Metric,
    /// `aws_managed("service-role/…")` or an ARN string.
    ManagedPolicy,
    List(&'static Ty),
    /// `{ ANY_KEY: value }` (environment variables).
    Map(&'static Ty),
    Object(&'static [Prop]),
    /// `tag { … }`, one of several shapes (pipeline actions).
    Tagged(&'static [(&'static str, &'static [Prop])]),
    /// `[ACTIONS on RESOURCES …]` policy statements.
    Statements(Effect),
    /// Free-form data, written as JSON (buildspecs, conditions).
    Json,
}

impl Ty {
    /// How the type reads in an error message.
    pub fn describe(&self) -> String {
        match self {
            Ty::Str => "a string".into(),
            Ty::Int { min, max } => format!("a whole number from {min} to {max}"),
            Ty::Bool => "`true` or `false`".into(),
            Ty::Duration { .. } => {
                "a duration such as `seconds(30)`, `minutes(5)` or `days(14)`".into()
            }
            Ty::RetentionDays => "a log retention such as `days(30)`".into(),
            Ty::Enum(v) => format!(
                "one of {}",
                v.iter()
                    .map(|(s, _)| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Ty::Ref(kinds) => kinds
                .iter()
                .map(|k| format!("a `{k}`"))
                .collect::<Vec<_>>()
                .join(" or "),
            Ty::BucketEncryption => "`S3Managed` or `kms(key)`".into(),
            Ty::Principal => "a principal: `service(\"…\")`, `account(\"…\")` or `any`".into(),
            Ty::Asset => "`asset(\"path\")`".into(),
            Ty::Metric => "a metric such as `function.errors`".into(),
            Ty::ManagedPolicy => "`aws_managed(\"name\")` or a policy ARN".into(),
            Ty::List(t) => format!("a list of {}", t.describe()),
            Ty::Map(t) => format!("`{{ NAME: … }}` with values of {}", t.describe()),
            Ty::Object(_) => "`{ … }`".into(),
            Ty::Tagged(tags) => tags
                .iter()
                .map(|(t, _)| format!("`{t} {{ … }}`"))
                .collect::<Vec<_>>()
                .join(" or "),
            Ty::Statements(_) => {
                "a list of policy statements (`s3:GetObject on bucket.objects`)".into()
            }
            Ty::Json => "data (strings, numbers, lists, objects)".into(),
        }
    }
}

/// An enum variant as written in a stack (`ProvidedAl2023`) and the value
/// CloudFormation takes for it (`provided.al2023`): one table for the checks,
/// the lowering and the docs, so no accepted variant can lower to another.
pub type Variant = (&'static str, &'static str);

/// What an absent property stands for: read by the lowering and shown in the
/// docs, so the two cannot disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dflt {
    /// Nothing: the property is left out of the template.
    None,
    Bool(bool),
    Int(i64),
    /// A duration, in seconds.
    Secs(u64),
    /// An enum variant, by its DSL name.
    Variant(&'static str),
    Str(&'static str),
}

impl Dflt {
    /// How the default reads in the docs (as it would be written in a stack).
    pub fn render(self) -> Option<String> {
        Some(match self {
            Dflt::None => return None,
            Dflt::Bool(b) => b.to_string(),
            Dflt::Int(i) => i.to_string(),
            Dflt::Secs(s) => duration_text(s),
            Dflt::Variant(v) => v.to_string(),
            Dflt::Str(s) => format!("\"{s}\""),
        })
    }
}

/// `days(30)`, `hours(1)`, `minutes(5)`, `seconds(3)`: the largest whole unit.
pub fn duration_text(secs: u64) -> String {
    match secs {
        s if s >= 86_400 && s % 86_400 == 0 => format!("days({})", s / 86_400),
        s if s >= 3600 && s % 3600 == 0 => format!("hours({})", s / 3600),
        s if s >= 60 && s % 60 == 0 => format!("minutes({})", s / 60),
        s => format!("seconds({s})"),
    }
}

/// One property of a kind.
#[derive(Debug)]
pub struct Prop {
    pub name: &'static str,
    pub ty: Ty,
    pub required: bool,
    /// What an absent property stands for.
    pub default: Dflt,
    pub doc: &'static str,
}

/// What an attribute of a resource stands for in the template.
#[derive(Debug, Clone, Copy)]
pub enum AttrValue {
    /// `{"Ref": id}`
    Ref,
    /// `{"Fn::GetAtt": [id, name]}`
    GetAtt(&'static str),
    /// `Fn::Sub` of this string, `${Self}` standing for the resource's logical ID.
    Sub(&'static str),
    /// Another resource this one is linked to through a property (`bucket.key`).
    Linked(fn(&[Field]) -> Option<&Value>),
    /// A CloudWatch metric: (namespace, metric name, dimension).
    Metric(&'static str, &'static str, &'static str),
}

#[derive(Debug, Clone, Copy)]
pub struct Attr {
    pub name: &'static str,
    pub value: AttrValue,
    /// The IAM resource type (service, type in the catalog) of this attribute, if it is an ARN.
    pub iam: Option<(&'static str, &'static str)>,
    pub doc: &'static str,
}

/// A resource kind users can declare (`s3::Bucket`).
#[derive(Debug)]
pub struct Kind {
    pub name: &'static str,
    pub cfn_type: &'static str,
    pub doc: &'static str,
    pub props: &'static [Prop],
    pub attrs: &'static [Attr],
    /// The attribute a bare reference means in a policy statement (`on dlq` = `on dlq.arn`).
    pub arn_attr: &'static str,
    /// Kinds of a lower phase are lowered first (an alias reads its function's version).
    pub phase: u8,
    /// Attributes that follow from what `Ref` returns (a bucket's ARNs from
    /// its name): another stack imports `Ref` once and builds these, and a
    /// resource known only by that value has them too.
    pub from_ref: Option<FromRef>,
    /// Whether a typed reference to this kind says if it has a KMS key, so
    /// what a role needs of the key is checked across stacks too.
    pub key_markers: Option<KeyMarkers>,
}

/// See [`Kind::from_ref`].
#[derive(Debug, Clone, Copy)]
pub struct FromRef {
    /// The attribute that is `Ref` (`name`).
    pub ref_attr: &'static str,
    /// The variable each template names the `Ref` value by (`BucketName`).
    pub var: &'static str,
    /// Each attribute and its `Fn::Sub` template.
    pub attrs: &'static [(&'static str, &'static str)],
}

/// See [`Kind::key_markers`]: the marker types (paths under `tap_core::refs`)
/// of a reference to this kind whatever its key, with a key, and without one.
#[derive(Debug, Clone, Copy)]
pub struct KeyMarkers {
    /// The linked attribute that is the key (`key`).
    pub key_attr: &'static str,
    pub any: &'static str,
    pub with_key: &'static str,
    pub without_key: &'static str,
}

impl Kind {
    pub fn prop(&self, name: &str) -> Option<&'static Prop> {
        self.props.iter().find(|p| p.name == name)
    }
    pub fn attr(&self, name: &str) -> Option<&'static Attr> {
        self.attrs.iter().find(|a| a.name == name).or_else(|| {
            // A custom resource returns what its provider sends; a nested
            // stack, its template's outputs (`Outputs.BucketName`).
            let open = crate::data::cfn::catalog::is_custom(self.cfn_type)
                || (is_raw(self.name)
                    && crate::data::cfn::catalog::schema(self.cfn_type).is_none())
                || (self.cfn_type == "AWS::CloudFormation::Stack"
                    && name.strip_prefix("Outputs.").is_some_and(|o| !o.is_empty()));
            open.then(|| custom_attr(name))
        })
    }

    /// Whether a declaration of this kind links a KMS key (`encryption: kms(key)`).
    pub fn has_key(&self, fields: &[Field]) -> bool {
        let linked = self
            .key_markers
            .and_then(|m| self.attr(m.key_attr))
            .map(|a| a.value);
        matches!(linked, Some(AttrValue::Linked(key)) if key(fields).is_some())
    }

    /// The path under `tap_core::refs` of the marker type a typed reference
    /// to a declaration of this kind carries (`s3::KmsBucket`); `None` for a
    /// raw kind, which has none yet.
    pub fn marker(&self, fields: Option<&[Field]>) -> Option<&'static str> {
        if is_raw(self.name) {
            return None;
        }
        Some(match (self.key_markers, fields) {
            (Some(m), Some(f)) if self.has_key(f) => m.with_key,
            (Some(m), Some(_)) => m.without_key,
            _ => self.name,
        })
    }
}

/// Shorthand for the tables in `kinds/`.
pub const fn prop(name: &'static str, ty: Ty, doc: &'static str) -> Prop {
    Prop {
        name,
        ty,
        required: false,
        default: Dflt::None,
        doc,
    }
}
pub const fn req(name: &'static str, ty: Ty, doc: &'static str) -> Prop {
    Prop {
        name,
        ty,
        required: true,
        default: Dflt::None,
        doc,
    }
}
pub const fn dflt(name: &'static str, ty: Ty, default: Dflt, doc: &'static str) -> Prop {
    Prop {
        name,
        ty,
        required: false,
        default,
        doc,
    }
}
pub const fn attr(name: &'static str, value: AttrValue, doc: &'static str) -> Attr {
    Attr {
        name,
        value,
        iam: None,
        doc,
    }
}
pub const fn arn(
    name: &'static str,
    value: AttrValue,
    service: &'static str,
    rtype: &'static str,
    doc: &'static str,
) -> Attr {
    Attr {
        name,
        value,
        iam: Some((service, rtype)),
        doc,
    }
}

// The vocabularies several kinds share.

pub const DAY: u64 = 86_400;
pub const REMOVAL: Ty = Ty::Enum(&[
    ("Retain", "Retain"),
    ("Destroy", "Delete"),
    ("Snapshot", "Snapshot"),
]);
pub const RETENTION_DAYS: &[i64] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];
pub const LAMBDA_RUNTIMES: &[(&str, &str)] = &[
    ("ProvidedAl2023", "provided.al2023"),
    ("ProvidedAl2", "provided.al2"),
    ("Nodejs22x", "nodejs22.x"),
    ("Nodejs20x", "nodejs20.x"),
    ("Python313", "python3.13"),
    ("Python312", "python3.12"),
    ("Java21", "java21"),
];
pub const DEPLOYMENT_CONFIGS: &[Variant] = &[
    ("AllAtOnce", "CodeDeployDefault.LambdaAllAtOnce"),
    (
        "Canary10Percent5Minutes",
        "CodeDeployDefault.LambdaCanary10Percent5Minutes",
    ),
    (
        "Canary10Percent10Minutes",
        "CodeDeployDefault.LambdaCanary10Percent10Minutes",
    ),
    (
        "Canary10Percent15Minutes",
        "CodeDeployDefault.LambdaCanary10Percent15Minutes",
    ),
    (
        "Canary10Percent30Minutes",
        "CodeDeployDefault.LambdaCanary10Percent30Minutes",
    ),
    (
        "Linear10PercentEvery1Minute",
        "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
    ),
    (
        "Linear10PercentEvery2Minutes",
        "CodeDeployDefault.LambdaLinear10PercentEvery2Minutes",
    ),
    (
        "Linear10PercentEvery3Minutes",
        "CodeDeployDefault.LambdaLinear10PercentEvery3Minutes",
    ),
    (
        "Linear10PercentEvery10Minutes",
        "CodeDeployDefault.LambdaLinear10PercentEvery10Minutes",
    ),
];

/// An attribute of a custom resource (whatever its provider returns) or a
/// nested stack's output, read with `Fn::GetAtt`. Made once per name.
fn custom_attr(name: &str) -> &'static Attr {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static ATTRS: OnceLock<Mutex<HashMap<String, &'static Attr>>> = OnceLock::new();
    let mut attrs = ATTRS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(a) = attrs.get(name) {
        return a;
    }
    let leaked: &'static str = Box::leak(name.to_string().into_boxed_str());
    let attr: &'static Attr = Box::leak(Box::new(Attr {
        name: leaked,
        value: AttrValue::GetAtt(leaked),
        iam: None,
        doc: "An attribute CloudFormation reads at deploy time.",
    }));
    attrs.insert(name.to_string(), attr);
    attr
}
