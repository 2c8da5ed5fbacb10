//! The Python tools tap installs on first use, each into its own virtualenv
//! under `.tap/` (never into the user's Python): LocalStack for `--local`, and
//! cargo-lambda (with zig) to build Lambda packages.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A tool installed into a virtualenv from a committed lock file: every
/// package at an exact version, checked against its SHA-256 (`pip install
/// --require-hashes`), so two machines install the same bytes.
pub struct PythonTool {
    /// What the user is told is being installed.
    pub label: &'static str,
    /// Lowest Python (major, minor) the tool runs on.
    pub min_python: (u32, u32),
    /// The lock file (`tap-app/locks/<tool>.txt`, made by `scripts/lock-python-tools.sh`).
    pub lock: &'static str,
}

pub const LOCALSTACK: PythonTool = PythonTool {
    label: "LocalStack 4.14.0",
    // LocalStack 4.14 uses Python 3.12 syntax. Its lock pins cbor2 < 6 and
    // pyOpenSSL 25.1.0 (newer ones break this release) and adds
    // service_identity, missing from its dependencies.
    min_python: (3, 12),
    lock: include_str!("../locks/localstack.txt"),
};

pub const CARGO_LAMBDA: PythonTool = PythonTool {
    label: "cargo-lambda 1.9.2",
    min_python: (3, 8),
    lock: include_str!("../locks/cargo-lambda.txt"),
};

/// The zig that links Lambda packages, as the cargo-lambda lock pins it: part
/// of the package recipe, since another zig may give other bytes.
pub fn zig_version() -> &'static str {
    CARGO_LAMBDA
        .lock
        .lines()
        .find_map(|l| l.strip_prefix("ziglang=="))
        .map_or("unknown", |v| v.trim_end_matches([' ', '\\']))
}

impl PythonTool {
    /// The venv's `bin` directory, installing the tool first if needed.
    pub fn ensure(&self, venv: &Path) -> Result<PathBuf> {
        let bin = venv.join("bin");
        let stamp = venv.join("tap-installed");
        // A changed lock file reinstalls.
        let installed = crate::assets::hex_sha256(self.lock.as_bytes());
        if std::fs::read_to_string(&stamp).is_ok_and(|s| s.trim() == installed) {
            return Ok(bin);
        }
        // Two tap processes (or tests) installing into one venv would corrupt it.
        let _lock = lock(&venv.with_extension("lock"))?;
        if std::fs::read_to_string(&stamp).is_ok_and(|s| s.trim() == installed) {
            return Ok(bin);
        }
        let python = find_python(self.min_python)?;
        eprintln!(
            "installing {} into {} (first use only)",
            self.label,
            venv.display()
        );
        // A fresh venv: packages a changed lock no longer names must go.
        run(Command::new(&python)
            .args(["-m", "venv", "--clear"])
            .arg(venv))
        .with_context(|| format!("creating a virtualenv with {}", python.display()))?;
        let requirements = venv.join("tap-requirements.txt");
        std::fs::write(&requirements, self.lock)?;
        run(Command::new(bin.join("pip"))
            .args([
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--require-hashes",
                "--no-deps",
                "-r",
            ])
            .arg(&requirements))
        .with_context(|| format!("installing {} from PyPI", self.label))?;
        std::fs::write(&stamp, installed)?;
        Ok(bin)
    }
}

/// An exclusive lock on `path`, released when the file is dropped.
pub fn lock(path: &Path) -> Result<std::fs::File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let f = std::fs::File::create(path)?;
    f.lock()
        .with_context(|| format!("locking {}", path.display()))?;
    Ok(f)
}

fn run(cmd: &mut Command) -> Result<()> {
    let out = cmd.stdin(Stdio::null()).output()?;
    if !out.status.success() {
        bail!(
            "`{:?}` failed ({}):\n{}",
            cmd,
            out.status,
            String::from_utf8_lossy(&out.stderr).trim_end()
        );
    }
    Ok(())
}

/// A Python interpreter at least `min` new: `TAP_PYTHON`, then `python3.N` on the
/// PATH, then pyenv's installed versions (their shims refuse versions that are
/// not selected, so the versions directory is searched directly).
pub fn find_python(min: (u32, u32)) -> Result<PathBuf> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(p) = std::env::var_os("TAP_PYTHON") {
        candidates.push(p.into());
    }
    for minor in (min.1..=14).rev() {
        candidates.push(format!("python{}.{minor}", min.0).into());
    }
    candidates.push("python3".into());
    let pyenv_root = std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".pyenv")));
    if let Some(root) = pyenv_root {
        if let Ok(dirs) = std::fs::read_dir(root.join("versions")) {
            let mut found: Vec<PathBuf> = dirs
                .flatten()
                .map(|d| d.path().join("bin/python3"))
                .filter(|p| p.is_file())
                .collect();
            found.sort();
            found.reverse();
            candidates.extend(found);
        }
    }
    for c in &candidates {
        if let Some(v) = version_of(c) {
            if v >= min {
                return Ok(c.clone());
            }
        }
    }
    bail!(
        "no Python {}.{} or newer found (tried {}); install one or point TAP_PYTHON at it",
        min.0,
        min.1,
        candidates
            .iter()
            .map(|c| c.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn version_of(python: &Path) -> Option<(u32, u32)> {
    let out = Command::new(python)
        .args([
            "-c",
            "import sys; print(sys.version_info[0], sys.version_info[1])",
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8_lossy(&out.stdout);
    let mut it = s.split_whitespace().map(|n| n.parse().ok());
    Some((it.next()??, it.next()??))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every package of every lock is at one exact version with its hashes, so
    /// `pip --require-hashes` accepts it and installs nothing unpinned.
    #[test]
    fn every_lock_pins_exact_versions_with_hashes() {
        for tool in [&LOCALSTACK, &CARGO_LAMBDA] {
            let mut packages = 0;
            let mut current: Option<&str> = None;
            let mut hashes = 0;
            for line in tool.lock.lines().filter(|l| !l.starts_with('#')) {
                if let Some(h) = line.trim().strip_prefix("--hash=sha256:") {
                    assert_eq!(h.trim_end_matches([' ', '\\']).len(), 64, "{line}");
                    hashes += 1;
                } else if !line.trim().is_empty() {
                    if let Some(p) = current {
                        assert!(hashes > 0, "{}: {p} has no hash", tool.label);
                    }
                    assert!(line.contains("=="), "{}: not pinned: {line}", tool.label);
                    current = Some(line);
                    hashes = 0;
                    packages += 1;
                }
            }
            assert!(hashes > 0 && packages > 0, "{}", tool.label);
        }
    }

    #[test]
    fn the_recipe_knows_its_zig() {
        let v = zig_version();
        assert!(v.split('.').all(|p| p.parse::<u32>().is_ok()), "{v}");
    }
}
