//! `--local`: LocalStack community in host mode on 127.0.0.1, installed into
//! `.tap/local/venv` on first use, started in the background and reused by later
//! commands until `tap local stop`.
//!
//! Nothing else in tap knows about it: a deploy only sees an endpoint URL, as it
//! would with `AWS_ENDPOINT_URL`.
//!
//! Several tap processes may want it at once (two `deploy --local` in two
//! terminals): checking for a running one, starting one and recording it
//! happen under one file lock, so they share one emulator. A recorded pid is
//! only signalled once its command line shows it is this emulator.

use crate::tools;
use anyhow::{bail, Context, Result};
use serde_json::json;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// LocalStack's usual port, taken when it is free.
pub const DEFAULT_PORT: u16 = 4566;
const LAUNCHER: &str = include_str!("launch.py");
const START_TIMEOUT: Duration = Duration::from_secs(90);

/// A running emulator.
#[derive(Debug)]
pub struct Emulator {
    pub port: u16,
    pub pid: u32,
    /// Set when this process started it and owns it (tests): dropped, it is stopped.
    child: Option<Child>,
}

impl Emulator {
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Where tap keeps the emulator: venv, data, log and the state of the running one.
pub struct LocalDir(PathBuf, PathBuf);

impl LocalDir {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        let venv = dir.join("venv");
        LocalDir(dir, venv)
    }
    /// The same, with LocalStack installed elsewhere (tests share one install).
    pub fn with_venv(dir: impl Into<PathBuf>, venv: impl Into<PathBuf>) -> Self {
        LocalDir(dir.into(), venv.into())
    }
    fn state(&self) -> PathBuf {
        self.0.join("state.json")
    }
    /// Held while checking for, starting and recording the shared emulator.
    fn lock(&self) -> Result<std::fs::File> {
        std::fs::create_dir_all(&self.0)?;
        tools::lock(&self.0.join("emulator.lock"))
    }
    /// The emulator recorded in the state file: (port, pid), if its process is
    /// alive and is this emulator (a reused pid belongs to someone else).
    fn recorded(&self) -> Option<(u16, u32)> {
        let text = std::fs::read_to_string(self.state()).ok()?;
        let v: serde_json::Value = serde_json::from_str(&text).ok()?;
        let port = u16::try_from(v["port"].as_u64()?).ok()?;
        let pid = u32::try_from(v["pid"].as_u64()?).ok()?;
        self.is_ours(pid).then_some((port, pid))
    }
    /// Whether `pid` runs this directory's launcher.
    fn is_ours(&self, pid: u32) -> bool {
        let launcher = self.0.join("launch.py");
        // Linux: the exact arguments. Elsewhere (macOS): `ps`'s command line.
        if let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) {
            return cmdline.split(|b| *b == 0).any(|arg| {
                Path::new(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(arg))
                    == launcher
            });
        }
        if Path::new("/proc/self").exists() {
            return false; // a Linux without this pid
        }
        Command::new("ps")
            .args(["-o", "command=", "-p", &pid.to_string()])
            .stderr(Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .is_some_and(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .split_whitespace()
                    .any(|arg| Path::new(arg) == launcher)
            })
    }
    pub fn log(&self) -> PathBuf {
        self.0.join("localstack.log")
    }

    /// The emulator recorded as running, if it still answers.
    pub fn running(&self) -> Option<Emulator> {
        let (port, pid) = self.recorded()?;
        healthy(port).then_some(Emulator {
            port,
            pid,
            child: None,
        })
    }

    /// Reuses the running emulator or starts one that outlives this process.
    pub fn ensure_running(&self) -> Result<Emulator> {
        let _lock = self.lock()?;
        if let Some((port, pid)) = self.recorded() {
            // Alive and ours, maybe still starting or busy: wait for it rather
            // than start a second one.
            let deadline = Instant::now() + START_TIMEOUT;
            while !healthy(port) && self.is_ours(pid) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(500));
            }
            if healthy(port) {
                let e = Emulator {
                    port,
                    pid,
                    child: None,
                };
                eprintln!(
                    "local: reusing LocalStack at {} (pid {})",
                    e.endpoint(),
                    e.pid
                );
                return Ok(e);
            }
            if self.is_ours(pid) {
                bail!("LocalStack (pid {pid}) is running but has not answered on port {port} for {}s: stop it with `tap local stop` and try again; its log: {}", START_TIMEOUT.as_secs(), self.log().display());
            }
        }
        let port = if port_free(DEFAULT_PORT) {
            DEFAULT_PORT
        } else {
            free_port()?
        };
        let started = Instant::now();
        let mut e = self.start(port, None)?;
        // Detached: it must keep running after `tap` exits.
        e.child = None;
        crate::fsutil::write_atomic(
            &self.state(),
            serde_json::to_string(&json!({ "port": e.port, "pid": e.pid }))?.as_bytes(),
        )?;
        eprintln!(
            "local: LocalStack started at {} (pid {}) in {:.1}s; `tap local stop` stops it",
            e.endpoint(),
            e.pid,
            started.elapsed().as_secs_f64()
        );
        Ok(e)
    }

    /// Starts an emulator owned by this process (stopped when the value is
    /// dropped or this process exits), on a free port.
    pub fn start_owned(&self) -> Result<Emulator> {
        self.prune();
        self.start(free_port()?, Some(std::process::id()))
    }

    /// Removes the data and logs of owned emulators gone for an hour or more
    /// (one that ended with its test run cannot clean up after itself).
    fn prune(&self) {
        let Ok(entries) = std::fs::read_dir(&self.0) else {
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let owned = name.starts_with("volume-") || name.starts_with("localstack-");
            let old = e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > Duration::from_secs(3600));
            let running = self
                .running()
                .is_some_and(|r| name.contains(&r.port.to_string()));
            if owned && old && !running {
                let _ =
                    std::fs::remove_dir_all(e.path()).or_else(|_| std::fs::remove_file(e.path()));
            }
        }
    }

    fn start(&self, port: u16, parent: Option<u32>) -> Result<Emulator> {
        std::fs::create_dir_all(&self.0)?;
        let bin = tools::LOCALSTACK.ensure(&self.1)?;
        let launcher = self.0.join("launch.py");
        // Written aside and renamed: another emulator starting at the same
        // moment may be reading the file this one would otherwise truncate.
        crate::fsutil::write_atomic(&launcher, LAUNCHER.as_bytes())?;
        let volume = self.0.join(format!("volume-{port}"));
        // A fresh emulator starts empty.
        let _ = std::fs::remove_dir_all(&volume);
        std::fs::create_dir_all(&volume)?;
        let log_path = if parent.is_some() {
            self.0.join(format!("localstack-{port}.log"))
        } else {
            self.log()
        };
        let log = std::fs::File::create(&log_path)?;
        let mut cmd = Command::new(bin.join("python"));
        cmd.arg(&launcher)
            .env("GATEWAY_LISTEN", format!("127.0.0.1:{port}"))
            .env("DNS_ADDRESS", "0")
            .env("PERSISTENCE", "0")
            .env("LOCALSTACK_VOLUME_DIR", &volume)
            .env("LOCALSTACK_TELEMETRY_DISABLED", "1")
            .env("SKIP_SSL_CERT_DOWNLOAD", "1")
            .env("SKIP_INFRA_DOWNLOADS", "1")
            .env("DISABLE_EVENTS", "1")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        if let Some(pid) = parent {
            cmd.env("TAP_PARENT_PID", pid.to_string());
        }
        // Its own process group: Ctrl-C in the terminal stops tap, not the emulator.
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let mut child = cmd.spawn().context("starting LocalStack")?;
        let pid = child.id();
        let deadline = Instant::now() + START_TIMEOUT;
        let mut pause = Duration::from_millis(100);
        loop {
            if healthy(port) {
                return Ok(Emulator {
                    port,
                    pid,
                    child: Some(child),
                });
            }
            if let Some(status) = child.try_wait()? {
                bail!(
                    "LocalStack exited ({status}) before it was ready; its log ({}) ends:\n{}",
                    log_path.display(),
                    tail(&log_path, 20)
                );
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                bail!(
                    "LocalStack did not answer on port {port} within {}s; its log ({}) ends:\n{}",
                    START_TIMEOUT.as_secs(),
                    log_path.display(),
                    tail(&log_path, 20)
                );
            }
            std::thread::sleep(pause);
            pause = (pause * 3 / 2).min(Duration::from_secs(1));
        }
    }

    /// Stops the emulator `ensure_running` started, with every process it
    /// started (its process group): SIGTERM, then SIGKILL after 20 s.
    /// Returns whether one was running.
    pub fn stop(&self) -> Result<bool> {
        let _lock = self.lock()?;
        let Some((port, pid)) = self.recorded() else {
            let _ = std::fs::remove_file(self.state());
            return Ok(false);
        };
        // It was started as the leader of its own process group. Once it is
        // known to be ours, its pid is followed until it is gone (LocalStack
        // retitles its process while it shuts down).
        signal_group(pid, "TERM")?;
        let deadline = Instant::now() + Duration::from_secs(20);
        while alive(pid) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(200));
        }
        if alive(pid) {
            signal_group(pid, "KILL")?;
            let deadline = Instant::now() + Duration::from_secs(10);
            while alive(pid) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while healthy(port) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(200));
        }
        std::fs::remove_file(self.state())?;
        let _ = std::fs::remove_dir_all(self.0.join(format!("volume-{port}")));
        Ok(true)
    }
}

/// Whether a process runs (a zombie waiting for its parent does not).
fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit(") ")
            .next()
            .and_then(|rest| rest.chars().next())
            .is_some_and(|state| state != 'Z' && state != 'X'),
        // No /proc (macOS): ask the kernel whether the pid exists.
        Err(_) if !Path::new("/proc/self").exists() => Command::new("kill")
            .args(["-0", &pid.to_string()])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success()),
        Err(_) => false,
    }
}

/// Sends `SIGNAL` to every process of the group `pgid` leads.
fn signal_group(pgid: u32, signal: &str) -> Result<()> {
    let status = Command::new("kill")
        .args([format!("-{signal}"), "--".into(), format!("-{pgid}")])
        .stderr(Stdio::null())
        .status()
        .context("running kill")?;
    // A group already gone is what we wanted.
    if !status.success() && std::path::Path::new(&format!("/proc/{pgid}")).exists() {
        bail!("could not stop LocalStack (process group {pgid})");
    }
    Ok(())
}

/// Whether LocalStack's health endpoint answers on the port.
pub fn healthy(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_millis(500)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    let req = format!(
        "GET /_localstack/health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    );
    if s.write_all(req.as_bytes()).is_err() {
        return false;
    }
    let mut body = String::new();
    let _ = s.read_to_string(&mut body);
    body.starts_with("HTTP/1.1 200") && body.contains("cloudformation")
}

fn port_free(port: u16) -> bool {
    TcpListener::bind(("127.0.0.1", port)).is_ok()
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port())
}

fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
