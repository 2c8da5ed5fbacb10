//! `tap synth`: templates and a manifest in an output directory.

use crate::assets::{Assets, Packager};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use tap_core::synth::PlaceholderAssets;
use tap_core::{Expr, Stack, Template};

/// One synthesised stack.
#[derive(Debug)]
pub struct Synthesized {
    pub name: String,
    pub template: Template,
    pub dependencies: Vec<String>,
    pub assets: Vec<crate::assets::Asset>,
    /// `termination_protection: true;` (or `false;`) in the stack: deploy sets
    /// it; `None` leaves it as it is.
    pub termination_protection: Option<bool>,
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
    let mut out = Vec::new();
    let mut exports: BTreeMap<String, String> = BTreeMap::new();
    for stack in stacks {
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
            template,
            dependencies: Vec::new(),
            assets: staged,
            termination_protection: stack.termination_protection(),
        });
    }
    add_reference_exports(&mut out)?;
    for s in &out {
        for o in s.template.outputs.values() {
            if let Some(name) = o.export_name.as_ref().and_then(|e| export_text(e, &s.name)) {
                exports.insert(name, s.name.clone());
            }
        }
    }
    for s in &mut out {
        for import in s.template.imports() {
            match exports.get(&import) {
                Some(producer) if *producer != s.name => s.dependencies.push(producer.clone()),
                Some(_) => {}
                None => anyhow::bail!(
                    "{} imports `{import}`, which no stack of this app exports",
                    s.name
                ),
            }
        }
        s.dependencies.sort();
        s.dependencies.dedup();
    }
    Ok(out)
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

/// The outputs and exports typed references need (`tap_core::refs`): for
/// each import of `<Stack>:<LogicalId>:<Attribute>` of a stack in this app,
/// that stack exports the attribute. Only what consumers use is exported.
fn add_reference_exports(out: &mut [Synthesized]) -> anyhow::Result<()> {
    let imports: Vec<(String, String)> = out
        .iter()
        .flat_map(|s| {
            s.template
                .imports()
                .into_iter()
                .map(|i| (s.name.clone(), i))
        })
        .collect();
    for (consumer, import) in imports {
        let Some((stack, id, attribute)) = tap_core::refs::parse_export_name(&import) else {
            continue;
        };
        let Some(producer) = out.iter_mut().find(|s| s.name == stack) else {
            continue;
        };
        if !producer.template.resources.contains_key(id) {
            anyhow::bail!("{consumer} imports `{import}`, but {stack} has no resource {id}");
        }
        let value = match attribute {
            "Ref" => Expr::Ref(id.to_string()),
            att => Expr::GetAtt(id.to_string(), att.replace('-', ".")),
        };
        let output: String = format!("Export{id}{attribute}")
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        if let Some(existing) = producer.template.outputs.get(&output) {
            if existing.export_name != Some(Expr::Str(import.clone())) {
                anyhow::bail!(
                    "{stack} has an output `{output}`, the name tap gives the export {consumer} imports (`{import}`): rename the output"
                );
            }
            continue;
        }
        producer.template.outputs.insert(
            output,
            tap_core::template::Output {
                value,
                description: Some(format!(
                    "{id}'s {attribute}, for the stacks that reference it"
                )),
                export_name: Some(Expr::Str(import.clone())),
                condition: None,
            },
        );
    }
    Ok(())
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

/// Writes `<Stack>.template.json` for each stack and `manifest.json`.
pub fn write(dir: &Path, stacks: &[Synthesized]) -> anyhow::Result<()> {
    fs::create_dir_all(dir)?;
    let mut manifest_stacks = serde_json::Map::new();
    let mut manifest_assets = serde_json::Map::new();
    for s in stacks {
        let file = format!("{}.template.json", s.name);
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
        manifest_stacks.insert(
            s.name.clone(),
            json!({
                "template": file,
                "dependencies": s.dependencies,
                "assets": s.assets.iter().map(|a| a.package.sha256.clone()).collect::<Vec<_>>(),
            }),
        );
    }
    let manifest: Value =
        json!({ "version": 1, "stacks": manifest_stacks, "assets": manifest_assets });
    fs::write(
        dir.join("manifest.json"),
        serde_json::to_string_pretty(&manifest)? + "\n",
    )?;
    Ok(())
}
