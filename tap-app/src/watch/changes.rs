//! File changes under the watched directories, from the OS's own events
//! (`notify`: inotify on Linux), filtered to what can change a build and
//! grouped: a round starts once the files have been quiet for a moment, so
//! an editor's save of several files, or a formatter's pass, is one round.

use anyhow::{anyhow, Result};
use notify::{EventKind, RecursiveMode, Watcher as _};
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;
use tokio::sync::mpsc;

/// Directories no source lives in: build output, tap's own work, VCS data.
const IGNORED_DIRS: &[&str] = &["target", ".tap", ".git", "tap.out", "node_modules", ".venv"];

/// Watches `roots` (recursively) until dropped.
pub struct Changes {
    /// Each changed path, and whether the change created it.
    events: mpsc::UnboundedReceiver<(PathBuf, bool)>,
    // Kept alive: dropping it stops the events.
    _watcher: notify::RecommendedWatcher,
}

impl Changes {
    pub fn watch(roots: &[PathBuf]) -> Result<Changes> {
        let (tx, events) = mpsc::unbounded_channel();
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                let Ok(event) = event else { return };
                // Reads and opens are not changes.
                if matches!(
                    event.kind,
                    EventKind::Access(_) | EventKind::Other | EventKind::Any
                ) {
                    return;
                }
                for path in event.paths {
                    if relevant(&path) {
                        let _ = tx.send((path, matches!(event.kind, EventKind::Create(_))));
                    }
                }
            })
            .map_err(|e| anyhow!("watching files: {e}"))?;
        for root in roots {
            watcher
                .watch(root, RecursiveMode::Recursive)
                .map_err(|e| anyhow!("watching {}: {e}", root.display()))?;
        }
        Ok(Changes {
            events,
            _watcher: watcher,
        })
    }

    /// The files changed, once a change has come and then `quiet` has
    /// passed without another. `None` if the watcher is gone.
    pub async fn next(&mut self, quiet: Duration) -> Option<BTreeSet<PathBuf>> {
        loop {
            let first = self.events.recv().await?;
            let (mut changed, mut created) = (BTreeSet::new(), BTreeSet::new());
            let mut note = |(path, create): (PathBuf, bool)| {
                if create {
                    created.insert(path.clone());
                }
                changed.insert(path);
            };
            note(first);
            while let Ok(Some(e)) = tokio::time::timeout(quiet, self.events.recv()).await {
                note(e);
            }
            // A file made and deleted within the burst is a tool's scratch
            // file (`sed -i`, an editor's atomic save), not a change.
            changed.retain(|p| p.exists() || !created.contains(p));
            if !changed.is_empty() {
                return Some(changed);
            }
        }
    }
}

/// Whether a change to `path` can matter to a build: not build output, not
/// an editor's swap or backup file.
pub fn relevant(path: &Path) -> bool {
    let in_ignored = path.components().any(|c| match c {
        Component::Normal(name) => name.to_str().is_some_and(|n| IGNORED_DIRS.contains(&n)),
        _ => false,
    });
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let scratch = name.ends_with('~')
        || name.starts_with(".#")
        || name == "4913" // vim's probe that a directory is writable
        || [".swp", ".swx", ".swo", ".tmp"].iter().any(|s| name.ends_with(s));
    !in_ignored && !scratch && !name.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_count_build_output_and_editor_files_do_not() {
        for p in [
            "app/src/main.rs",
            "lambda/Cargo.toml",
            "Cargo.lock",
            "app/src/stacks/api.rs",
        ] {
            assert!(relevant(Path::new(p)), "{p}");
        }
        for p in [
            "target/debug/tap",
            "app/target/release/build/x",
            ".tap/assets/abc.zip",
            ".git/index",
            "app/src/.main.rs.swp",
            "app/src/main.rs~",
            "app/src/.#main.rs",
            "app/src/4913",
        ] {
            assert!(!relevant(Path::new(p)), "{p}");
        }
    }

    /// Long enough that a loaded machine does not split one burst in two.
    const QUIET: Duration = Duration::from_millis(1000);

    /// Several files saved together make one round; build output does not
    /// start one.
    #[tokio::test]
    async fn a_burst_of_saves_is_one_change_and_build_output_none() {
        let dir = std::env::temp_dir().join(format!("tap-watch-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::create_dir_all(dir.join("target")).unwrap();
        let mut changes = Changes::watch(std::slice::from_ref(&dir)).unwrap();
        std::fs::write(dir.join("target/out"), "build output").unwrap();
        std::fs::write(dir.join("src/a.rs"), "a").unwrap();
        std::fs::write(dir.join("src/b.rs"), "b").unwrap();
        let got = changes.next(QUIET).await.unwrap();
        assert_eq!(
            got,
            BTreeSet::from([dir.join("src/a.rs"), dir.join("src/b.rs")])
        );
        // Nothing more is pending: the next change is the next edit. A file
        // made and removed within it (a tool's scratch file) is no change.
        std::fs::write(dir.join("src/scratch"), "x").unwrap();
        std::fs::remove_file(dir.join("src/scratch")).unwrap();
        std::fs::write(dir.join("src/a.rs"), "a2").unwrap();
        let got = changes.next(QUIET).await.unwrap();
        assert_eq!(got, BTreeSet::from([dir.join("src/a.rs")]));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
