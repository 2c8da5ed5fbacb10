//! CloudFormation's resource registry, as far as tap uses it today: the IAM
//! actions each resource type's handlers need (`handlers.*.permissions` in
//! AWS's resource provider schemas), generated into `data/cfn-handlers.txt`
//! by `scripts/gen-cfn-handlers.py`.

use std::collections::HashMap;
use std::sync::OnceLock;

const DATA: &str = include_str!("../data/cfn-handlers.txt");

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
    DATA.lines()
        .find_map(|l| l.strip_prefix("# source: "))
        .unwrap_or("unknown")
}

fn table() -> &'static HashMap<&'static str, Handlers> {
    static TABLE: OnceLock<HashMap<&'static str, Handlers>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut out = HashMap::new();
        let mut current: Option<(&'static str, Handlers)> = None;
        for line in DATA.lines() {
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            if let Some(name) = line.strip_prefix('@') {
                if let Some((n, h)) = current.take() {
                    out.insert(n, h);
                }
                current = Some((name, Handlers::default()));
                continue;
            }
            let Some((_, h)) = current.as_mut() else {
                continue;
            };
            let mut words = line.split(' ');
            let list = match words.next() {
                Some("create") => &mut h.create,
                Some("read") => &mut h.read,
                Some("update") => &mut h.update,
                Some("delete") => &mut h.delete,
                _ => continue,
            };
            list.extend(words.filter(|w| !w.is_empty()));
        }
        if let Some((n, h)) = current {
            out.insert(n, h);
        }
        out
    })
}

/// The handler permissions of a type; `None` when the registry lists none.
pub fn handlers(type_name: &str) -> Option<&'static Handlers> {
    table().get(type_name)
}

/// How many types have handler permissions.
pub fn type_count() -> usize {
    table().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_the_types_of_the_seed() {
        assert!(type_count() > 1700, "{}", type_count());
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
