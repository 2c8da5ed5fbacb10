//! `tap migrate`: a CloudFormation template (JSON, or YAML with its short-form
//! tags) as `stack!` source, written so that the stack synthesises the same
//! template: logical IDs, parameters, mappings, conditions and outputs keep
//! the template's names, and raw resources take CloudFormation's own
//! properties. What the DSL cannot say yet, or says differently, is not
//! dropped silently: each such place is an [`Unsupported`] in the result.
//!
//! Three stages: `yaml` (or `json`) turns the text into the JSON
//! CloudFormation reads; `foreach` expands `Fn::ForEach` loops as their
//! transform would; `write` turns that JSON into source text.

mod foreach;
mod json;
mod write;
pub mod yaml;

use crate::deploy::ui::Ui;
use anyhow::anyhow;
use serde_json::Value;
use std::path::Path;

/// A template migrated to `stack!` source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    /// A complete Rust file: `use tap_macros::stack;` and one `stack!`.
    pub source: String,
    /// The places where the stack would not synthesise the template as it
    /// is, in the order they appear in the source.
    pub unsupported: Vec<Unsupported>,
}

/// One place in the template the source does not reproduce exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported {
    /// Where in the template, its keys joined with dots and list indexes in
    /// brackets: `Resources.MyBucket.Properties.Tags[0].Value`.
    pub path: String,
    /// What differs, and what to do about it where there is something to do.
    pub reason: String,
}

/// Why a template could not be migrated at all.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("the template is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the template is not valid YAML: {0}")]
    Yaml(#[from] yaml::YamlError),
    #[error("the template is {0}, not a mapping of sections (`Resources`, `Parameters`, …)")]
    NotATemplate(&'static str),
    #[error("`{0}` cannot name a stack: a stack's name is a Rust type name (ASCII letters, digits and `_`, not starting with a digit)")]
    StackName(String),
}

/// Migrates `template_text` (JSON or YAML) to the source of a stack named
/// `stack_name`.
pub fn migrate(template_text: &str, stack_name: &str) -> Result<Migration, MigrateError> {
    if !write::is_type_name(stack_name) {
        return Err(MigrateError::StackName(stack_name.to_string()));
    }
    // JSON is YAML too, but serde_json's errors name JSON's mistakes better.
    let mut expanded = Vec::new();
    let mut template = if template_text.trim_start().starts_with('{') {
        json::parse(template_text)?
    } else {
        let read = yaml::parse_lenient(template_text)?;
        if let Some(reason) = read.warning {
            expanded.push(Unsupported {
                path: "(the YAML)".to_string(),
                reason,
            });
        }
        read.value
    };
    if let Value::Object(sections) = &mut template {
        for section in ["Conditions", "Resources", "Outputs"] {
            if let Some(Value::Object(entries)) = sections.get_mut(section) {
                foreach::expand(section, entries, &mut expanded);
            }
        }
    }
    let sections = match &template {
        Value::Object(map) => map,
        Value::Null => return Err(MigrateError::NotATemplate("empty")),
        Value::Array(_) => return Err(MigrateError::NotATemplate("a list")),
        _ => return Err(MigrateError::NotATemplate("a single value")),
    };
    let (source, unsupported) = write::stack(sections, stack_name);
    Ok(Migration {
        source,
        unsupported: expanded.into_iter().chain(unsupported).collect(),
    })
}

/// `tap migrate`: the source goes to `out` (or stdout), and each place it does
/// not reproduce to stderr as a warning. Only a template that cannot be read
/// or parsed, or an `out` that cannot be written, is an error.
pub fn command(
    template: &Path,
    name: Option<&str>,
    out: Option<&Path>,
    ui: &Ui,
) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(template)
        .map_err(|e| anyhow!("cannot read {}: {e}", template.display()))?;
    let name = name.map_or_else(|| stack_name_from_path(template), str::to_string);
    write_source(&text, &template.display().to_string(), Some(&name), out, ui)
}

/// Migrates a template's `text` (from `origin`, a file or a deployed stack)
/// and writes the source to `out` (or stdout), the warnings to stderr.
pub fn write_source(
    text: &str,
    origin: &str,
    name: Option<&str>,
    out: Option<&Path>,
    ui: &Ui,
) -> anyhow::Result<()> {
    let name = name.map_or_else(|| stack_name_from_path(Path::new(origin)), str::to_string);
    let migration = migrate(text, &name).map_err(|e| anyhow!("{origin}: {e}"))?;
    for u in &migration.unsupported {
        eprintln!("warning: {}: {}", u.path, u.reason);
    }
    match out {
        Some(path) => {
            crate::fsutil::write_atomic(path, migration.source.as_bytes())
                .map_err(|e| anyhow!("cannot write {}: {e}", path.display()))?;
            ui.line(format!("{name} -> {}", path.display()));
        }
        None => ui.line(migration.source.trim_end()),
    }
    Ok(())
}

/// A stack name from a template's file name: `ec2-instance.yaml` →
/// `Ec2Instance`. A name that would start with a digit gets `Stack` before it.
pub fn stack_name_from_path(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    // `x.template.json`: the stem's own extensions are not part of the name.
    let stem = stem.split('.').next().unwrap_or_default();
    let name: String = stem
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect();
    if name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name
    } else {
        format!("Stack{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stack_names_from_file_names() {
        let name = |p: &str| stack_name_from_path(Path::new(p));
        assert_eq!(name("templates/ec2-instance.yaml"), "Ec2Instance");
        assert_eq!(name("my_app.template.json"), "MyApp");
        assert_eq!(
            name("WordPress_Single_Instance.yaml"),
            "WordPressSingleInstance"
        );
        assert_eq!(name("2-tier.json"), "Stack2Tier");
        assert_eq!(name(""), "Stack");
    }

    #[test]
    fn json_and_yaml_both_migrate() {
        let json = r#"{"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}}"#;
        let yaml = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n";
        let a = migrate(json, "Demo").expect("json");
        let b = migrate(yaml, "Demo").expect("yaml");
        assert_eq!(a, b);
        assert!(
            a.source.contains("Queue = cfn::SQS::Queue {};"),
            "{}",
            a.source
        );
    }

    #[test]
    fn what_is_not_a_template_is_an_error() {
        assert!(matches!(migrate("{", "A"), Err(MigrateError::Json(_))));
        assert!(matches!(migrate("a: [1", "A"), Err(MigrateError::Yaml(_))));
        assert!(matches!(
            migrate("- 1\n- 2\n", "A"),
            Err(MigrateError::NotATemplate("a list"))
        ));
        assert!(matches!(
            migrate("", "A"),
            Err(MigrateError::NotATemplate("empty"))
        ));
        assert!(matches!(
            migrate("Resources: {}", "my-stack"),
            Err(MigrateError::StackName(_))
        ));
    }
}
