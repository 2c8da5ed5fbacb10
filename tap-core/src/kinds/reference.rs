//! The DSL reference for every kind, generated from the tables the checks use,
//! so `docs/DSL.md` cannot drift from what the compiler accepts.

use super::{kinds, AttrValue, Prop, Ty};
use std::fmt::Write;

/// Markdown: one section per kind with its properties, defaults and attributes.
pub fn markdown() -> String {
    let mut out = String::new();
    for kind in kinds() {
        let _ = writeln!(
            out,
            "### `{}` → `{}`\n\n{}\n",
            kind.name, kind.cfn_type, kind.doc
        );
        props_table(&mut out, kind.props);
        nested(&mut out, kind.name, kind.props);
        let _ = writeln!(out, "\n| attribute | | |\n|---|---|---|");
        for a in kind.attrs {
            let what = match (&a.value, a.iam) {
                (AttrValue::Metric(..), _) => "metric".to_string(),
                (AttrValue::Linked(_), _) => "resource".to_string(),
                (_, Some((s, t))) => format!("ARN (`{s}` `{t}`)"),
                _ => "string".to_string(),
            };
            let _ = writeln!(out, "| `.{}` | {} | {} |", a.name, what, a.doc);
        }
        out.push('\n');
    }
    out
}

fn props_table(out: &mut String, props: &[Prop]) {
    let _ = writeln!(out, "| property | type | default | |\n|---|---|---|---|");
    for p in props {
        let default = if p.required {
            "**required**".to_string()
        } else {
            p.default
                .render()
                .map_or_else(|| "—".to_string(), |d| format!("`{d}`"))
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            p.name,
            p.ty.describe().replace('|', "\\|"),
            default,
            p.doc.replace('|', "\\|")
        );
    }
}

/// A table for each object a property holds (`dead_letter: { … }`, a
/// pipeline's `s3_source { … }`), after the kind's own, named by its path.
fn nested(out: &mut String, path: &str, props: &[Prop]) {
    for p in props {
        let mut ty = &p.ty;
        while let Ty::List(inner) | Ty::Map(inner) = ty {
            ty = inner;
        }
        let at = format!("{path}.{}", p.name);
        let objects: Vec<(String, String, &[Prop])> = match ty {
            Ty::Object(inner) => vec![(format!("`{at}`: `{{ … }}`"), at.clone(), inner)],
            Ty::Tagged(tags) => tags
                .iter()
                .map(|(tag, inner)| {
                    (
                        format!("`{at}`: `{tag} {{ … }}`"),
                        format!("{at}.{tag}"),
                        *inner,
                    )
                })
                .collect(),
            _ => continue,
        };
        for (title, inner_path, inner) in objects {
            let _ = writeln!(out, "\n{title}\n");
            props_table(out, inner);
            nested(out, &inner_path, inner);
        }
    }
}
