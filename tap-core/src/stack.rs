//! A stack at run time: the checked definition the macro embedded, the values of
//! its parameters, and synthesis to a template.

use crate::ir::*;
use crate::kinds::AttrValue;
use crate::synth::{self, AssetResolver, Bindings, Bound, Handle};
use crate::template::{Expr, Template};
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq)]
pub enum StackError {
    /// The embedded definition could not be read (a tap-core/tap-macros version mismatch).
    Definition(String),
    /// A parameter was given a value of the wrong type.
    Parameter {
        stack: String,
        param: String,
        message: String,
    },
    /// An output named for a cross-stack reference does not exist or is not exported.
    Export {
        stack: String,
        output: String,
        message: String,
    },
    Synth {
        stack: String,
        message: String,
    },
}

impl fmt::Display for StackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StackError::Definition(m) => write!(f, "cannot read the stack definition: {m}"),
            StackError::Parameter {
                stack,
                param,
                message,
            } => write!(f, "{stack}: parameter `{param}`: {message}"),
            StackError::Export {
                stack,
                output,
                message,
            } => write!(f, "{stack}: output `{output}`: {message}"),
            StackError::Synth { stack, message } => write!(f, "{stack}: {message}"),
        }
    }
}
impl std::error::Error for StackError {}

/// Whether a value can be bound to a parameter of this type.
fn fits(ty: &ParamType, value: &Bound) -> bool {
    match (ty, value) {
        (ParamType::Str, Bound::Str(_))
        | (ParamType::Int, Bound::Int(_))
        | (ParamType::Bool, Bound::Bool(_))
        | (ParamType::Duration, Bound::Duration(_)) => true,
        (ParamType::Kind(k), Bound::Resource(h)) => *k == h.kind,
        (ParamType::List(t), Bound::List(items)) => items.iter().all(|i| fits(t, i)),
        (ParamType::Any, _) => true,
        _ => false,
    }
}

/// An exported output of a stack, to pass to another stack.
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    /// The stack that exports it.
    pub stack: String,
    pub output: String,
    /// The export name, with `${AWS::StackName}` filled in.
    pub name: Expr,
}

impl Export {
    /// `Fn::ImportValue` of this export.
    pub fn import(&self) -> Expr {
        Expr::ImportValue(Box::new(self.name.clone()))
    }
}

#[derive(Debug, Clone)]
pub struct Stack {
    name: String,
    def: StackDef,
    bindings: Bindings,
    base_dir: PathBuf,
}

impl Stack {
    /// Used by the code `stack!` generates: the checked definition as JSON, and
    /// the directory of the package that declared it, relative to its project's root.
    pub fn from_embedded(json: &str, base_dir: &str) -> Result<Stack, StackError> {
        let def: StackDef =
            serde_json::from_str(json).map_err(|e| StackError::Definition(e.to_string()))?;
        Ok(Stack {
            name: def.name.text.clone(),
            def,
            bindings: Bindings::default(),
            base_dir: PathBuf::from(base_dir),
        })
    }

    /// The CloudFormation stack name (defaults to the name in `stack!`).
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    pub fn definition(&self) -> &StackDef {
        &self.def
    }

    /// `termination_protection: true;` (or `false;`): what the stack says about
    /// CloudFormation refusing to delete it; `None` when it says nothing, so
    /// protection set outside tap is left as it is.
    pub fn termination_protection(&self) -> Option<bool> {
        let applied = crate::params::apply(&self.def, &self.bindings).ok()?;
        match field(&applied.stack.settings, "termination_protection") {
            Some(Value::Bool { value, .. }) => Some(*value),
            _ => None,
        }
    }

    /// Where `asset("…")` paths are relative to: the package that declared the
    /// stack, relative to the project's root (`tap_core::project::root_of`).
    pub fn base_dir(&self) -> &Path {
        &self.base_dir
    }

    /// Gives a parameter its value, checking it has the declared type.
    pub fn bind(&mut self, param: &str, value: Bound) -> Result<(), StackError> {
        let err = |message: String| StackError::Parameter {
            stack: self.name.clone(),
            param: param.to_string(),
            message,
        };
        let Some(p) = self.def.params.iter().find(|p| p.name.text == param) else {
            return Err(err("no such parameter".into()));
        };
        if !fits(&p.ty, &value) {
            return Err(err(format!("expected {}, got {value:?}", p.ty.describe())));
        }
        self.bindings.set(param, value);
        Ok(())
    }

    /// Checks the bound values where they are used, by the same rules as a literal
    /// written there at compile time (`memory: mem` with `mem` bound to 20,000
    /// fails as `memory: 20000` would), naming the parameter.
    pub fn validate(&self) -> Result<(), StackError> {
        self.resolve().map(|_| ())
    }

    /// The checked model of this stack with its parameters bound: what
    /// [`Stack::synth`] lowers.
    pub fn resolve(&self) -> Result<crate::check::Resolved, StackError> {
        let unresolved = match crate::check::resolve(&self.def, &self.bindings) {
            Ok(model) => return Ok(model),
            Err(e) => e,
        };
        let Some(d) = unresolved.diagnostics.into_iter().next() else {
            return Err(StackError::Synth {
                stack: self.name.clone(),
                message: "the checks failed".into(),
            });
        };
        Err(match unresolved.origins.get(&d.loc) {
            Some(params) => StackError::Parameter {
                stack: self.name.clone(),
                param: params.iter().cloned().collect::<Vec<_>>().join("`, `"),
                message: d.to_string(),
            },
            None => StackError::Synth {
                stack: self.name.clone(),
                message: d.to_string(),
            },
        })
    }

    /// The code assets this stack uses (`asset("…")` paths, relative to [`Stack::base_dir`]).
    pub fn assets(&self) -> Vec<String> {
        let mut out = Vec::new();
        for r in self.def.resources() {
            if let Some(Value::Call { func, args }) = field(&r.fields, "code") {
                if let (true, Some(Value::Str { text, .. })) = (func.text == "asset", args.first())
                {
                    out.push(text.clone());
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// An exported output, for another stack to import.
    pub fn export(&self, output: &str) -> Result<Export, StackError> {
        let err = |message: &str| StackError::Export {
            stack: self.name.clone(),
            output: output.to_string(),
            message: message.to_string(),
        };
        // The export name as bound (`"${env}-Data"` with `env` given).
        let applied =
            crate::params::apply(&self.def, &self.bindings).map_err(|d| err(&d.message))?;
        let out = applied
            .stack
            .outputs()
            .find(|o| o.name.text == output)
            .ok_or_else(|| err("no such output"))?;
        let Some(Value::Str { text, .. }) = field(&out.fields, "export") else {
            return Err(err("the output is not exported: give it `export: \"…\"`"));
        };
        let name = text.replace("${AWS::StackName}", &self.name);
        let name = if name.contains("${") {
            Expr::sub(name)
        } else {
            Expr::Str(name)
        };
        Ok(Export {
            stack: self.name.clone(),
            output: output.to_string(),
            name,
        })
    }

    /// A resource of this stack as another stack takes it: each attribute of
    /// its kind an `Fn::ImportValue` of [`crate::refs::export_name`]. `stack!`
    /// generates a typed accessor per resource that calls this; the
    /// producer's outputs and exports are added when the app is synthesised,
    /// for the attributes consumers use.
    pub fn reference(&self, resource: &str) -> Handle {
        let decl = self.def.resources().find(|r| r.name.text == resource);
        // `x = p or kind { … }` with `p` given: the stack made nothing, and
        // the reference is what it was given.
        if let Some(Bound::Resource(given)) = decl
            .and_then(|d| d.unless_param.as_ref())
            .and_then(|p| self.bindings.0.get(&p.text))
        {
            return given.clone();
        }
        let kind = decl.and_then(|d| crate::kinds::kind(&d.kind.text));
        let import = |id: &str, attr: &str| {
            Expr::ImportValue(Box::new(Expr::Str(crate::refs::export_name(
                &self.name, id, attr,
            ))))
        };
        let id = crate::constructs::logical_id(resource);
        let mut attrs = std::collections::BTreeMap::new();
        // A bucket's ARNs follow from its name: one export, not three.
        let bucket = kind.is_some_and(|k| k.name == "s3::Bucket");
        if bucket {
            attrs = Handle::bucket(import(&id, "Ref")).attrs;
        }
        for a in kind.map(|k| k.attrs).unwrap_or_default() {
            if attrs.contains_key(a.name) {
                continue;
            }
            let value = match a.value {
                AttrValue::Ref => import(&id, "Ref"),
                AttrValue::GetAtt(att) => import(&id, att),
                AttrValue::Sub(template) => {
                    // `${Self}` is the resource's Ref, `${${Self}.X}` its attribute X.
                    let mut text = template.to_string();
                    let mut vars = std::collections::BTreeMap::new();
                    while let Some(start) = text.find("${${Self}.") {
                        let rest = &text[start + "${${Self}.".len()..];
                        let Some(end) = rest.find('}') else { break };
                        let att = rest[..end].to_string();
                        let var = att.replace('.', "");
                        text.replace_range(
                            start..start + "${${Self}.".len() + end + 1,
                            &format!("${{{var}}}"),
                        );
                        vars.insert(var, import(&id, &att));
                    }
                    if text.contains("${Self}") {
                        text = text.replace("${Self}", "${Ref}");
                        vars.insert("Ref".to_string(), import(&id, "Ref"));
                    }
                    Expr::Sub(text, vars)
                }
                AttrValue::Linked(linked) => {
                    // The linked resource (a bucket's key) by its ARN: as the
                    // stack was given it, or as this stack exports it.
                    let Some(Value::Path { segments }) = decl.and_then(|d| linked(&d.fields))
                    else {
                        continue;
                    };
                    let Some(name) = segments.first() else {
                        continue;
                    };
                    let other = match self.bindings.0.get(&name.text) {
                        Some(Bound::Resource(given)) => given.clone(),
                        _ => self.reference(&name.text),
                    };
                    let arn = crate::kinds::kind(&other.kind).map_or("arn", |k| k.arn_attr);
                    match other.attrs.get(arn) {
                        Some(e) => e.clone(),
                        None => continue,
                    }
                }
                AttrValue::Metric(..) => continue,
            };
            attrs.insert(a.name.to_string(), value);
        }
        Handle {
            kind: decl.map(|d| d.kind.text.clone()).unwrap_or_default(),
            attrs,
        }
    }

    /// The CloudFormation template.
    pub fn synth(&self, assets: &dyn AssetResolver) -> Result<Template, StackError> {
        // The checks, cycles and template limits included, run once here; the
        // lowering trusts them.
        let model = self.resolve()?;
        synth::lower(&model, assets).map_err(|e| StackError::Synth {
            stack: self.name.clone(),
            message: e.message,
        })
    }
}
