//! Raw resources: any CloudFormation type, declared with its own type and
//! property names (`cfn::DynamoDB::Table { BillingMode: "PAY_PER_REQUEST" }`).
//! Each type used becomes a [`Kind`] built from its schema, so name
//! resolution, references and the IAM checks treat it like a curated kind.

use crate::data::cfn::catalog::{self, TypeSchema};
use crate::model::kind::{Attr, AttrValue, Kind};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// CloudFormation's resource attributes a raw resource can set next to its
/// properties, with the values each takes (`None`: references to resources).
pub const RESOURCE_ATTRIBUTES: &[(&str, Option<&[&str]>)] = &[
    (
        "DeletionPolicy",
        Some(&["Delete", "Retain", "RetainExceptOnCreate", "Snapshot"]),
    ),
    (
        "UpdateReplacePolicy",
        Some(&["Delete", "Retain", "Snapshot"]),
    ),
    ("DependsOn", None),
];

/// The other resource attributes a raw resource can set, as CloudFormation
/// writes them: a condition's name, and three objects; and [`OTHER_KEYS`].
pub const TEMPLATE_ATTRIBUTES: &[&str] = &[
    "Condition",
    "Metadata",
    "CreationPolicy",
    "UpdatePolicy",
    OTHER_KEYS,
];

/// `Attributes: { Count: 3 }`: keys written next to `Properties` that
/// CloudFormation itself does not read: a macro's (the Count macro's
/// `Count`), or the old `Version` of a custom resource.
pub const OTHER_KEYS: &str = "Attributes";

/// The one such key CloudFormation accepts without a macro.
pub const LEGACY_KEYS: &[&str] = &["Version"];

pub use crate::model::kind::{is_raw, PREFIX};

/// A type of the AWS Serverless Application Model (`AWS::Serverless::Function`).
pub fn is_sam(cfn_type: &str) -> bool {
    cfn_type.starts_with("AWS::Serverless::")
}

/// A CloudFormation module (`My::S3::Bucket::MODULE`): the registry type
/// whose resources CloudFormation adds to the stack.
pub fn is_module(cfn_type: &str) -> bool {
    cfn_type.ends_with("::MODULE")
}

/// Whether `name`, which the stack does not declare, may be one of the
/// resources a module or SAM makes of the resource `declared` (of type
/// `cfn_type`): a module's are its own name and the inner logical ID
/// (`ModuleBucket`), SAM's its name and a suffix (`MyFunctionRole`), or its
/// implicit APIs (`ServerlessRestApi`). Nothing tells which exactly before
/// the stack is deployed, so such a name is taken on trust.
pub fn generated_by(cfn_type: &str, declared: &str, name: &str) -> bool {
    // What the transform sees is the logical ID (`my_api` is `MyApi`).
    let declared = crate::base::naming::logical_id(declared);
    let declared = declared.as_str();
    if (is_module(cfn_type) || is_sam(cfn_type))
        && name.len() > declared.len()
        && name.starts_with(declared)
    {
        return true;
    }
    is_sam(cfn_type)
        && (name.starts_with("ServerlessRestApi") || name.starts_with("ServerlessHttpApi"))
}

/// The transform that expands SAM's types.
pub const SAM_TRANSFORM: &str = "AWS::Serverless-2016-10-31";

/// `cfn::DynamoDB::Table` → `AWS::DynamoDB::Table`; a type written as a
/// string (`cfn::"Boto3::CodeCommit.put_file"`) is that string.
pub fn cfn_type(kind_name: &str) -> Option<String> {
    let rest = kind_name.strip_prefix(PREFIX)?;
    if let Some(quoted) = rest.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        return Some(quoted.to_string());
    }
    // `cfn::Alexa::ASK::Skill`: a type outside `AWS::` is written in full,
    // as is a custom resource, `cfn::Custom::Anything`.
    Some(
        if rest.matches("::").count() >= 2 || rest.starts_with("Custom::") {
            rest.to_string()
        } else {
            format!("AWS::{rest}")
        },
    )
}

/// `AWS::DynamoDB::Table` → `cfn::DynamoDB::Table`. A type the short form
/// would not give back (a macro's `Boto3::CodeCommit.put_file`) is quoted.
pub fn kind_name(cfn_type: &str) -> String {
    let short = format!(
        "{PREFIX}{}",
        cfn_type.strip_prefix("AWS::").unwrap_or(cfn_type)
    );
    if self::cfn_type(&short).as_deref() == Some(cfn_type) {
        short
    } else {
        format!("{PREFIX}\"{cfn_type}\"")
    }
}

/// The schema of a raw kind.
pub fn schema_of(kind: &Kind) -> Option<&'static TypeSchema> {
    if is_raw(kind.name) {
        catalog::schema(kind.cfn_type)
    } else {
        None
    }
}

/// The kind for `cfn::Service::Type`, built once per process from the catalog.
/// The curated kinds lend their attribute names to the raw kind of their type
/// (`topic.arn` on a `cfn::SNS::Topic`).
pub fn raw(kind_name: &str, curated: &[&'static Kind]) -> Option<&'static Kind> {
    static KINDS: OnceLock<Mutex<HashMap<String, &'static Kind>>> = OnceLock::new();
    let cfn = cfn_type(kind_name)?;
    let kinds_cache = KINDS.get_or_init(Default::default);
    let mut cache = kinds_cache.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(k) = cache.get(kind_name) {
        return Some(k);
    }
    let kind: &'static Kind = match catalog::schema(&cfn) {
        Some(schema) => Box::leak(Box::new(build(kind_name, schema, curated))),
        // A type the catalog does not have: SAM's (`AWS::Serverless::Function`)
        // and a macro's exist only before their transform expands them. No
        // schema, any attribute; whether the stack may name one is the
        // names rule's to say (`rules::names`).
        None => Box::leak(Box::new(Kind {
            name: leak(kind_name),
            cfn_type: leak(&cfn),
            doc: "",
            props: &[],
            attrs: &[],
            arn_attr: "",
            phase: 0,
            from_ref: None,
            key_markers: None,
        })),
    };
    cache.insert(kind_name.to_string(), kind);
    Some(kind)
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

fn build(kind_name: &str, schema: &'static TypeSchema, curated: &[&'static Kind]) -> Kind {
    let iam = |attr: &str| schema.iam.get(attr).map(|t| (t.0.as_str(), t.1.as_str()));
    let mut attrs: Vec<Attr> = vec![Attr {
        name: "Ref",
        value: AttrValue::Ref,
        iam: iam("Ref"),
        doc: "What `Ref` returns (the primary identifier).",
    }];
    for a in schema.read_only.iter().chain(&schema.get_att) {
        attrs.push(Attr {
            name: a.as_str(),
            value: AttrValue::GetAtt(a.as_str()),
            iam: iam(a),
            doc: "",
        });
    }
    // The curated kind of the same type lends its attribute names (`topic.arn`),
    // so a raw resource can stand where a curated one is expected.
    if let Some(curated) = curated.iter().find(|k| k.cfn_type == schema.name) {
        for a in curated.attrs {
            if lendable(&a.value) && !attrs.iter().any(|b| b.name == a.name) {
                attrs.push(*a);
            }
        }
    }
    Kind {
        name: leak(kind_name),
        cfn_type: schema.name.as_str(),
        doc: "",
        props: &[],
        attrs: Vec::leak(attrs),
        arn_attr: schema.arn_attribute.as_deref().unwrap_or(""),
        phase: 0,
        from_ref: None,
        key_markers: None,
    }
}

/// Whether a curated attribute means the same on a raw resource: not one
/// that names a companion only the curated kind brings (`${Self}LogGroup`),
/// nor a link through a curated property.
fn lendable(v: &AttrValue) -> bool {
    match v {
        AttrValue::Linked(_) => false,
        // An alias's metrics are dimensioned through its curated properties.
        AttrValue::Metric(_, _, dimension) => *dimension != "Resource",
        AttrValue::Sub(s) => !s.split("${Self}").skip(1).any(|rest| {
            rest.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric())
        }),
        _ => true,
    }
}

/// Every raw kind name, for did-you-mean.
pub fn names() -> Vec<String> {
    catalog::type_names().into_iter().map(kind_name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(name: &str) -> Option<&'static Kind> {
        super::raw(name, crate::kinds::kinds())
    }

    #[test]
    fn every_type_of_the_catalog_can_be_named() {
        let names = names();
        assert_eq!(names.len(), catalog::type_names().len());
        for n in &names {
            assert!(raw(n).is_some(), "{n}");
        }
        assert!(raw("cfn::Alexa::ASK::Skill").is_some_and(|k| k.cfn_type == "Alexa::ASK::Skill"));
        assert_eq!(
            cfn_type("cfn::SQS::Queue").as_deref(),
            Some("AWS::SQS::Queue")
        );
    }

    #[test]
    fn raw_kinds_borrow_only_what_they_can_lower() {
        let f = raw("cfn::Lambda::Function").expect("function");
        assert!(f.attr("errors").is_some(), "a function's metrics");
        assert!(
            f.attr("log_group").is_none(),
            "not the curated kind's companion"
        );
        let a = raw("cfn::Lambda::Alias").expect("alias");
        assert!(
            a.attr("errors").is_none(),
            "an alias's metric reads curated properties"
        );
    }
}
