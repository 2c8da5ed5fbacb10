//! Typed references between stacks: a producer's resource as another stack
//! takes it. `Ref<s3::Bucket>` is a bucket and nothing else, so handing a
//! queue to a bucket parameter is a rustc error, and a bucket encrypted with a
//! KMS key goes only to a parameter whose roles may use the key.
//!
//! A reference is a set of `Fn::ImportValue`s of deterministic export names
//! (`<Stack>:<LogicalId>:<Attribute>`): tap adds the matching outputs and
//! exports to the producer when it synthesises the app, for exactly the
//! attributes consumers use.

use crate::base::template::Expr;
use crate::model::bindings::Handle;
use std::marker::PhantomData;

/// Says which producer-side reference a parameter type takes.
#[diagnostic::on_unimplemented(
    message = "a reference to a `{Src}` given where a `{Self}` is expected",
    label = "this is a `{Src}`",
    note = "a stack parameter of a kind takes a reference to a resource of that kind only",
    note = "a bucket encrypted with a KMS key goes only to a parameter whose role may use the key: `kms:GenerateDataKey on <param>.key` to write objects, `kms:Decrypt on <param>.key` to read them"
)]
pub trait Accepts<Src> {}

macro_rules! kinds {
    ($($service:ident { $($kind:ident),* $(,)? }),* $(,)?) => {
        $(
            pub mod $service {
                $(
                    /// The kind of the same name in `stack!`.
                    #[derive(Debug, Clone, Copy)]
                    pub struct $kind;
                    impl super::Accepts<$kind> for $kind {}
                    impl super::Kind for $kind {
                        const NAME: &'static str = concat!(stringify!($service), "::", stringify!($kind));
                    }
                )*
            }
        )*
    };
}

/// A marker type for a resource kind.
pub trait Kind {
    /// The kind's name in `stack!` (`s3::Bucket`).
    const NAME: &'static str;
}

kinds!(
    apigatewayv2 { HttpApi },
    cloudwatch { Alarm },
    codebuild { Project },
    codedeploy {
        LambdaApplication,
        LambdaDeploymentGroup
    },
    codepipeline { Pipeline },
    dynamodb { Table },
    events { Rule },
    iam { Role },
    kms { Key },
    lambda { Function, Alias },
    logs { LogGroup },
    secretsmanager { Secret },
    sns { Topic },
    sqs { Queue },
);

/// Buckets: which a parameter takes depends on what its stack does with the
/// objects (the KMS check, across stacks).
pub mod s3 {
    /// Any bucket: its stack's roles do not use its objects.
    #[derive(Debug, Clone, Copy)]
    pub struct Bucket;
    /// A bucket encrypted with a KMS key of its producer's, whose key the
    /// consumer's roles may use (`<param>.key`).
    #[derive(Debug, Clone, Copy)]
    pub struct KmsBucket;
    /// A bucket with no customer-managed KMS key (S3-managed encryption):
    /// what a stack whose roles read or write its objects without a grant on
    /// a key takes.
    #[derive(Debug, Clone, Copy)]
    pub struct BucketWithoutKmsKey;

    impl super::Accepts<KmsBucket> for Bucket {}
    impl super::Accepts<BucketWithoutKmsKey> for Bucket {}
    impl super::Accepts<KmsBucket> for KmsBucket {}
    impl super::Accepts<BucketWithoutKmsKey> for BucketWithoutKmsKey {}
    impl super::Kind for Bucket {
        const NAME: &'static str = "s3::Bucket";
    }
    impl super::Kind for KmsBucket {
        const NAME: &'static str = "s3::Bucket";
    }
    impl super::Kind for BucketWithoutKmsKey {
        const NAME: &'static str = "s3::Bucket";
    }
}

/// A resource of kind `K` from outside the stack that takes it: another
/// stack's (through exports and imports) or one that exists already.
#[derive(Debug, Clone)]
pub struct Ref<K> {
    handle: Handle,
    kind: PhantomData<K>,
}

impl<K: Kind> Ref<K> {
    /// A resource by its attributes as expressions: what `stack!`'s accessors
    /// make of a producer's resource, or a resource that exists outside the app.
    pub fn from_handle(handle: Handle) -> Ref<K> {
        Ref {
            handle,
            kind: PhantomData,
        }
    }

    /// What the stack that takes it binds: the attributes as expressions.
    pub fn into_handle(self) -> Handle {
        self.handle
    }

    pub fn handle(&self) -> &Handle {
        &self.handle
    }
}

impl Ref<s3::Bucket> {
    /// A bucket that exists outside the app, known by its name.
    pub fn bucket_named(name: impl Into<String>) -> Ref<s3::Bucket> {
        Ref::from_handle(Handle::from_ref(
            &crate::kinds::s3_bucket::KIND,
            Expr::Str(name.into()),
        ))
    }
}

impl Ref<s3::BucketWithoutKmsKey> {
    /// A bucket that exists outside the app, known by its name, that is not
    /// encrypted with a customer-managed KMS key (you vouch for it).
    pub fn bucket_without_kms_key_named(name: impl Into<String>) -> Ref<s3::BucketWithoutKmsKey> {
        Ref::from_handle(Handle::from_ref(
            &crate::kinds::s3_bucket::KIND,
            Expr::Str(name.into()),
        ))
    }
}

/// The export name tap gives a producer's attribute: `<Stack>:<LogicalId>:<Attribute>`.
pub fn export_name(stack: &str, logical_id: &str, attribute: &str) -> String {
    format!("{stack}:{logical_id}:{}", attribute.replace('.', "-"))
}

/// How the command line names a stack: `env/Name`, or `Name` with no environment.
pub fn stack_id(env: Option<&str>, name: &str) -> String {
    match env {
        Some(e) => format!("{e}/{name}"),
        None => name.to_string(),
    }
}

/// The producer part of an [`export_name`] of a stack pinned to an
/// environment (`staging:Data`): the environment and the stack's name.
pub fn split_producer(producer: &str) -> (Option<&str>, &str) {
    match producer.split_once(':') {
        Some((env, name)) => (Some(env), name),
        None => (None, producer),
    }
}

/// The parts of a name [`export_name`] made.
pub fn parse_export_name(name: &str) -> Option<(&str, &str, &str)> {
    let mut parts = name.rsplitn(3, ':');
    let attribute = parts.next()?;
    let logical_id = parts.next()?;
    let stack = parts.next()?;
    Some((stack, logical_id, attribute))
}

/// What a stack's roles need of a bucket it takes as a parameter, for the KMS
/// check across stacks: the parameter's type says it, and rustc holds the
/// producer's bucket to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BucketNeed {
    /// Its objects are not used: any bucket.
    Any,
    /// A role may use `<param>.key`: a bucket encrypted with a KMS key.
    Key,
    /// A role reads or writes its objects with no grant on a key: a bucket
    /// without a customer-managed KMS key, or every request would be denied.
    NoKey,
}

/// What the roles of `stack` need of its bucket parameter `param`: the rule
/// of the KMS check within a stack (`kinds::iam_role::check`), for a bucket
/// whose key is not known until the producer hands it over. A role that
/// writes objects needs `kms:GenerateDataKey` on `param.key`, one that reads
/// them `kms:Decrypt`; with every such grant the parameter takes a KMS bucket,
/// without one it takes a bucket without a customer-managed key.
pub fn bucket_need(stack: &crate::base::ir::StackDef, param: &str) -> BucketNeed {
    use crate::base::ir::{field, Effect, Statement, Value};
    use crate::kinds::iam_role::kms_actions_for;
    use crate::rules::iam::grants_action;
    let on = |s: &Statement, attr: &str| {
        s.resources.iter().any(|r| match r {
            Value::Path { segments } => {
                segments.first().map(|n| n.text.as_str()) == Some(param)
                    && segments.get(1).map(|n| n.text.as_str()) == Some(attr)
            }
            _ => false,
        })
    };
    let (mut uses_objects, mut grants_on_key, mut missing) = (false, false, false);
    for r in stack.resources() {
        let Some(Value::List { items, .. }) = field(&r.fields, "allow") else {
            continue;
        };
        let allows: Vec<&Statement> = items
            .iter()
            .filter_map(|i| match i {
                Value::Statement(s) if s.effect == Effect::Allow && !s.not_resources => Some(&**s),
                _ => None,
            })
            .collect();
        grants_on_key |= allows.iter().any(|s| on(s, "key"));
        let needs = allows
            .iter()
            .filter(|s| !s.not_actions && on(s, "objects"))
            .flat_map(|s| s.actions.iter().flat_map(|a| kms_actions_for(&a.text)));
        for need in needs {
            uses_objects = true;
            // The same role must be allowed it on the key.
            missing |= !allows
                .iter()
                .any(|s| on(s, "key") && grants_action(s, need));
        }
    }
    match (uses_objects, missing, grants_on_key) {
        (true, true, _) => BucketNeed::NoKey,
        (true, false, _) | (false, _, true) => BucketNeed::Key,
        (false, _, false) => BucketNeed::Any,
    }
}

#[cfg(test)]
mod tests {
    use super::Kind;

    /// Every curated kind has a marker, so `stack!` can type its resources
    /// and parameters (a kind added to `kinds::CURATED` needs one here too).
    #[test]
    fn every_kind_has_a_marker() {
        let marked = [
            super::s3::Bucket::NAME,
            super::kms::Key::NAME,
            super::sqs::Queue::NAME,
            super::sns::Topic::NAME,
            super::secretsmanager::Secret::NAME,
            super::iam::Role::NAME,
            super::lambda::Function::NAME,
            super::lambda::Alias::NAME,
            super::logs::LogGroup::NAME,
            super::codedeploy::LambdaApplication::NAME,
            super::codedeploy::LambdaDeploymentGroup::NAME,
            super::cloudwatch::Alarm::NAME,
            super::codebuild::Project::NAME,
            super::codepipeline::Pipeline::NAME,
            super::dynamodb::Table::NAME,
            super::events::Rule::NAME,
            super::apigatewayv2::HttpApi::NAME,
        ];
        for k in crate::kinds::kinds() {
            assert!(marked.contains(&k.name), "{} has no marker in refs", k.name);
        }
    }

    #[test]
    fn export_names_read_back() {
        let name = super::export_name("Data", "Records", "Endpoint.Address");
        assert_eq!(name, "Data:Records:Endpoint-Address");
        assert_eq!(
            super::parse_export_name(&name),
            Some(("Data", "Records", "Endpoint-Address"))
        );
    }
}
