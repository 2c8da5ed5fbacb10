//! Name resolution: what a path such as `data.key.arn` refers to.

use crate::base::diag::{Diagnostic, Loc};
use crate::base::ir::*;
use crate::model::kind::{Attr, AttrValue, Kind, KindTable};
use std::collections::BTreeMap;

/// The names visible in a stack (after constructs are inlined).
pub struct Scope<'a> {
    /// Every kind a stack can name: provided by the drivers, never reached by name.
    pub kinds: &'a dyn KindTable,
    /// Resource name → its declaration and kind (`None` for an unknown kind, already reported).
    pub resources: BTreeMap<&'a str, (&'a ResourceDecl, Option<&'static Kind>)>,
    pub params: BTreeMap<&'a str, &'a Param>,
    /// Deploy-time parameters, mappings, conditions and rules by name, each
    /// section a namespace of its own, as in a template.
    pub entries: BTreeMap<(Section, &'a str), &'a SectionEntry>,
}

/// What a path refers to.
#[derive(Clone, Copy)]
pub enum Target<'a> {
    /// A resource, or one of its attributes.
    Resource {
        decl: &'a ResourceDecl,
        kind: &'static Kind,
        attr: Option<&'static Attr>,
    },
    /// A stack parameter (a resource handle when its type is a kind).
    Param {
        param: &'a Param,
        kind: Option<&'static Kind>,
        attr: Option<&'static Attr>,
    },
    /// A pseudo parameter: `AWS::Region`.
    Pseudo(&'static str),
    /// A deploy-time parameter, a mapping or a condition (a `Ref` to the first,
    /// a name that a function takes for the others).
    Entry(&'a SectionEntry),
    /// Something already reported (an unknown kind): stay quiet.
    Unknown,
}

impl<'a> Target<'a> {
    pub fn kind(&self) -> Option<&'static Kind> {
        match self {
            Target::Resource { kind, .. } => Some(kind),
            Target::Param { kind, .. } => *kind,
            _ => None,
        }
    }
    pub fn attr(&self) -> Option<&'static Attr> {
        match self {
            Target::Resource { attr, .. } | Target::Param { attr, .. } => *attr,
            _ => None,
        }
    }
    /// The resource name this refers to (for messages and dependency edges).
    pub fn name(&self) -> Option<&'a str> {
        match self {
            Target::Resource { decl, .. } => Some(&decl.name.text),
            Target::Param { param, .. } => Some(&param.name.text),
            Target::Entry(e) => Some(&e.name.text),
            Target::Pseudo(p) => Some(p),
            Target::Unknown => None,
        }
    }
}

impl<'a> Scope<'a> {
    pub fn new(stack: &'a StackDef, kinds: &'a dyn KindTable) -> Self {
        let mut resources = BTreeMap::new();
        for r in stack.resources() {
            resources
                .entry(r.name.text.as_str())
                .or_insert((r, kinds.kind(&r.kind.text)));
        }
        let params = stack
            .params
            .iter()
            .map(|p| (p.name.text.as_str(), p))
            .collect();
        let mut entries = BTreeMap::new();
        for item in &stack.items {
            if let Item::Section(e) = item {
                entries
                    .entry((e.section, e.name.text.as_str()))
                    .or_insert(e);
            }
        }
        Scope {
            kinds,
            resources,
            params,
            entries,
        }
    }

    /// A deploy-time parameter, mapping or condition by name.
    pub fn entry(&self, section: Section, name: &str) -> Option<&'a SectionEntry> {
        self.entries.get(&(section, name)).copied()
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.resources
            .keys()
            .chain(self.params.keys())
            .copied()
            .chain(self.entries.keys().map(|(_, n)| *n))
            .filter(|n| !n.contains('/'))
    }

    /// Whether the path starts at a resource of this stack: only then can it
    /// resolve to one. Asking first spares [`Scope::resolve`]'s error, whose
    /// "did you mean" compares the name with every other (a fifth of a run-time
    /// check of the seed went there, for `${…}` variables that are not paths).
    fn declares_head(&self, segments: &[Name]) -> bool {
        segments.first().is_some_and(|head| {
            self.resources.contains_key(head.text.as_str())
                || self
                    .resources
                    .contains_key(format!("r#{}", head.text).as_str())
        })
    }

    /// Resolves `a`, `a.attr`, `a.linked.attr`.
    pub fn resolve(&self, segments: &[Name]) -> Result<Target<'a>, Diagnostic> {
        let Some(head) = segments.first() else {
            return Ok(Target::Unknown);
        };
        if let Some(pseudo) = head.text.strip_prefix("AWS::") {
            let Some(name) = crate::base::template::pseudo::ALL
                .iter()
                .find(|p| p.strip_prefix("AWS::") == Some(pseudo))
            else {
                return Err(Diagnostic::new(
                    head.loc,
                    format!("`{}` is not a pseudo parameter", head.text),
                )
                .suggest(
                    &head.text,
                    crate::base::template::pseudo::ALL.iter().copied(),
                ));
            };
            if let Some(extra) = segments.get(1) {
                return Err(Diagnostic::new(
                    extra.loc,
                    format!("`{name}` is a value: it has no attribute `{}`", extra.text),
                ));
            }
            return Ok(Target::Pseudo(name));
        }
        let entry = [Section::Parameter, Section::Condition, Section::Mapping]
            .into_iter()
            .find_map(|s| self.entry(s, &head.text));
        // A resource declared `r#mybucket` (its logical ID kept as written)
        // is named `mybucket` where it is used.
        let declared = self
            .resources
            .get(head.text.as_str())
            .or_else(|| self.resources.get(format!("r#{}", head.text).as_str()));
        let mut target = if let Some((decl, kind)) = declared {
            match kind {
                Some(kind) => Target::Resource {
                    decl,
                    kind,
                    attr: None,
                },
                None => return Ok(Target::Unknown),
            }
        } else if let Some(param) = self.params.get(head.text.as_str()) {
            let kind = match &param.ty {
                ParamType::Kind(k) => self.kinds.kind(k),
                _ => None,
            };
            Target::Param {
                param,
                kind,
                attr: None,
            }
        } else if let Some(entry) = entry {
            if let Some(extra) = segments.get(1) {
                return Err(Diagnostic::new(
                    extra.loc,
                    format!(
                        "`{}` is a {}: it has no attribute `{}`",
                        head.text,
                        entry.section.keyword(),
                        extra.text
                    ),
                ));
            }
            return Ok(Target::Entry(entry));
        } else if self.resources.iter().any(|(name, (decl, _))| {
            crate::model::raw::cfn_type(&decl.kind.text)
                .is_some_and(|t| crate::model::raw::generated_by(&t, name, &head.text))
        }) {
            return Ok(Target::Unknown);
        } else {
            return Err(Diagnostic::new(
                head.loc,
                format!(
                    "cannot find resource or parameter `{}` in this stack",
                    head.text
                ),
            )
            .suggest(&head.text, self.names()));
        };
        for (i, seg) in segments.iter().enumerate().skip(1) {
            let Some(kind) = target.kind() else {
                return Err(Diagnostic::new(
                    seg.loc,
                    format!("`{}` has no attributes", path_text(&segments[..i])),
                ));
            };
            if target.attr().is_some() {
                return Err(Diagnostic::new(
                    seg.loc,
                    format!(
                        "`{}` is a value, not a resource: it has no attribute `{}`",
                        path_text(&segments[..i]),
                        seg.text
                    ),
                ));
            }
            // A raw type's nested attribute (`db.Endpoint.Address`) is one name.
            if crate::model::raw::is_raw(kind.name) && segments.len() > i + 1 {
                let joined = path_text(&segments[i..]);
                if let Some(attr) = kind.attr(&joined) {
                    return Ok(match target {
                        Target::Resource { decl, kind, .. } => Target::Resource {
                            decl,
                            kind,
                            attr: Some(attr),
                        },
                        Target::Param { param, kind, .. } => Target::Param {
                            param,
                            kind,
                            attr: Some(attr),
                        },
                        other => other,
                    });
                }
            }
            let Some(attr) = kind.attr(&seg.text) else {
                let names: Vec<&str> = kind.attrs.iter().map(|a| a.name).collect();
                let d = Diagnostic::new(
                    seg.loc,
                    format!("`{}` has no attribute `{}`", kind.name, seg.text),
                )
                .suggest(&seg.text, names.iter().copied());
                let d = if d.help.is_none() {
                    d.help(format!("its attributes are: {}", names.join(", ")))
                } else {
                    d
                };
                return Err(d);
            };
            target = match (&attr.value, target) {
                (AttrValue::Linked(link), Target::Resource { decl, .. }) => {
                    match link(&decl.fields) {
                        Some(Value::Path { segments: linked }) => self.resolve(linked)?,
                        _ => {
                            return Err(Diagnostic::new(
                                seg.loc,
                                format!("`{}` has no `{}`", path_text(&segments[..i]), seg.text),
                            )
                            .help(attr.doc.to_string()))
                        }
                    }
                }
                // Of a parameter, the linked resource comes with the reference
                // (a producer's bucket carries its key's ARN): an attribute like any other.
                (_, Target::Resource { decl, kind, .. }) => Target::Resource {
                    decl,
                    kind,
                    attr: Some(attr),
                },
                (_, Target::Param { param, kind, .. }) => Target::Param {
                    param,
                    kind,
                    attr: Some(attr),
                },
                (_, other) => other,
            };
        }
        Ok(target)
    }

    /// The resource declarations a value refers to (dependency edges), by name.
    pub fn referenced(&self, v: &Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Path { segments } => {
                if !self.declares_head(segments) {
                    return;
                }
                if let Ok(Target::Resource { decl, .. }) = self.resolve(segments) {
                    out.push(&decl.name.text);
                }
            }
            Value::Str { text, loc } => {
                for var in crate::base::template::sub_variables(text) {
                    if let Some(segments) = interpolation_path(var, *loc) {
                        if !self.declares_head(&segments) {
                            continue;
                        }
                        if let Ok(Target::Resource { decl, .. }) = self.resolve(&segments) {
                            out.push(&decl.name.text);
                        }
                    }
                }
            }
            Value::Call { args, .. } => args.iter().for_each(|a| self.referenced(a, out)),
            Value::List { items, .. } => items.iter().for_each(|a| self.referenced(a, out)),
            Value::Object { fields, .. } => {
                fields.iter().for_each(|f| self.referenced(&f.value, out))
            }
            Value::Statement(s) => s.resources.iter().for_each(|r| self.referenced(r, out)),
            Value::Int { .. } | Value::Bool { .. } | Value::Float { .. } => {}
        }
    }
}

/// The path of a `${…}` interpolation, unless it is a pseudo parameter
/// (`AWS::Region`) or an IAM policy variable (`aws:username`).
pub fn interpolation_path(var: &str, loc: Loc) -> Option<Vec<Name>> {
    // `AWS::Region` is a pseudo parameter; `aws:username` an IAM policy
    // variable, resolved by IAM when the policy is evaluated.
    if var.contains(':') || var.is_empty() {
        return None;
    }
    Some(var.split('.').map(|s| Name::new(s, loc)).collect())
}
