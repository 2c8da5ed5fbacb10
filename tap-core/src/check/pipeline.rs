//! Pipeline wiring: every artifact an action reads was produced by an earlier
//! action, source actions come first, and an S3 source bucket can serve as one.

use crate::constructs::display_name;
use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::*;
use crate::resolve::{Scope, Target};
use std::collections::BTreeSet;

pub fn check(stack: &StackDef, scope: &Scope, diags: &mut Diagnostics) {
    for pipeline in stack
        .resources()
        .filter(|d| d.kind.text == "codepipeline::Pipeline")
    {
        let Some(Value::List { items: stages, .. }) = field(&pipeline.fields, "stages") else {
            continue;
        };
        let mut produced: BTreeSet<String> = BTreeSet::new();
        let mut stage_names: BTreeSet<String> = BTreeSet::new();
        if stages.len() < 2 {
            diags.error(
                pipeline.name.loc,
                "a pipeline needs at least two stages: a source stage and one that acts on it",
            );
        }
        for (i, stage) in stages.iter().enumerate() {
            let Value::Object { fields, .. } = stage else {
                continue;
            };
            if let Some(Value::Str { text, loc }) = field(fields, "name") {
                if !stage_names.insert(text.clone()) {
                    diags.error(*loc, format!("stage `{text}` is declared twice"));
                }
            }
            let Some(Value::List { items: actions, .. }) = field(fields, "actions") else {
                continue;
            };
            let mut stage_outputs = Vec::new();
            for action in actions {
                let Value::Object {
                    tag: Some(tag),
                    fields: af,
                    ..
                } = action
                else {
                    continue;
                };
                let is_source = tag.text == "s3_source";
                if is_source != (i == 0) {
                    let msg = if is_source {
                        "source actions belong in the first stage"
                    } else {
                        "the first stage holds only source actions"
                    };
                    diags.error(tag.loc, msg);
                }
                if let Some(Value::Str { text, loc }) = field(af, "input") {
                    if !produced.contains(text) {
                        let d = Diagnostic::new(
                            *loc,
                            format!("no earlier action produces the artifact `{text}`"),
                        );
                        diags.push(d.suggest(text, produced.iter().map(String::as_str)));
                    }
                }
                let mut outs: Vec<&Value> = Vec::new();
                if let Some(v) = field(af, "output") {
                    outs.push(v);
                }
                if let Some(Value::List { items, .. }) = field(af, "outputs") {
                    outs.extend(items);
                }
                for o in outs {
                    if let Value::Str { text, loc } = o {
                        if produced.contains(text) || stage_outputs.contains(text) {
                            diags.error(*loc, format!("artifact `{text}` is produced twice"));
                        }
                        stage_outputs.push(text.clone());
                    }
                }
                if is_source {
                    source_bucket(af, scope, diags);
                }
            }
            produced.extend(stage_outputs);
        }
    }
}

fn source_bucket(fields: &[Field], scope: &Scope, diags: &mut Diagnostics) {
    let Some(Value::Path { segments }) = field(fields, "bucket") else {
        return;
    };
    let Ok(Target::Resource { decl, .. }) = scope.resolve(segments) else {
        return;
    };
    let name = display_name(&decl.name.text);
    if !matches!(
        field(&decl.fields, "versioned"),
        Some(Value::Bool { value: true, .. })
    ) {
        diags.push(
            Diagnostic::new(segments[0].loc, format!("CodePipeline reads S3 sources by version, but bucket `{name}` is not versioned"))
                .help(format!("add `versioned: true` to `{name}`")),
        );
    }
    let events = match field(fields, "trigger") {
        Some(Value::Path { segments }) => segments.first().is_some_and(|s| s.text == "Events"),
        _ => true,
    };
    if events
        && !matches!(
            field(&decl.fields, "event_bridge"),
            Some(Value::Bool { value: true, .. })
        )
    {
        diags.push(
            Diagnostic::new(segments[0].loc, format!("`trigger: Events` starts the pipeline from EventBridge, but bucket `{name}` does not send its events there"))
                .help(format!("add `event_bridge: true` to `{name}`, or use `trigger: Poll`")),
        );
    }
}
