//! The DSL reference for every kind, generated from the tables the checks use,
//! so `docs/DSL.md` cannot drift from what the compiler accepts.

use super::{kinds, AttrValue};
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
        let _ = writeln!(out, "| property | type | default | |\n|---|---|---|---|");
        for p in kind.props {
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
