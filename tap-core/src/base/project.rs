//! Where a project's root is, found the way cargo finds a workspace: the
//! nearest `Cargo.toml` above a directory, then the nearest one above that
//! declares `[workspace]` (when there is one).
//!
//! The macro uses it at compile time to record where a stack's sources are
//! relative to the root, and the CLI at run time to find the root again from
//! the current directory: no absolute build path is baked into a binary.

use std::path::{Path, PathBuf};

/// The root of the project `dir` is in, or `None` when no `Cargo.toml` is above it.
pub fn root_of(dir: &Path) -> Option<PathBuf> {
    let package = dir.ancestors().find(|d| d.join("Cargo.toml").is_file())?;
    let workspace = package
        .ancestors()
        .find(|d| declares_workspace(&d.join("Cargo.toml")));
    Some(workspace.unwrap_or(package).to_path_buf())
}

/// `dir` relative to the root of its project, with `/` separators (as it is
/// embedded in a binary); `None` when it is not inside one.
pub fn relative_to_root(dir: &Path) -> Option<String> {
    let root = root_of(dir)?;
    let rel = dir.strip_prefix(&root).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

fn declares_workspace(manifest: &Path) -> bool {
    std::fs::read_to_string(manifest)
        .map(|text| text.lines().any(|l| l.trim() == "[workspace]"))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_belongs_to_the_workspace_above_it() {
        let dir = std::env::temp_dir().join(format!("tap-project-{}", std::process::id()));
        let member = dir.join("ws/crates/member/src");
        std::fs::create_dir_all(&member).expect("dirs");
        std::fs::write(dir.join("ws/Cargo.toml"), "[workspace]\nmembers = []\n").expect("ws");
        std::fs::write(dir.join("ws/crates/member/Cargo.toml"), "[package]\n").expect("pkg");
        assert_eq!(root_of(&member), Some(dir.join("ws")));
        assert_eq!(
            relative_to_root(&dir.join("ws/crates/member")).as_deref(),
            Some("crates/member")
        );
        // A package of its own (no workspace above): its own directory.
        std::fs::write(dir.join("ws/Cargo.toml"), "[package]\n").expect("pkg");
        assert_eq!(root_of(&member), Some(dir.join("ws/crates/member")));
        std::fs::remove_dir_all(&dir).ok();
    }
}
