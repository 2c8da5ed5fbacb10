//! The curated kinds: each one file, its table (properties, defaults,
//! attributes: the single source for the property checks, the IAM checks and
//! the DSL reference) and an `impl` of [`Curated`] (its own checks and its
//! lowering). This layer sits above `rules` and `lower` and uses both; the
//! table here is what the drivers hand down as a [`KindTable`].

pub mod apigatewayv2_http_api;
pub mod cloudwatch_alarm;
pub mod codebuild_project;
pub mod codedeploy_lambda_application;
pub mod codedeploy_lambda_deployment_group;
pub mod codepipeline_pipeline;
pub mod curated;
pub mod dynamodb_table;
pub mod events_rule;
pub mod iam_role;
pub mod kms_key;
pub mod lambda_alias;
pub mod lambda_event_source;
pub mod lambda_function;
pub mod logs_log_group;
pub mod reference;
pub mod s3_bucket;
pub mod s3_notifications;
pub mod secretsmanager_secret;
pub mod sns_topic;
pub mod sqs_queue;

pub use crate::model::kind::*;
pub use curated::Curated;

/// All curated kinds, one file each: a kind added here is checked, lowered
/// and documented (`docs/DSL.md`) from its file.
const CURATED: &[&dyn Curated] = &[
    &s3_bucket::S3Bucket,
    &kms_key::KmsKey,
    &sqs_queue::SqsQueue,
    &sns_topic::SnsTopic,
    &dynamodb_table::DynamodbTable,
    &secretsmanager_secret::SecretsmanagerSecret,
    &iam_role::IamRole,
    &lambda_function::LambdaFunction,
    &lambda_alias::LambdaAlias,
    &logs_log_group::LogsLogGroup,
    &codedeploy_lambda_application::CodedeployLambdaApplication,
    &codedeploy_lambda_deployment_group::CodedeployLambdaDeploymentGroup,
    &cloudwatch_alarm::CloudwatchAlarm,
    &codebuild_project::CodebuildProject,
    &codepipeline_pipeline::CodepipelinePipeline,
    &events_rule::EventsRule,
    &apigatewayv2_http_api::Apigatewayv2HttpApi,
];

/// The curated kinds' tables, in the order of [`CURATED`].
pub fn kinds() -> &'static [&'static Kind] {
    static TABLES: std::sync::OnceLock<Vec<&'static Kind>> = std::sync::OnceLock::new();
    TABLES.get_or_init(|| CURATED.iter().map(|c| c.kind()).collect())
}

/// The kind table the drivers hand to the lower layers: the curated kinds
/// above, and every raw CloudFormation type from the catalog.
pub struct Table;

impl KindTable for Table {
    fn kind(&self, name: &str) -> Option<&'static Kind> {
        kind(name)
    }
    fn curated(&self) -> &'static [&'static Kind] {
        kinds()
    }
}

/// Looks a kind up by its DSL name.
pub fn kind(name: &str) -> Option<&'static Kind> {
    if crate::model::raw::is_raw(name) {
        return crate::model::raw::raw(name, kinds());
    }
    kinds().iter().find(|k| k.name == name).copied()
}

/// The behaviour of a curated kind, by its DSL name (`None` for a raw kind).
pub fn curated(name: &str) -> Option<&'static dyn Curated> {
    CURATED.iter().find(|c| c.kind().name == name).copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::iam::catalog;

    #[test]
    fn every_arn_attribute_names_a_resource_type_the_catalog_knows() {
        for kind in kinds() {
            for attr in kind.attrs {
                if let Some((service, rtype)) = attr.iam {
                    let s = catalog().service(service).unwrap_or_else(|| {
                        panic!("{}.{}: no service {service}", kind.name, attr.name)
                    });
                    assert!(
                        s.resource_type(rtype).is_some(),
                        "{}.{}: no resource type {service}/{rtype}",
                        kind.name,
                        attr.name
                    );
                }
            }
            assert!(
                kind.arn_attr.is_empty() || kind.attr(kind.arn_attr).is_some(),
                "{}",
                kind.name
            );
        }
    }
}

/// The curated kinds' enum tables against the generated layer: every
/// CloudFormation value a variant lowers to is one the type's schema allows.
#[cfg(test)]
mod overlay_tests {
    use super::*;
    use crate::data::cfn::catalog::{self, Shape, TypeSchema};

    /// The table of an enum property, by its DSL path (`lifecycle.transitions.storage_class`).
    fn table(kind: &str, path: &[&str]) -> &'static [Variant] {
        let mut props = kind_of(kind).props;
        let mut ty = None;
        for (i, step) in path.iter().enumerate() {
            let p = props
                .iter()
                .find(|p| p.name == *step)
                .unwrap_or_else(|| panic!("{kind}: no `{step}`"));
            let mut t = &p.ty;
            while let Ty::List(inner) = t {
                t = inner;
            }
            match t {
                Ty::Object(inner) => props = inner,
                Ty::Tagged(tags) if i + 1 < path.len() => {
                    props = tags
                        .iter()
                        .find(|(name, _)| *name == path[i + 1])
                        .map(|(_, p)| *p)
                        .unwrap_or(props);
                }
                _ => {}
            }
            ty = Some(t);
        }
        match ty {
            Some(Ty::Enum(t)) => t,
            other => panic!("{kind}.{path:?} is not an enum: {other:?}"),
        }
    }

    fn kind_of(name: &str) -> &'static Kind {
        kind(name).unwrap_or_else(|| panic!("no kind {name}"))
    }

    /// The enum values of a CloudFormation property, by its path in the schema.
    fn schema_enum(cfn_type: &str, path: &[&str]) -> Vec<String> {
        let schema: &TypeSchema = catalog::schema(cfn_type).expect("type");
        let mut shape: Option<&Shape> = None;
        for step in path {
            let props = match shape {
                None => Some(&schema.properties),
                Some(s) => {
                    let mut s = schema.resolve(s);
                    while let Some(items) = &s.items {
                        s = schema.resolve(items);
                    }
                    s.properties.as_ref()
                }
            };
            shape = props.and_then(|p| p.get(*step));
            assert!(shape.is_some(), "{cfn_type}: no {step} in {path:?}");
        }
        let mut s = schema.resolve(shape.expect("a path"));
        while let Some(items) = &s.items {
            s = schema.resolve(items);
        }
        s.enumeration
            .iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    }

    #[test]
    fn every_variant_lowers_to_a_value_the_schema_allows() {
        let cases: &[(&str, &[&str], &[&str])] = &[
            (
                "s3::Bucket",
                &["lifecycle", "transitions", "storage_class"],
                &[
                    "LifecycleConfiguration",
                    "Rules",
                    "Transitions",
                    "StorageClass",
                ],
            ),
            ("lambda::Function", &["runtime"], &["Runtime"]),
            ("lambda::Function", &["architecture"], &["Architectures"]),
            ("lambda::Function", &["tracing"], &["TracingConfig", "Mode"]),
            ("cloudwatch::Alarm", &["statistic"], &["Statistic"]),
            (
                "cloudwatch::Alarm",
                &["comparison"],
                &["ComparisonOperator"],
            ),
            ("dynamodb::Table", &["billing"], &["BillingMode"]),
            (
                "dynamodb::Table",
                &["stream"],
                &["StreamSpecification", "StreamViewType"],
            ),
            (
                "dynamodb::Table",
                &["partition_key", "type"],
                &["AttributeDefinitions", "AttributeType"],
            ),
            (
                "dynamodb::Table",
                &["indexes", "projection"],
                &["GlobalSecondaryIndexes", "Projection", "ProjectionType"],
            ),
        ];
        // The schema leaves these free-form: nothing to hold the table to.
        for (kind, path, cfn_path) in [
            (
                "codebuild::Project",
                &["compute"][..],
                &["Environment", "ComputeType"][..],
            ),
            ("codebuild::Project", &["cache"], &["Cache", "Modes"]),
        ] {
            assert!(!table(kind, path).is_empty());
            assert!(schema_enum(kind_of(kind).cfn_type, cfn_path).is_empty());
        }
        for (kind, path, cfn_path) in cases {
            let allowed = schema_enum(kind_of(kind).cfn_type, cfn_path);
            assert!(
                !allowed.is_empty(),
                "{kind}: the schema has no enum at {cfn_path:?}"
            );
            for (variant, cfn) in table(kind, path) {
                assert!(
                    allowed.iter().any(|a| a == cfn),
                    "{kind}.{}: {variant} lowers to {cfn}, not in {allowed:?}",
                    path.join(".")
                );
            }
        }
    }
}
