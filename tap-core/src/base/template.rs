//! The CloudFormation template: resources, parameters, outputs and intrinsic
//! functions, serialised to CloudFormation's JSON deterministically (maps are
//! ordered, so the same stack gives byte-identical output).

use serde_json::{json, Map, Value as Json};
use std::collections::BTreeMap;

/// A CloudFormation value: a literal or an intrinsic function.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Str(String),
    Int(i64),
    Bool(bool),
    List(Vec<Expr>),
    Map(BTreeMap<String, Expr>),
    /// `{"Ref": "Logical"}`, also for pseudo parameters (`AWS::Region`).
    Ref(String),
    /// `{"Fn::GetAtt": ["Logical", "Attr"]}`
    GetAtt(String, String),
    /// `{"Fn::Sub": "..."}` or, with variables, `{"Fn::Sub": ["...", {..}]}`
    Sub(String, BTreeMap<String, Expr>),
    /// `{"Fn::Join": [sep, [..]]}`
    Join(String, Vec<Expr>),
    /// `{"Fn::ImportValue": ..}`
    ImportValue(Box<Expr>),
    /// `{"Fn::If": [condition, a, b]}`
    If(String, Box<Expr>, Box<Expr>),
    /// `{"Fn::Equals": [a, b]}` (in Conditions)
    Equals(Box<Expr>, Box<Expr>),
    /// Any other intrinsic function as written: `{"Fn::Select": [0, …]}`.
    Fn(String, Box<Expr>),
    /// `{"Condition": "Name"}`: a condition inside another condition's function.
    Condition(String),
    /// A JSON literal with no intrinsics inside (buildspecs, key policies).
    Json(Json),
}

/// The pseudo parameters CloudFormation defines.
pub mod pseudo {
    pub const ACCOUNT_ID: &str = "AWS::AccountId";
    pub const REGION: &str = "AWS::Region";
    pub const PARTITION: &str = "AWS::Partition";
    pub const STACK_NAME: &str = "AWS::StackName";
    pub const STACK_ID: &str = "AWS::StackId";
    pub const URL_SUFFIX: &str = "AWS::URLSuffix";
    pub const NO_VALUE: &str = "AWS::NoValue";
    pub const ALL: &[&str] = &[
        ACCOUNT_ID,
        REGION,
        PARTITION,
        STACK_NAME,
        STACK_ID,
        URL_SUFFIX,
        NO_VALUE,
        "AWS::NotificationARNs",
    ];
}

impl Expr {
    pub fn str(s: impl Into<String>) -> Expr {
        Expr::Str(s.into())
    }
    pub fn sub(s: impl Into<String>) -> Expr {
        Expr::Sub(s.into(), BTreeMap::new())
    }
    pub fn get_att(id: &str, attr: &str) -> Expr {
        Expr::GetAtt(id.to_string(), attr.to_string())
    }
    pub fn reference(id: &str) -> Expr {
        Expr::Ref(id.to_string())
    }
    pub fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, Expr)>) -> Expr {
        Expr::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
    pub fn list(items: impl IntoIterator<Item = Expr>) -> Expr {
        Expr::List(items.into_iter().collect())
    }

    pub fn to_json(&self) -> Json {
        match self {
            Expr::Str(s) => Json::String(s.clone()),
            Expr::Int(i) => json!(i),
            Expr::Bool(b) => json!(b),
            Expr::List(items) => Json::Array(items.iter().map(Expr::to_json).collect()),
            Expr::Map(m) => Json::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect::<Map<_, _>>(),
            ),
            Expr::Ref(id) => json!({ "Ref": id }),
            Expr::GetAtt(id, attr) => json!({ "Fn::GetAtt": [id, attr] }),
            Expr::Sub(s, vars) if vars.is_empty() => json!({ "Fn::Sub": s }),
            Expr::Sub(s, vars) => {
                let vars: Map<_, _> = vars.iter().map(|(k, v)| (k.clone(), v.to_json())).collect();
                json!({ "Fn::Sub": [s, vars] })
            }
            Expr::Join(sep, items) => {
                json!({ "Fn::Join": [sep, items.iter().map(Expr::to_json).collect::<Vec<_>>()] })
            }
            Expr::ImportValue(e) => json!({ "Fn::ImportValue": e.to_json() }),
            Expr::If(c, a, b) => json!({ "Fn::If": [c, a.to_json(), b.to_json()] }),
            Expr::Equals(a, b) => json!({ "Fn::Equals": [a.to_json(), b.to_json()] }),
            Expr::Fn(name, arg) => {
                let mut m = Map::new();
                m.insert(name.clone(), arg.to_json());
                Json::Object(m)
            }
            Expr::Condition(c) => json!({ "Condition": c }),
            Expr::Json(j) => j.clone(),
        }
    }

    /// Logical IDs this value refers to (for dependency ordering and cycle checks).
    pub fn references(&self, out: &mut Vec<String>) {
        match self {
            Expr::Ref(id) if !id.starts_with("AWS::") => out.push(id.clone()),
            Expr::GetAtt(id, _) => out.push(id.clone()),
            Expr::Sub(s, vars) => {
                for name in sub_variables(s) {
                    let id = name.split('.').next().unwrap_or_default();
                    if !id.starts_with("AWS::") && !vars.contains_key(id) {
                        out.push(id.to_string());
                    }
                }
                vars.values().for_each(|v| v.references(out));
            }
            Expr::List(items) | Expr::Join(_, items) => {
                items.iter().for_each(|v| v.references(out))
            }
            Expr::Map(m) => m.values().for_each(|v| v.references(out)),
            Expr::ImportValue(e) => e.references(out),
            Expr::If(_, a, b) | Expr::Equals(a, b) => {
                a.references(out);
                b.references(out);
            }
            // A mapping's name is not a resource; its keys may reference one.
            Expr::Fn(name, arg) if name == "Fn::FindInMap" => match &**arg {
                Expr::List(items) => items.iter().skip(1).for_each(|v| v.references(out)),
                other => other.references(out),
            },
            // `Fn::If`'s condition is a condition's name, not a resource.
            Expr::Fn(name, arg) if name == "Fn::If" => match &**arg {
                Expr::List(items) => items.iter().skip(1).for_each(|v| v.references(out)),
                other => other.references(out),
            },
            Expr::Fn(_, arg) => arg.references(out),
            _ => {}
        }
    }

    /// Puts `with(name)` in place of each `Fn::ImportValue` of a literal
    /// export name for which it gives a value.
    pub fn replace_imports(&mut self, with: &dyn Fn(&str) -> Option<Expr>) {
        match self {
            Expr::ImportValue(e) => match &**e {
                Expr::Str(name) => {
                    if let Some(v) = with(name) {
                        *self = v;
                    }
                }
                _ => e.replace_imports(with),
            },
            Expr::Fn(name, arg) if name == "Fn::ImportValue" => match &**arg {
                Expr::Str(export) => {
                    if let Some(v) = with(export) {
                        *self = v;
                    }
                }
                _ => arg.replace_imports(with),
            },
            Expr::List(items) | Expr::Join(_, items) => {
                items.iter_mut().for_each(|v| v.replace_imports(with))
            }
            Expr::Map(m) => m.values_mut().for_each(|v| v.replace_imports(with)),
            Expr::Sub(_, vars) => vars.values_mut().for_each(|v| v.replace_imports(with)),
            Expr::If(_, a, b) | Expr::Equals(a, b) => {
                a.replace_imports(with);
                b.replace_imports(with);
            }
            Expr::Fn(_, arg) => arg.replace_imports(with),
            _ => {}
        }
    }

    /// Export names this value imports.
    pub fn imports(&self, out: &mut Vec<String>) {
        match self {
            Expr::ImportValue(e) => {
                if let Expr::Str(s) = &**e {
                    out.push(s.clone());
                }
            }
            Expr::List(items) | Expr::Join(_, items) => items.iter().for_each(|v| v.imports(out)),
            Expr::Map(m) => m.values().for_each(|v| v.imports(out)),
            Expr::Sub(_, vars) => vars.values().for_each(|v| v.imports(out)),
            Expr::If(_, a, b) | Expr::Equals(a, b) => {
                a.imports(out);
                b.imports(out);
            }
            Expr::Fn(name, arg) if name == "Fn::ImportValue" => match &**arg {
                Expr::Str(s) => out.push(s.clone()),
                other => other.imports(out),
            },
            Expr::Fn(_, arg) => arg.imports(out),
            _ => {}
        }
    }
}

/// A piece of a `Fn::Sub`-style string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubPiece<'a> {
    Text(&'a str),
    /// The name inside `${…}`.
    Var(&'a str),
}

/// Splits `a-${X}-b` into text and variables; an unclosed `${` stays text.
pub fn sub_pieces(s: &str) -> Vec<SubPiece<'_>> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        let Some(end) = rest[start + 2..].find('}') else {
            break;
        };
        if start > 0 {
            out.push(SubPiece::Text(&rest[..start]));
        }
        // CloudFormation ignores spaces around a name: `${ Bucket.Arn }`.
        out.push(SubPiece::Var(rest[start + 2..start + 2 + end].trim()));
        rest = &rest[start + 2 + end + 1..];
    }
    if !rest.is_empty() {
        out.push(SubPiece::Text(rest));
    }
    out
}

/// `text` with every `${var}` replaced by what `f` makes of `var`.
pub fn replace_vars<E>(
    text: &str,
    mut f: impl FnMut(&str) -> Result<String, E>,
) -> Result<String, E> {
    let mut out = String::with_capacity(text.len());
    for piece in sub_pieces(text) {
        match piece {
            SubPiece::Text(t) => out.push_str(t),
            SubPiece::Var(v) => out.push_str(&f(v)?),
        }
    }
    Ok(out)
}

/// The `${name}` variables of a `Fn::Sub` string (skipping `${!literal}`).
pub fn sub_variables(s: &str) -> Vec<&str> {
    sub_pieces(s)
        .into_iter()
        .filter_map(|p| match p {
            SubPiece::Var(v) if !v.starts_with('!') => Some(v),
            _ => None,
        })
        .collect()
}

impl From<&str> for Expr {
    fn from(s: &str) -> Self {
        Expr::Str(s.to_string())
    }
}
impl From<String> for Expr {
    fn from(s: String) -> Self {
        Expr::Str(s)
    }
}

/// What CloudFormation does with a resource when it is removed from the stack or replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemovalPolicy {
    Retain,
    Delete,
    Snapshot,
    /// Deletion only: keep the resource unless its creation is rolled back.
    RetainExceptOnCreate,
}

impl RemovalPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            RemovalPolicy::Retain => "Retain",
            RemovalPolicy::Delete => "Delete",
            RemovalPolicy::Snapshot => "Snapshot",
            RemovalPolicy::RetainExceptOnCreate => "RetainExceptOnCreate",
        }
    }
}

/// One `Resources` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub resource_type: String,
    pub properties: BTreeMap<String, Expr>,
    pub depends_on: Vec<String>,
    pub removal: Option<RemovalPolicy>,
    /// `UpdateReplacePolicy`: set with `removal` by a curated kind, as written
    /// by a raw resource.
    pub replace: Option<RemovalPolicy>,
    pub update_policy: Option<Expr>,
    pub creation_policy: Option<Expr>,
    pub condition: Option<String>,
    pub metadata: BTreeMap<String, Expr>,
    /// Keys beside `Properties` that a macro reads (`Count`), or `Version`.
    pub other: BTreeMap<String, Expr>,
}

impl Resource {
    pub fn new(resource_type: &str) -> Self {
        Resource {
            resource_type: resource_type.to_string(),
            properties: BTreeMap::new(),
            depends_on: Vec::new(),
            removal: None,
            replace: None,
            update_policy: None,
            creation_policy: None,
            condition: None,
            metadata: BTreeMap::new(),
            other: BTreeMap::new(),
        }
    }

    /// Sets a property (builder style).
    pub fn prop(mut self, key: &str, value: impl Into<Expr>) -> Self {
        self.properties.insert(key.to_string(), value.into());
        self
    }

    /// Sets a property only when there is a value.
    pub fn opt(mut self, key: &str, value: Option<Expr>) -> Self {
        if let Some(v) = value {
            self.properties.insert(key.to_string(), v);
        }
        self
    }

    /// Said once, a policy protects against replacement too, as the CDK's
    /// removal policy does (cfn-lint W3011 asks for both). A raw resource
    /// sets the two fields as its template says instead.
    pub fn removal(mut self, policy: RemovalPolicy) -> Self {
        self.removal = Some(policy);
        self.replace = Some(match policy {
            RemovalPolicy::RetainExceptOnCreate => RemovalPolicy::Retain,
            other => other,
        });
        self
    }

    pub fn to_json(&self) -> Json {
        let mut m = Map::new();
        m.insert("Type".into(), json!(self.resource_type));
        if !self.properties.is_empty() {
            m.insert(
                "Properties".into(),
                Expr::Map(self.properties.clone()).to_json(),
            );
        }
        if !self.depends_on.is_empty() {
            let mut deps = self.depends_on.clone();
            deps.sort();
            deps.dedup();
            m.insert("DependsOn".into(), json!(deps));
        }
        if let Some(p) = self.removal {
            m.insert("DeletionPolicy".into(), json!(p.as_str()));
        }
        if let Some(p) = self.replace {
            m.insert("UpdateReplacePolicy".into(), json!(p.as_str()));
        }
        if let Some(u) = &self.update_policy {
            m.insert("UpdatePolicy".into(), u.to_json());
        }
        if let Some(c) = &self.creation_policy {
            m.insert("CreationPolicy".into(), c.to_json());
        }
        if let Some(c) = &self.condition {
            m.insert("Condition".into(), json!(c));
        }
        if !self.metadata.is_empty() {
            m.insert(
                "Metadata".into(),
                Expr::Map(self.metadata.clone()).to_json(),
            );
        }
        for (key, v) in &self.other {
            m.insert(key.clone(), v.to_json());
        }
        Json::Object(m)
    }

    /// Logical IDs this resource depends on, explicitly or through intrinsics.
    pub fn dependencies(&self) -> Vec<String> {
        let mut out = self.depends_on.clone();
        for v in self.properties.values() {
            v.references(&mut out);
        }
        if let Some(u) = &self.update_policy {
            u.references(&mut out);
        }
        for m in self.metadata.values().chain(self.other.values()) {
            m.references(&mut out);
        }
        out.sort();
        out.dedup();
        out
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub value: Expr,
    pub description: Option<String>,
    pub export_name: Option<Expr>,
    pub condition: Option<String>,
}

/// A whole template.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Template {
    pub description: Option<String>,
    /// `Transform`: a macro name or a list of them, as written.
    pub transform: Option<Expr>,
    /// Deploy-time parameters, each entry as written (`Type`, `Default`, …).
    pub parameters: BTreeMap<String, Expr>,
    pub mappings: BTreeMap<String, Expr>,
    pub conditions: BTreeMap<String, Expr>,
    pub rules: BTreeMap<String, Expr>,
    pub resources: BTreeMap<String, Resource>,
    pub outputs: BTreeMap<String, Output>,
    pub metadata: BTreeMap<String, Expr>,
    /// SAM's `Globals`: what its transform copies into each of its resources.
    pub globals: Option<Expr>,
}

impl Template {
    pub fn to_json(&self) -> Json {
        let mut m = Map::new();
        m.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
        if let Some(d) = &self.description {
            m.insert("Description".into(), json!(d));
        }
        if !self.metadata.is_empty() {
            m.insert(
                "Metadata".into(),
                Expr::Map(self.metadata.clone()).to_json(),
            );
        }
        if let Some(t) = &self.transform {
            m.insert("Transform".into(), t.to_json());
        }
        if let Some(g) = &self.globals {
            m.insert("Globals".into(), g.to_json());
        }
        for (key, section) in [
            ("Parameters", &self.parameters),
            ("Mappings", &self.mappings),
            ("Conditions", &self.conditions),
            ("Rules", &self.rules),
        ] {
            if !section.is_empty() {
                m.insert(key.into(), Expr::Map(section.clone()).to_json());
            }
        }
        let resources: Map<_, _> = self
            .resources
            .iter()
            .map(|(k, r)| (k.clone(), r.to_json()))
            .collect();
        m.insert("Resources".into(), Json::Object(resources));
        if !self.outputs.is_empty() {
            let outputs: Map<_, _> = self
                .outputs
                .iter()
                .map(|(k, o)| {
                    let mut v = Map::new();
                    v.insert("Value".into(), o.value.to_json());
                    if let Some(d) = &o.description {
                        v.insert("Description".into(), json!(d));
                    }
                    if let Some(e) = &o.export_name {
                        v.insert("Export".into(), json!({ "Name": e.to_json() }));
                    }
                    if let Some(c) = &o.condition {
                        v.insert("Condition".into(), json!(c));
                    }
                    (k.clone(), Json::Object(v))
                })
                .collect();
            m.insert("Outputs".into(), Json::Object(outputs));
        }
        Json::Object(m)
    }

    /// The template as CloudFormation reads it: pretty JSON with a trailing newline.
    pub fn to_pretty_string(&self) -> String {
        let mut s = serde_json::to_string_pretty(&self.to_json()).unwrap_or_default();
        s.push('\n');
        s
    }

    /// A dependency cycle among the resources, if there is one (as a path).
    pub fn find_cycle(&self) -> Option<Vec<String>> {
        let deps: BTreeMap<&str, Vec<String>> = self
            .resources
            .iter()
            .map(|(k, r)| (k.as_str(), r.dependencies()))
            .collect();
        crate::base::graph::find_cycle(deps.keys().copied(), |n| {
            deps.get(n)
                .map(|d| d.iter().map(String::as_str).collect())
                .unwrap_or_default()
        })
    }

    /// [`Expr::replace_imports`] wherever [`Template::imports`] looks.
    pub fn replace_imports(&mut self, with: &dyn Fn(&str) -> Option<Expr>) {
        for r in self.resources.values_mut() {
            for v in r.properties.values_mut() {
                v.replace_imports(with);
            }
        }
        for o in self.outputs.values_mut() {
            o.value.replace_imports(with);
        }
        for c in self.conditions.values_mut() {
            c.replace_imports(with);
        }
    }

    /// Export names this template imports with `Fn::ImportValue`.
    pub fn imports(&self) -> Vec<String> {
        let mut out = Vec::new();
        for r in self.resources.values() {
            for v in r.properties.values() {
                v.imports(&mut out);
            }
        }
        for o in self.outputs.values() {
            o.value.imports(&mut out);
        }
        for c in self.conditions.values() {
            c.imports(&mut out);
        }
        out.sort();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::{sub_pieces, sub_variables, SubPiece};

    #[test]
    fn sub_variables_are_read_as_cloudformation_reads_them() {
        // Spaces around a name are not part of it; `${!…}` is text.
        assert_eq!(
            sub_variables("${ Bucket.Arn }/${AWS::Region}-${ !Literal}"),
            ["Bucket.Arn", "AWS::Region"]
        );
        assert!(matches!(sub_pieces("a-${X")[..], [SubPiece::Text("a-${X")]));
    }
}
