//! `tap watch`: on every change to the app's sources, build this program
//! again and run `tap deploy --hotswap` with it, one round at a time.
//!
//! Each round runs a fresh build of the program, so a change to a stack (or
//! to a function's contract) is checked by `stack!` before anything is
//! deployed, exactly as `cargo run -- deploy` would; the deploy is a child
//! process that owns the terminal, so its progress, its approval prompt and
//! its own handling of Ctrl-C (a hotswap finishes the function it is
//! updating; CloudFormation finishes what it started) are those of `deploy`.

mod changes;

pub use changes::{relevant, Changes};

use crate::deploy::ui::Ui;
use anyhow::{anyhow, Result};
use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::process::Command;

/// How this program is built again: `cargo build --bin NAME [--release]`.
#[derive(Debug, Clone)]
pub struct Build {
    pub cargo: OsString,
    pub bin: String,
    pub release: bool,
}

impl Build {
    /// The build of `exe`, when cargo made it for the host where a plain
    /// `cargo build` puts it (`target/{debug,release}/NAME`, or under
    /// `CARGO_TARGET_DIR`). Anything else (another target triple, a copy)
    /// would be built somewhere the next round does not run: none.
    pub fn of(exe: &Path) -> Option<Build> {
        let profile_dir = exe.parent()?;
        let profile = profile_dir.file_name()?.to_str()?;
        let target = profile_dir.parent()?;
        let is_target = target.file_name().is_some_and(|n| n == "target")
            || std::env::var_os("CARGO_TARGET_DIR").is_some_and(|d| Path::new(&d) == target);
        if !matches!(profile, "debug" | "release") || !is_target {
            return None;
        }
        Some(Build {
            cargo: std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()),
            bin: exe.file_stem()?.to_str()?.to_string(),
            release: profile == "release",
        })
    }
}

/// One `tap watch`.
#[derive(Debug, Clone)]
pub struct Watch {
    /// The directories whose files are watched.
    pub roots: Vec<PathBuf>,
    /// Where the build runs; changed paths are shown relative to it.
    pub project: PathBuf,
    /// How to build the program again, if it can be.
    pub build: Option<Build>,
    /// The program (its path when the watch started: a rebuild replaces the file).
    pub exe: PathBuf,
    /// The arguments of each round's deploy.
    pub deploy_args: Vec<OsString>,
    /// Stop after this many rounds (the first is the one at the start).
    pub rounds: Option<u32>,
    /// How long the files must be quiet before a round starts.
    pub quiet: Duration,
}

/// Watches until Ctrl-C (or `rounds` rounds). Ctrl-C during a round lets the
/// round's deploy finish what must not be left half done, then stops.
pub async fn run(w: &Watch, ui: &Ui) -> Result<()> {
    let mut changes = Changes::watch(&w.roots)?;
    let shown: Vec<String> = w.roots.iter().map(|r| relative(&w.project, r)).collect();
    ui.line(format!(
        "watch: watching {} (Ctrl-C stops)",
        shown.join(", ")
    ));
    if w.build.is_none() {
        ui.line("watch: this program is not built again before each round: a change to a stack needs watch restarted");
    }
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut trigger = "start".to_string();
    let mut round = 0;
    let stopping = Arc::new(AtomicBool::new(false));
    loop {
        round += 1;
        let work = tokio::spawn(one_round(
            w.clone(),
            ui.clone(),
            round,
            trigger.clone(),
            stopping.clone(),
        ));
        tokio::pin!(work);
        let done = tokio::select! {
            r = &mut work => r,
            _ = &mut ctrl_c => {
                stopping.store(true, Ordering::SeqCst);
                ui.line("watch: stopping once this round's deploy has finished what it must");
                let r = work.await;
                if let Ok(Ok(line)) = &r {
                    ui.line(line);
                }
                ui.line("watch: stopped");
                return Ok(());
            }
        };
        let line = done.map_err(|e| anyhow!("watch: round {round}: {e}"))??;
        ui.line(line);
        if w.rounds.is_some_and(|n| round >= n) {
            return Ok(());
        }
        tokio::select! {
            c = changes.next(w.quiet) => match c {
                Some(paths) => trigger = describe(&w.project, &paths),
                None => return Err(anyhow!("watch: the file watcher stopped")),
            },
            _ = &mut ctrl_c => {
                ui.line("watch: stopped");
                return Ok(());
            }
        }
    }
}

/// Builds, deploys, and says in one line what happened and how long it took.
async fn one_round(
    w: Watch,
    ui: Ui,
    round: u32,
    trigger: String,
    stopping: Arc<AtomicBool>,
) -> Result<String> {
    let started = Instant::now();
    ui.line(format!("watch: round {round} ({trigger})"));
    let mut built = String::new();
    if let Some(b) = &w.build {
        let mut cmd = Command::new(&b.cargo);
        cmd.args(["build", "--bin", &b.bin]);
        if b.release {
            cmd.arg("--release");
        }
        let status = cmd
            .current_dir(&w.project)
            .stdin(Stdio::null())
            .status()
            .await
            .map_err(|e| anyhow!("running cargo: {e}"))?;
        if !status.success() {
            return Ok(format!(
                "watch: round {round} ({trigger}): the build failed (its errors are above), nothing deployed; {:.1}s",
                started.elapsed().as_secs_f64()
            ));
        }
        built = format!(", build {:.1}s", started.elapsed().as_secs_f64());
    }
    // Ctrl-C during the build: deploy nothing.
    if stopping.load(Ordering::SeqCst) {
        return Ok(format!(
            "watch: round {round} ({trigger}): stopped before deploying"
        ));
    }
    let report =
        std::env::temp_dir().join(format!("tap-watch-{}-{round}.json", std::process::id()));
    let status = Command::new(&w.exe)
        .args(&w.deploy_args)
        .arg("--report-file")
        .arg(&report)
        .status()
        .await
        .map_err(|e| anyhow!("running {}: {e}", w.exe.display()))?;
    let did = std::fs::read_to_string(&report)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .map(|r| summary(&r))
        .unwrap_or_default();
    let _ = std::fs::remove_file(&report);
    let what = if status.success() {
        did
    } else {
        "the deploy failed (see above)".to_string()
    };
    Ok(format!(
        "watch: round {round} ({trigger}): {what}; {:.1}s{built}",
        started.elapsed().as_secs_f64()
    ))
}

/// `1 hotswapped, 1 deployed` from a deploy's report file.
fn summary(report: &serde_json::Value) -> String {
    let parts: Vec<String> = ["hotswapped", "deployed", "unchanged"]
        .iter()
        .filter_map(|k| {
            let n = report[*k].as_array().map_or(0, Vec::len);
            (n > 0).then(|| format!("{n} {k}"))
        })
        .collect();
    if parts.is_empty() {
        "nothing deployed".into()
    } else {
        parts.join(", ")
    }
}

/// The changed files, relative to the project: the first few by name.
fn describe(project: &Path, paths: &BTreeSet<PathBuf>) -> String {
    let mut names: Vec<String> = paths.iter().take(3).map(|p| relative(project, p)).collect();
    if paths.len() > 3 {
        names.push(format!("{} more", paths.len() - 3));
    }
    format!("{} changed", names.join(", "))
}

fn relative(project: &Path, p: &Path) -> String {
    let shown = p.strip_prefix(project).unwrap_or(p).display().to_string();
    if shown.is_empty() {
        ".".into()
    } else {
        shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_cargo_built_program_is_built_again_with_its_profile() {
        let b = Build::of(Path::new("/p/target/release/tap")).expect("cargo's");
        assert_eq!((b.bin.as_str(), b.release), ("tap", true));
        let b = Build::of(Path::new("/p/target/debug/my-app")).expect("cargo's");
        assert_eq!((b.bin.as_str(), b.release), ("my-app", false));
        assert!(Build::of(Path::new("/usr/local/bin/tap")).is_none());
        // Built for another triple: `cargo build --bin` would not replace it.
        assert!(Build::of(Path::new("/p/target/x86_64-unknown-linux-musl/debug/tap")).is_none());
    }

    #[test]
    fn a_round_is_summed_up_by_what_its_deploy_did() {
        let r =
            json!({ "hotswapped": ["TapStack"], "deployed": [], "unchanged": ["PipelineStack"] });
        assert_eq!(summary(&r), "1 hotswapped, 1 unchanged");
        assert_eq!(summary(&json!({})), "nothing deployed");
        let paths: BTreeSet<PathBuf> = ["a", "b", "c", "d", "e"]
            .iter()
            .map(|p| Path::new("/p/src").join(p))
            .collect();
        assert_eq!(
            describe(Path::new("/p"), &paths),
            "src/a, src/b, src/c, 2 more changed"
        );
    }
}
