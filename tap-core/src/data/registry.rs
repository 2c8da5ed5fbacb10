//! CloudFormation's resource registry, as the execution role needs it: the IAM
//! actions each resource type's handlers call (`handlers.*.permissions` in
//! AWS's resource provider schemas), read from the generated catalog
//! ([`crate::data::cfn::catalog`]).

use crate::data::cfn::catalog;

/// The actions CloudFormation calls to create, read, update and delete a type.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Handlers {
    pub create: Vec<&'static str>,
    pub read: Vec<&'static str>,
    pub update: Vec<&'static str>,
    pub delete: Vec<&'static str>,
}

impl Handlers {
    /// Every action of every handler, sorted, once each.
    pub fn all(&self) -> Vec<&'static str> {
        let mut all: Vec<&'static str> = [&self.create, &self.read, &self.update, &self.delete]
            .into_iter()
            .flatten()
            .copied()
            .collect();
        all.sort_unstable();
        all.dedup();
        all
    }
}

/// Where the data comes from (the generated file's source line).
pub fn source() -> &'static str {
    catalog::source()
}

/// The handler permissions of a type; `None` when the registry lists none.
pub fn handlers(type_name: &str) -> Option<Handlers> {
    let schema = catalog::schema(type_name)?;
    let list = |h: &str| -> Vec<&'static str> {
        schema
            .handlers
            .get(h)
            .map(|v| v.iter().map(String::as_str).collect())
            .unwrap_or_default()
    };
    let h = Handlers {
        create: list("create"),
        read: list("read"),
        update: list("update"),
        delete: list("delete"),
    };
    (h != Handlers::default()).then_some(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_the_types_of_the_seed() {
        let with_handlers = catalog::type_names()
            .into_iter()
            .filter(|t| handlers(t).is_some())
            .count();
        assert!(with_handlers > 1700, "{with_handlers}");
        let q = handlers("AWS::SQS::Queue").expect("queue");
        assert!(q.create.contains(&"sqs:CreateQueue"));
        assert!(q.delete.contains(&"sqs:DeleteQueue"));
        assert!(
            handlers("AWS::CodeBuild::Project").is_some(),
            "the reviewed override"
        );
        assert!(handlers("AWS::Nope::Nothing").is_none());
        assert!(source().contains("cfn-lint"));
    }
}
