//! The Python tools tap installs on first use, each into its own virtualenv
//! under `.tap/` (never into the user's Python): LocalStack for `--local`, and
//! cargo-lambda (with zig) to build Lambda packages.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A tool installed into a virtualenv from pinned PyPI requirements.
pub struct PythonTool {
    /// What the user is told is being installed.
    pub label: &'static str,
    /// Lowest Python (major, minor) the tool runs on.
    pub min_python: (u32, u32),
    pub requirements: &'static [&'static str],
    /// Written into the venv once the install succeeded; a changed pin reinstalls.
    pub stamp: &'static str,
}

pub const LOCALSTACK: PythonTool = PythonTool {
    label: "LocalStack 4.14.0",
    // LocalStack 4.14 uses Python 3.12 syntax.
    min_python: (3, 12),
    // Newer cbor2 and pyOpenSSL break this release; service_identity is missing from its deps.
    requirements: &[
        "localstack-core[runtime]==4.14.0",
        "cbor2<6",
        "pyopenssl==25.1.0",
        "cryptography>=45.0.1,<46",
        "service_identity",
    ],
    stamp: "localstack-core==4.14.0 cbor2<6 pyopenssl==25.1.0",
};

pub const CARGO_LAMBDA: PythonTool = PythonTool {
    label: "cargo-lambda 1.9.2",
    min_python: (3, 8),
    requirements: &["cargo-lambda==1.9.2"],
    stamp: "cargo-lambda==1.9.2",
};

impl PythonTool {
    /// The venv's `bin` directory, installing the tool first if needed.
    pub fn ensure(&self, venv: &Path) -> Result<PathBuf> {
        let bin = venv.join("bin");
        let stamp = venv.join("tap-installed");
        if std::fs::read_to_string(&stamp).is_ok_and(|s| s.trim() == self.stamp) {
            return Ok(bin);
        }
        // Two tap processes (or tests) installing into one venv would corrupt it.
        let _lock = lock(&venv.with_extension("lock"))?;
        if std::fs::read_to_string(&stamp).is_ok_and(|s| s.trim() == self.stamp) {
            return Ok(bin);
        }
        let python = find_python(self.min_python)?;
        eprintln!(
            "installing {} into {} (first use only)",
            self.label,
            venv.display()
        );
        run(Command::new(&python).arg("-m").arg("venv").arg(venv))
            .with_context(|| format!("creating a virtualenv with {}", python.display()))?;
        run(Command::new(bin.join("pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .args(self.requirements))
        .with_context(|| format!("installing {} from PyPI", self.label))?;
        std::fs::write(&stamp, self.stamp)?;
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
