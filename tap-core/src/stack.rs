//! A stack at run time: the checked definition the macro built, the values of
//! its parameters, and synthesis to a template.

use crate::base::diag::Diagnostic;
use crate::base::ir::*;
use crate::base::template::{Expr, Template};
use crate::check::{Provenance, Unresolved};
use crate::kinds::AttrValue;
use crate::model::resolved::Resolved;
use crate::synth::{self, AssetResolver, Bindings, Bound, Handle};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

#[derive(Debug, Clone, PartialEq)]
pub enum StackError {
    /// The stack's definition has errors: its `stack!` did not compile.
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
    /// Every finding, when there is more than one: each a `Parameter` or a `Synth`.
    Findings(Vec<StackError>),
}

impl fmt::Display for StackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StackError::Definition(m) => write!(f, "the stack's definition has errors: {m}"),
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
            StackError::Findings(all) => {
                for (i, e) in all.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "{e}")?;
                }
                Ok(())
            }
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
    /// Whether `stack!` checked `def` at compile time.
    provenance: Provenance,
    /// The checked model with the current bindings, made once (`bind` clears it).
    model: OnceLock<Result<Resolved, Unresolved>>,
    /// The functions' contract files `stack!` checked this stack against, by
    /// path relative to the project's root, with the text it read.
    checked_contracts: Vec<(&'static str, &'static [u8])>,
    /// Where it deploys; `None`: the command line's account and region.
    env: Option<crate::env::Env>,
}

impl Stack {
    fn with(def: StackDef, base_dir: &str, provenance: Provenance) -> Stack {
        Stack {
            name: def.name.text.clone(),
            def,
            bindings: Bindings::default(),
            base_dir: PathBuf::from(base_dir),
            provenance,
            model: OnceLock::new(),
            checked_contracts: Vec::new(),
            env: None,
        }
    }

    /// Used by the code `stack!` generates: the contract files it checked
    /// the stack against, with their text then.
    #[doc(hidden)]
    pub fn __checked_against(mut self, contracts: &[(&'static str, &'static [u8])]) -> Stack {
        self.checked_contracts = contracts.to_vec();
        self
    }

    /// Used by the code `stack!` generates: it also judged the definition with
    /// every parameter omitted ([`crate::check::passes_with_every_parameter_omitted`]),
    /// so a `new()` that binds nothing runs no rule.
    #[doc(hidden)]
    pub fn __judged_with_parameters_omitted(mut self) -> Stack {
        if self.provenance == Provenance::Checked {
            self.provenance = Provenance::CheckedWithParametersOmitted;
            self.model = OnceLock::new();
        }
        self
    }

    /// The contract files (relative to `project_root`) that changed since
    /// `stack!` checked this stack against them: this program was built
    /// before the edit, and what it would deploy was not checked against the
    /// contract as it is now. A file that is not there (a binary run away from
    /// its sources) cannot be compared and is not counted.
    pub fn stale_contracts(&self, project_root: &Path) -> Vec<String> {
        self.checked_contracts
            .iter()
            .filter(|(path, text)| {
                std::fs::read(project_root.join(path)).is_ok_and(|now| now != *text)
            })
            .map(|(path, _)| path.to_string())
            .collect()
    }

    /// Used by the code `stack!` generates: the definition it checked at
    /// compile time, and the directory of the package that declared it,
    /// relative to its project's root. Only what is bound later is checked
    /// again.
    #[doc(hidden)]
    pub fn __from_checked(def: StackDef, base_dir: &str) -> Stack {
        Stack::with(def, base_dir, Provenance::Checked)
    }

    /// A stack from a definition built at run time (not by `stack!`), with
    /// asset paths relative to `base_dir`: every rule runs on it, once.
    pub fn from_definition(def: StackDef, base_dir: &str) -> Stack {
        Stack::with(def, base_dir, Provenance::Unchecked)
    }

    /// The CloudFormation stack name (defaults to the name in `stack!`).
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The stack pinned to an environment (an account and a region). References
    /// taken from it after this carry the environment: a stack elsewhere that
    /// uses one gets the value through tap, not `Fn::ImportValue`.
    pub fn in_env(mut self, env: &crate::env::Env) -> Self {
        self.env = Some(env.clone());
        self
    }

    /// The environment it is pinned to, if any.
    pub fn env(&self) -> Option<&crate::env::Env> {
        self.env.as_ref()
    }

    /// How the command line names it: `env/Name`, or `Name` with no environment.
    pub fn id(&self) -> String {
        crate::refs::stack_id(self.env.as_ref().map(|e| e.name.as_str()), &self.name)
    }

    pub fn definition(&self) -> &StackDef {
        &self.def
    }

    /// `termination_protection: true;` (or `false;`): what the stack says about
    /// CloudFormation refusing to delete it; `None` when it says nothing, so
    /// protection set outside tap is left as it is.
    pub fn termination_protection(&self) -> Option<bool> {
        let applied = crate::model::params::apply(&self.def, &self.bindings).ok()?;
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
        self.model = OnceLock::new();
        Ok(())
    }

    /// Checks the bound values where they are used, by the same rules as a literal
    /// written there at compile time (`memory: mem` with `mem` bound to 20,000
    /// fails as `memory: 20000` would), naming the parameter.
    pub fn validate(&self) -> Result<(), StackError> {
        self.model().map(|_| ())
    }

    /// The checked model of this stack with its parameters bound: what
    /// [`Stack::synth`] lowers.
    pub fn resolve(&self) -> Result<Resolved, StackError> {
        self.model().cloned()
    }

    /// The model, resolved once for the current bindings: `new()` validates
    /// and `synth()` lowers the same one.
    fn model(&self) -> Result<&Resolved, StackError> {
        self.model
            .get_or_init(|| crate::check::resolve(&self.def, &self.bindings, self.provenance))
            .as_ref()
            .map_err(|u| self.error(u.clone()))
    }

    /// Every finding, each naming the parameters its value came from.
    fn error(&self, unresolved: Unresolved) -> StackError {
        let one = |d: Diagnostic| match unresolved.origins.get(&d.loc) {
            Some(params) => StackError::Parameter {
                stack: self.name.clone(),
                param: params.iter().cloned().collect::<Vec<_>>().join("`, `"),
                message: d.to_string(),
            },
            None => StackError::Synth {
                stack: self.name.clone(),
                message: d.to_string(),
            },
        };
        let mut all: Vec<StackError> = unresolved.diagnostics.into_iter().map(one).collect();
        match all.len() {
            0 => StackError::Synth {
                stack: self.name.clone(),
                message: "the checks failed".into(),
            },
            1 => all.remove(0),
            _ => StackError::Findings(all),
        }
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
            crate::model::params::apply(&self.def, &self.bindings).map_err(|d| err(&d.message))?;
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
        // The producer as the app knows it (`env:Name`): the engine turns the
        // import into a plain export within one environment, and into a value
        // it carries itself between two (`tap_app::synth`).
        let producer = match &self.env {
            Some(e) => format!("{}:{}", e.name, self.name),
            None => self.name.clone(),
        };
        let import = |id: &str, attr: &str| {
            Expr::ImportValue(Box::new(Expr::Str(crate::refs::export_name(
                &producer, id, attr,
            ))))
        };
        let id = crate::base::naming::logical_id(resource);
        let mut attrs = std::collections::BTreeMap::new();
        // A bucket's ARNs follow from its name: one export, not three.
        if let Some(k) = kind.filter(|k| k.from_ref.is_some()) {
            attrs = Handle::from_ref(k, import(&id, "Ref")).attrs;
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
        // The model was checked when it was made (at compile time, or with
        // its parameters in place by `new()`); it is lowered once.
        let model = self.model()?;
        synth::lower(model, assets).map_err(|e| StackError::Synth {
            stack: self.name.clone(),
            message: e.message,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::diag::Loc;

    /// A program built before a contract's edit knows it: the text it was
    /// checked against is not the file's.
    #[test]
    fn a_contract_edited_after_the_check_is_stale() {
        let root = std::env::temp_dir().join(format!("tap-stale-{}", std::process::id()));
        std::fs::create_dir_all(root.join("fn/src")).unwrap();
        std::fs::write(root.join("fn/src/contract.rs"), "contract! { v1 }").unwrap();
        let def = StackDef {
            name: Name::new("Api", Loc::NONE),
            description: None,
            params: vec![],
            items: vec![],
            settings: vec![],
        };
        let stack = Stack::from_definition(def, "").__checked_against(&[
            ("fn/src/contract.rs", b"contract! { v1 }"),
            ("gone/src/contract.rs", b"x"),
        ]);
        // As checked; a file not there (a binary away from its sources) is not compared.
        assert!(stack.stale_contracts(&root).is_empty());
        std::fs::write(root.join("fn/src/contract.rs"), "contract! { v2 }").unwrap();
        assert_eq!(stack.stale_contracts(&root), ["fn/src/contract.rs"]);
        let _ = std::fs::remove_dir_all(&root);
    }
}
