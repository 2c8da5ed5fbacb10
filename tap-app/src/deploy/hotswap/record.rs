//! What a hotswap leaves behind, kept in `.tap/hotswap/`: the template
//! CloudFormation had, and the one the functions were hotswapped to. The
//! next hotswap plans from it (so undoing an edit hotswaps back), and the
//! next deploy through CloudFormation puts back what its change set does not
//! touch. Keyed by the stack's ID: one file per deployed stack, in any
//! account, region or emulator.

use anyhow::{anyhow, Result};
use serde_json::{json, Value};
use std::path::PathBuf;

pub struct Record {
    /// CloudFormation's template when the hotswap was made.
    pub deployed: Value,
    /// The template the functions were hotswapped to.
    pub applied: Value,
}

fn path(stack_id: &str) -> PathBuf {
    let file: String = stack_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    crate::tap_dir()
        .join("hotswap")
        .join(format!("{file}.json"))
}

/// The record of the stack's last hotswap, if there is one.
pub fn load(stack_id: &str) -> Option<Record> {
    let text = std::fs::read_to_string(path(stack_id)).ok()?;
    let v: Value = serde_json::from_str(&text).ok()?;
    Some(Record {
        deployed: v["deployed"].clone(),
        applied: v["applied"].clone(),
    })
}

/// [`load`], if CloudFormation's template is still the one the hotswap was
/// made over; a record that is not (the stack was deployed since) is removed.
pub fn current(stack_id: &str, deployed: &Value) -> Option<Record> {
    let r = load(stack_id)?;
    if r.deployed != *deployed {
        clear(stack_id);
        return None;
    }
    Some(r)
}

pub fn save(stack_id: &str, r: &Record) -> Result<()> {
    let p = path(stack_id);
    if let Some(dir) = p.parent() {
        std::fs::create_dir_all(dir).map_err(|e| anyhow!("creating {}: {e}", dir.display()))?;
    }
    let text = json!({ "deployed": r.deployed, "applied": r.applied }).to_string();
    crate::fsutil::write_atomic(&p, text.as_bytes())
        .map_err(|e| anyhow!("writing {}: {e}", p.display()))
}

pub fn clear(stack_id: &str) {
    let _ = std::fs::remove_file(path(stack_id));
}
