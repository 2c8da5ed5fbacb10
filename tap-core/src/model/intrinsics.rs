//! CloudFormation's intrinsic functions and deploy-time parameter types, as
//! data: what each function takes and returns, so the rules can check a call
//! and the lowering can write it.
//!
//! In `stack!` a function is written with its CloudFormation name and its
//! arguments in parentheses: the elements of its JSON array (`Fn::Select(0,
//! list)` → `{"Fn::Select": [0, list]}`), or the one argument of a function
//! that takes no array (`Fn::Base64(text)` → `{"Fn::Base64": text}`).

use crate::data::cfn::catalog::JsonType;

/// Where a function may be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// In property values, outputs, metadata and conditions' operands.
    Value,
    /// Only in a condition (or a rule): `Fn::Equals`, `Fn::And`, …
    Condition,
    /// Only in a rule's assertions: `Fn::Contains`, `Fn::EachMemberEquals`, …
    Rule,
}

/// One intrinsic function.
#[derive(Debug, Clone, Copy)]
pub struct Intrinsic {
    /// `Fn::Select`.
    pub name: &'static str,
    /// The number of arguments it takes, at least and at most.
    pub arity: (usize, usize),
    /// Takes its one argument as is, not in an array (`Fn::Base64`).
    pub direct: bool,
    /// What it returns, when that does not depend on its arguments.
    pub returns: Option<JsonType>,
    pub place: Place,
    /// The transform it needs (`AWS::LanguageExtensions`), if any.
    pub transform: Option<&'static str>,
    pub doc: &'static str,
}

const fn f(
    name: &'static str,
    arity: (usize, usize),
    direct: bool,
    returns: Option<JsonType>,
    place: Place,
    doc: &'static str,
) -> Intrinsic {
    Intrinsic {
        name,
        arity,
        direct,
        returns,
        place,
        transform: None,
        doc,
    }
}

pub const LANGUAGE_EXTENSIONS: &str = "AWS::LanguageExtensions";

use JsonType::{Array, Boolean, Integer, String as Str};

/// Every function `stack!` writes, by its CloudFormation name.
pub const INTRINSICS: &[Intrinsic] = &[
    f(
        "Fn::Base64",
        (1, 1),
        true,
        Some(Str),
        Place::Value,
        "`Fn::Base64(text)`",
    ),
    f(
        "Fn::Cidr",
        (3, 3),
        false,
        Some(Array),
        Place::Value,
        "`Fn::Cidr(block, count, bits)`",
    ),
    f(
        "Fn::FindInMap",
        (3, 4),
        false,
        None,
        Place::Value,
        "`Fn::FindInMap(Map, key, key)`",
    ),
    f(
        "Fn::GetAZs",
        (0, 1),
        true,
        Some(Array),
        Place::Value,
        "`Fn::GetAZs()` or `Fn::GetAZs(region)`",
    ),
    f(
        "Fn::If",
        (3, 3),
        false,
        None,
        Place::Value,
        "`Fn::If(Condition, then, else)`",
    ),
    f(
        "Fn::ImportValue",
        (1, 1),
        true,
        None,
        Place::Value,
        "`Fn::ImportValue(export_name)`",
    ),
    f(
        "Fn::GetStackOutput",
        (1, 1),
        true,
        None,
        Place::Value,
        "`Fn::GetStackOutput({ StackName: …, OutputName: …, Region: …, RoleArn: … })`: another stack's output, in any region or account",
    ),
    f(
        "Fn::Join",
        (2, 2),
        false,
        Some(Str),
        Place::Value,
        "`Fn::Join(delimiter, [values])`",
    ),
    f(
        "Fn::Select",
        (2, 2),
        false,
        None,
        Place::Value,
        "`Fn::Select(index, list)`",
    ),
    f(
        "Fn::Split",
        (2, 2),
        false,
        Some(Array),
        Place::Value,
        "`Fn::Split(delimiter, text)`",
    ),
    f(
        "Fn::Sub",
        (1, 2),
        false,
        Some(Str),
        Place::Value,
        "`Fn::Sub(\"…${Var}…\", { Var: value })`",
    ),
    f(
        "Fn::GetAtt",
        (2, 2),
        false,
        None,
        Place::Value,
        "`Fn::GetAtt(Resource, \"Attribute\")`; `Resource.Attribute` says the same",
    ),
    f(
        "Fn::Transform",
        (1, 1),
        true,
        None,
        Place::Value,
        "`Fn::Transform({ Name: \"Macro\", Parameters: { … } })`: a macro, expanded at deploy time",
    ),
    f(
        "Fn::Equals",
        (2, 2),
        false,
        Some(Boolean),
        Place::Condition,
        "`Fn::Equals(a, b)`",
    ),
    f(
        "Fn::And",
        (2, 10),
        false,
        Some(Boolean),
        Place::Condition,
        "`Fn::And(a, b, …)`",
    ),
    f(
        "Fn::Or",
        (2, 10),
        false,
        Some(Boolean),
        Place::Condition,
        "`Fn::Or(a, b, …)`",
    ),
    f(
        "Fn::Not",
        (1, 1),
        false,
        Some(Boolean),
        Place::Condition,
        "`Fn::Not(condition)`",
    ),
    f(
        "Fn::Contains",
        (2, 2),
        false,
        Some(Boolean),
        Place::Rule,
        "`Fn::Contains([values], value)`",
    ),
    f(
        "Fn::EachMemberEquals",
        (2, 2),
        false,
        Some(Boolean),
        Place::Rule,
        "`Fn::EachMemberEquals(list, value)`",
    ),
    f(
        "Fn::EachMemberIn",
        (2, 2),
        false,
        Some(Boolean),
        Place::Rule,
        "`Fn::EachMemberIn(list, [values])`",
    ),
    f(
        "Fn::RefAll",
        (1, 1),
        true,
        Some(Array),
        Place::Rule,
        "`Fn::RefAll(\"AWS::EC2::VPC::Id\")`",
    ),
    f(
        "Fn::ValueOf",
        (2, 2),
        false,
        None,
        Place::Rule,
        "`Fn::ValueOf(Parameter, \"Attribute\")`",
    ),
    f(
        "Fn::ValueOfAll",
        (2, 2),
        false,
        Some(Array),
        Place::Rule,
        "`Fn::ValueOfAll(\"AWS::EC2::VPC::Id\", \"Tags.Name\")`",
    ),
    Intrinsic {
        transform: Some(LANGUAGE_EXTENSIONS),
        ..f(
            "Fn::Length",
            (1, 1),
            true,
            Some(Integer),
            Place::Value,
            "`Fn::Length(list)`",
        )
    },
    Intrinsic {
        transform: Some(LANGUAGE_EXTENSIONS),
        ..f(
            "Fn::ToJsonString",
            (1, 1),
            true,
            Some(Str),
            Place::Value,
            "`Fn::ToJsonString(value)`",
        )
    },
];

/// The function of this name.
pub fn intrinsic(name: &str) -> Option<&'static Intrinsic> {
    INTRINSICS.iter().find(|i| i.name == name)
}

/// Whether a call is to one of CloudFormation's functions (`Fn::…`).
pub fn is_intrinsic_name(name: &str) -> bool {
    name.starts_with("Fn::")
}

/// The keys of a deploy-time parameter's entry.
pub const PARAMETER_KEYS: &[&str] = &[
    "Type",
    "Default",
    "AllowedValues",
    "AllowedPattern",
    "ConstraintDescription",
    "Description",
    "MaxLength",
    "MinLength",
    "MaxValue",
    "MinValue",
    "NoEcho",
];

/// The AWS-specific parameter types, which CloudFormation checks against
/// the account at deploy time.
pub const AWS_PARAMETER_TYPES: &[&str] = &[
    "AWS::EC2::AvailabilityZone::Name",
    "AWS::EC2::Image::Id",
    "AWS::EC2::Instance::Id",
    "AWS::EC2::KeyPair::KeyName",
    "AWS::EC2::SecurityGroup::GroupName",
    "AWS::EC2::SecurityGroup::Id",
    "AWS::EC2::Subnet::Id",
    "AWS::EC2::Volume::Id",
    "AWS::EC2::VPC::Id",
    "AWS::Route53::HostedZone::Id",
];

/// A parameter's type as CloudFormation reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParameterType {
    String,
    Number,
    /// `List<Number>`, `CommaDelimitedList`, `List<AWS::EC2::…>`: a list at deploy time.
    List,
    /// An AWS-specific type, or `AWS::SSM::Parameter::Name`: a string.
    Aws,
    /// `AWS::SSM::Parameter::Value<…>`: read from Parameter Store; a list when it names one.
    Ssm {
        list: bool,
    },
}

impl ParameterType {
    /// `None` when CloudFormation does not know the type.
    pub fn parse(text: &str) -> Option<ParameterType> {
        let aws = |t: &str| AWS_PARAMETER_TYPES.contains(&t);
        let list_of = |t: &str| t == "Number" || t == "String" || aws(t);
        Some(match text {
            "String" => ParameterType::String,
            "Number" => ParameterType::Number,
            "CommaDelimitedList" => ParameterType::List,
            "AWS::SSM::Parameter::Name" => ParameterType::Aws,
            t if aws(t) => ParameterType::Aws,
            t => {
                if let Some(inner) = t.strip_prefix("List<").and_then(|r| r.strip_suffix('>')) {
                    // `List<String>` is not a type: `CommaDelimitedList` is.
                    if inner == "Number" || aws(inner) {
                        return Some(ParameterType::List);
                    }
                    return None;
                }
                let inner = t
                    .strip_prefix("AWS::SSM::Parameter::Value<")
                    .and_then(|r| r.strip_suffix('>'))?;
                let list = match inner {
                    "String" => false,
                    "CommaDelimitedList" => true,
                    i if aws(i) => false,
                    i => {
                        let elem = i.strip_prefix("List<").and_then(|r| r.strip_suffix('>'))?;
                        if !list_of(elem) {
                            return None;
                        }
                        true
                    }
                };
                ParameterType::Ssm { list }
            }
        })
    }

    /// What `Ref` to the parameter gives: a `Number`'s value is a string in
    /// CloudFormation, converted where a number is asked for.
    pub fn json(self) -> JsonType {
        match self {
            ParameterType::List | ParameterType::Ssm { list: true } => Array,
            _ => Str,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_types_are_cloudformations() {
        for (t, want) in [
            ("String", Some(ParameterType::String)),
            ("Number", Some(ParameterType::Number)),
            ("List<Number>", Some(ParameterType::List)),
            ("CommaDelimitedList", Some(ParameterType::List)),
            ("AWS::EC2::KeyPair::KeyName", Some(ParameterType::Aws)),
            ("List<AWS::EC2::Subnet::Id>", Some(ParameterType::List)),
            (
                "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
                Some(ParameterType::Ssm { list: false }),
            ),
            (
                "AWS::SSM::Parameter::Value<List<String>>",
                Some(ParameterType::Ssm { list: true }),
            ),
            ("List<String>", None),
            ("string", None),
            ("AWS::EC2::KeyPair::Name", None),
        ] {
            assert_eq!(ParameterType::parse(t), want, "{t}");
        }
    }

    #[test]
    fn every_function_is_named_as_cloudformation_names_it() {
        assert!(INTRINSICS.iter().all(|i| is_intrinsic_name(i.name)));
        assert!(intrinsic("Fn::Select").is_some_and(|i| !i.direct));
        assert!(intrinsic("Fn::Base64").is_some_and(|i| i.direct));
    }
}
