//! `tap synth`: templates and a manifest in an output directory.

use crate::assets::{Assets, Packager};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use tap_core::synth::PlaceholderAssets;
use tap_core::{Expr, Stack, Template};

mod link;

pub use link::{EnvInput, INPUTS_METADATA};

/// One synthesised stack.
#[derive(Debug, Default)]
pub struct Synthesized {
    /// The CloudFormation stack name.
    pub name: String,
    /// How the command line names it: `env/Name`, or the name with no environment.
    pub id: String,
    /// Where it deploys; `None`: the command line's account and region.
    pub env: Option<tap_core::Env>,
    pub template: Template,
    /// The stacks (by [`Synthesized::id`]) deployed before it: those it imports
    /// from, and those of other environments it takes values from.
    pub dependencies: Vec<String>,
    pub assets: Vec<crate::assets::Asset>,
    /// `termination_protection: true;` (or `false;`) in the stack: deploy sets
    /// it; `None` leaves it as it is.
    pub termination_protection: Option<bool>,
    /// Values taken from stacks of other environments, as parameters.
    pub inputs: Vec<EnvInput>,
}

impl Synthesized {
    /// A stack with no environment and nothing linked yet (tests and tools).
    pub fn new(name: impl Into<String>, template: Template) -> Synthesized {
        let name = name.into();
        Synthesized {
            id: name.clone(),
            name,
            template,
            ..Synthesized::default()
        }
    }

    /// The environment's name, if it has one.
    pub fn env_name(&self) -> Option<&str> {
        self.env.as_ref().map(|e| e.name.as_str())
    }
}

/// Synthesises every stack (packaging its assets), working out which depends on
/// which through imports.
pub fn synth_all(stacks: &[Stack], packager: &Packager) -> anyhow::Result<Vec<Synthesized>> {
    synth_with(stacks, Some(packager))
}

/// The stacks, their templates and dependencies, without building any asset
/// (their keys are placeholders): enough for `list` and `destroy`.
pub fn synth_unpackaged(stacks: &[Stack]) -> anyhow::Result<Vec<Synthesized>> {
    synth_with(stacks, None)
}

fn synth_with(stacks: &[Stack], packager: Option<&Packager>) -> anyhow::Result<Vec<Synthesized>> {
    let mut out: Vec<Synthesized> = Vec::new();
    let mut exports: BTreeMap<(Option<String>, String), String> = BTreeMap::new();
    for stack in stacks {
        if let Some(env) = stack.env() {
            env.check()
                .map_err(|e| anyhow::anyhow!("{}: {e}", stack.name()))?;
            // One name, two definitions: which one a selection means would be a guess.
            if let Some(other) = out
                .iter()
                .filter_map(|s| s.env.as_ref())
                .find(|e| e.name == env.name && *e != env)
            {
                anyhow::bail!(
                    "environment `{}` is defined twice, differently ({other} and {env}): make one `Env` and pin both stacks to it",
                    env.name
                );
            }
        }
        // One CloudFormation stack name once per account and region: two
        // environments that are certainly one place may not both have it.
        if let Some(other) = out.iter().find(|s| {
            s.name == stack.name()
                && s.id != stack.id()
                && tap_core::Env::same_place(s.env.as_ref(), stack.env()) == Some(true)
        }) {
            anyhow::bail!(
                "{} and {} are one CloudFormation stack: their environments are the same account and region; give one another name (`.with_name(…)`) or another environment",
                other.id,
                stack.id()
            );
        }
        if out.iter().any(|s| s.id == stack.id()) {
            anyhow::bail!(
                "two stacks are named {}: CloudFormation names a stack once per account and region; give one another name (`.with_name(…)`) or another environment",
                stack.id()
            );
        }
        let (template, staged) = match packager {
            Some(p) => {
                refuse_stale_contracts(stack)?;
                let base = crate::project_dir().join(stack.base_dir());
                if let Some(missing) = stack.assets().iter().find(|a| !base.join(a).is_dir()) {
                    anyhow::bail!(
                        "{}: its asset `{missing}` is relative to `{}` in the project, and {} is not there: run tap from inside the project that declares the stack",
                        stack.name(),
                        if stack.base_dir().as_os_str().is_empty() { Path::new(".") } else { stack.base_dir() }.display(),
                        base.join(missing).display()
                    );
                }
                let assets = Assets::new(&base, p);
                (stack.synth(&assets)?, assets.staged())
            }
            None => (stack.synth(&PlaceholderAssets)?, Vec::new()),
        };
        out.push(Synthesized {
            name: stack.name().to_string(),
            id: stack.id(),
            env: stack.env().cloned(),
            template,
            dependencies: Vec::new(),
            assets: staged,
            termination_protection: stack.termination_protection(),
            inputs: Vec::new(),
        });
    }
    link::references(&mut out)?;
    // Exports are seen only in their own account and region.
    for s in &out {
        for o in s.template.outputs.values() {
            if let Some(name) = o.export_name.as_ref().and_then(|e| export_text(e, &s.name)) {
                exports.insert((s.env_name().map(str::to_string), name), s.id.clone());
            }
        }
    }
    for s in &mut out {
        let env = s.env_name().map(str::to_string);
        for import in s.template.imports() {
            match exports.get(&(env.clone(), import.clone())) {
                Some(producer) if *producer != s.id => s.dependencies.push(producer.clone()),
                Some(_) => {}
                None => match exports.iter().find(|((_, n), _)| *n == import) {
                    Some((_, producer)) => anyhow::bail!(
                        "{} imports `{import}`, which {producer} exports in another environment: `Fn::ImportValue` sees only its own account and region. Take a typed reference (the producer's accessor) instead, and tap carries the value",
                        s.id
                    ),
                    None => anyhow::bail!(
                        "{} imports `{import}`, which no stack of this app exports",
                        s.id
                    ),
                },
            }
        }
        let from_envs: Vec<String> = s.inputs.iter().map(|i| i.producer.clone()).collect();
        s.dependencies.extend(from_envs);
        s.dependencies.sort();
        s.dependencies.dedup();
    }
    Ok(out)
}

/// The template of a StackSet's stack. It stands alone: an import, a value
/// from another stack or a code asset would name something in this account
/// that the target accounts do not have.
pub fn stack_set_template(set: &crate::StackSet) -> anyhow::Result<Template> {
    let name = set.name();
    let stack = set.stack();
    if stack.env().is_some() {
        anyhow::bail!(
            "StackSet {name}: its stack is pinned to an environment; a StackSet's targets say where it goes (`.accounts`, `.org_units`, `.regions`): leave out `.in_env`"
        );
    }
    if let Some(asset) = stack.assets().first() {
        anyhow::bail!(
            "StackSet {name}: its stack has the code asset `{asset}`, which lives in this account's asset bucket and cannot be read from the target accounts: give the function inline code or an image, or deploy it as stacks with environments"
        );
    }
    let template = stack.synth(&PlaceholderAssets)?;
    if let Some(import) = template.imports().first() {
        anyhow::bail!(
            "StackSet {name}: its stack imports `{import}`, an export of this account and region that its target accounts do not see: pass the value as a literal"
        );
    }
    Ok(template)
}

/// A function's code is packaged as it is now, so its stack must have been
/// checked against its contract as it is now: a program built before the
/// contract was edited would deploy past the check `stack!` makes.
fn refuse_stale_contracts(stack: &Stack) -> anyhow::Result<()> {
    let stale = stack.stale_contracts(&crate::project_dir());
    if stale.is_empty() {
        return Ok(());
    }
    anyhow::bail!(
        "{}: {} changed after this program was built, so the stack was not checked against {}: build it again (`cargo run -- …` does) and `stack!` checks the stack against the contract as it is now",
        stack.name(),
        stale.join(", "),
        if stale.len() == 1 { "that contract" } else { "those contracts" }
    )
}

/// The export name as CloudFormation will see it, when it is known before deploy.
pub(crate) fn export_text(e: &Expr, stack: &str) -> Option<String> {
    match e {
        Expr::Str(s) => Some(s.clone()),
        Expr::Sub(s, vars) if vars.is_empty() => {
            let s = s.replace("${AWS::StackName}", stack);
            (!s.contains("${")).then_some(s)
        }
        _ => None,
    }
}

/// Where `synth` writes a stack's template, relative to its output
/// directory: `<Stack>.template.json`, in a directory of its environment's
/// name when it has one.
pub fn template_file(s: &Synthesized) -> String {
    match s.env_name() {
        Some(env) => format!("{env}/{}.template.json", s.name),
        None => format!("{}.template.json", s.name),
    }
}

/// Writes each stack's template ([`template_file`]) and `manifest.json`.
pub fn write(dir: &Path, stacks: &[Synthesized]) -> anyhow::Result<()> {
    fs::create_dir_all(dir)?;
    let mut manifest_stacks = serde_json::Map::new();
    let mut manifest_assets = serde_json::Map::new();
    for s in stacks {
        let file = template_file(s);
        if let Some(env) = s.env_name() {
            fs::create_dir_all(dir.join(env))?;
        }
        fs::write(dir.join(&file), s.template.to_pretty_string())?;
        for a in &s.assets {
            manifest_assets.insert(
                a.package.sha256.clone(),
                json!({
                    "source": a.source.display().to_string(),
                    "sourceHash": a.source_hash,
                    "packaging": "rust-lambda-zip",
                    "zip": a.package.zip.display().to_string(),
                    "size": a.package.size,
                    "bucket": a.location.bucket.to_json(),
                    "key": a.location.key,
                }),
            );
        }
        let mut entry = json!({
            "template": file,
            "dependencies": s.dependencies,
            "assets": s.assets.iter().map(|a| a.package.sha256.clone()).collect::<Vec<_>>(),
        });
        if let Some(env) = &s.env {
            entry["stackName"] = json!(s.name);
            entry["environment"] = json!({
                "name": env.name,
                "account": env.account,
                "region": env.region,
            });
        }
        if !s.inputs.is_empty() {
            entry["inputs"] = json!(s
                .inputs
                .iter()
                .map(|i| json!({"parameter": i.parameter, "from": i.producer, "output": i.output}))
                .collect::<Vec<_>>());
        }
        manifest_stacks.insert(s.id.clone(), entry);
    }
    let manifest: Value =
        json!({ "version": 1, "stacks": manifest_stacks, "assets": manifest_assets });
    fs::write(
        dir.join("manifest.json"),
        serde_json::to_string_pretty(&manifest)? + "\n",
    )?;
    Ok(())
}
