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
        // A changed lock file reinstalls, and so does a changed interpreter.
        let lock_hash = crate::assets::hex_sha256(self.lock.as_bytes());
        if installed(&stamp, &lock_hash, &bin) {
            return Ok(bin);
        }
        // Two tap processes (or tests) installing into one venv would corrupt it.
        let _lock = lock(&venv.with_extension("lock"))?;
        if installed(&stamp, &lock_hash, &bin) {
            return Ok(bin);
        }
        let python = find_python(self.min_python)?;
        eprintln!(
            "installing {} into {} (first use only)",
            self.label,
            venv.display()
        );
        // A fresh venv: packages a changed lock no longer names must go, and a
        // venv whose interpreter is gone is no venv.
        run(Command::new(&python)
            .args(["-m", "venv", "--clear"])
            .arg(venv))
        .with_context(|| format!("creating a virtualenv with {}", python.display()))?;
        let requirements = venv.join("tap-requirements.txt");
        std::fs::write(&requirements, self.lock)?;
        let _still = Heartbeat::every(
            std::time::Duration::from_secs(10),
            format!("installing {}", self.label),
        );
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
        let interpreter = interpreter(&bin).with_context(|| {
            format!(
                "the virtualenv {} made with {} does not run",
                venv.display(),
                python.display()
            )
        })?;
        std::fs::write(&stamp, stamp_text(&lock_hash, &interpreter))?;
        Ok(bin)
    }
}

/// What a venv's stamp says: the lock it was installed from, and the
/// interpreter it runs on (path and version).
fn stamp_text(lock_hash: &str, interpreter: &str) -> String {
    format!("{lock_hash}\n{interpreter}\n")
}

/// Whether the venv at `bin/..` was installed from this lock and still runs
/// on the interpreter it was made with: a cached venv whose Python was
/// removed or upgraded (a new image, a patch release) is rebuilt.
fn installed(stamp: &Path, lock_hash: &str, bin: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(stamp) else {
        return false;
    };
    if text.lines().next() != Some(lock_hash) {
        return false;
    }
    interpreter(bin).is_some_and(|now| text == stamp_text(lock_hash, &now))
}

/// The base interpreter of the venv whose `bin` is given, as it runs now:
/// "python VERSION at PATH"; `None` when the venv's python does not run.
pub fn interpreter(bin: &Path) -> Option<String> {
    let text = python_says(
        &bin.join("python"),
        "import platform, sys; print(platform.python_version(), getattr(sys, '_base_executable', sys.executable))",
    )?;
    let (version, path) = text.trim().split_once(' ')?;
    Some(format!("python {version} at {path}"))
}

/// What `python -c code` prints; `None` when it does not run or fails.
fn python_says(python: &Path, code: &str) -> Option<String> {
    let out = Command::new(python)
        .args(["-c", code])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8(out.stdout).ok()
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

/// A line every `period` while a quiet step runs (pip's install of
/// LocalStack takes most of a minute): `installing LocalStack: 20s so far`.
/// Stops when dropped.
pub struct Heartbeat {
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Heartbeat {
    pub fn every(period: std::time::Duration, what: String) -> Heartbeat {
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let started = std::time::Instant::now();
        let thread = std::thread::spawn(move || {
            // Anything but a timeout (the sender dropped) ends it.
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(period)
            {
                eprintln!("{what}: {:.0}s so far", started.elapsed().as_secs_f64());
            }
        });
        Heartbeat {
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.stop.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
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
    let s = python_says(
        python,
        "import sys; print(sys.version_info[0], sys.version_info[1])",
    )?;
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

    /// A venv is trusted only while its interpreter runs and is the one it
    /// was made with.
    #[test]
    fn a_venv_whose_interpreter_changed_or_is_gone_is_not_installed() {
        let dir = std::env::temp_dir().join(format!("tap-venv-stamp-{}", std::process::id()));
        let bin = dir.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let stamp = dir.join("tap-installed");
        // No python in the venv: it does not run.
        std::fs::write(&stamp, stamp_text("abc", "python 3.12.1 at /x")).unwrap();
        assert!(!installed(&stamp, "abc", &bin));
        // A python that runs: a stand-in script answering as a venv's would.
        let python = bin.join("python");
        std::fs::write(
            &python,
            "#!/bin/sh\necho 3.12.3 /opt/python/bin/python3.12\n",
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&python, std::fs::Permissions::from_mode(0o755)).unwrap();
        // A fork elsewhere in the test process may briefly hold the script
        // open for writing ("text file busy").
        let now = (0..50)
            .find_map(|_| {
                interpreter(&bin).or_else(|| {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                    None
                })
            })
            .unwrap();
        assert_eq!(now, "python 3.12.3 at /opt/python/bin/python3.12");
        std::fs::write(&stamp, stamp_text("abc", &now)).unwrap();
        assert!(installed(&stamp, "abc", &bin));
        // Another lock, another patch release, the old one-line stamp: reinstall.
        assert!(!installed(&stamp, "abd", &bin));
        std::fs::write(
            &stamp,
            stamp_text("abc", "python 3.12.1 at /opt/python/bin/python3.12"),
        )
        .unwrap();
        assert!(!installed(&stamp, "abc", &bin));
        std::fs::write(&stamp, "abc").unwrap();
        assert!(!installed(&stamp, "abc", &bin));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_recipe_knows_its_zig() {
        let v = zig_version();
        assert!(v.split('.').all(|p| p.parse::<u32>().is_ok()), "{v}");
    }
}
