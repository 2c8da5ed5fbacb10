//! Builds a Rust Lambda crate into a deployable zip: an executable named
//! `bootstrap` for `provided.al2023` (x86_64, glibc 2.34 at most), built with
//! cargo-lambda and zipped byte for byte the same from the same sources.

use crate::tools;
use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Amazon Linux 2023's glibc: zig links against exactly this version.
const TARGET: &str = "x86_64-unknown-linux-gnu.2.34";
/// Part of every asset's source hash: a new recipe means a new package.
pub const RECIPE: &str = "cargo-lambda 1.9.2 --release --target x86_64-unknown-linux-gnu.2.34 zip:deflate9:1980-01-01T00:00:02:0755 v1";

/// A packaged asset, ready to upload.
#[derive(Debug, Clone, PartialEq)]
pub struct Package {
    pub zip: PathBuf,
    /// SHA-256 of the zip, hex: the S3 key is named after it.
    pub sha256: String,
    pub size: u64,
    /// Whether this call built it (false: the cache had it).
    pub built: bool,
}

/// Builds packages into `.tap/`, and keeps each by its source hash so that an
/// unchanged function is never rebuilt.
#[derive(Debug, Clone)]
pub struct Packager {
    /// Finished packages, by source hash.
    cache: PathBuf,
    /// cargo's target directory for Lambda builds.
    build: PathBuf,
    /// Where cargo-lambda is installed.
    tools: PathBuf,
    /// The toolkit qualifier: which asset bucket packages go to.
    qualifier: Option<String>,
}

impl Packager {
    /// Everything under `<dir>` (tap uses `<project>/.tap`).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        Packager {
            cache: dir.join("assets"),
            build: dir.join("build"),
            tools: dir.join("tools"),
            qualifier: None,
        }
    }

    /// Packages for the toolkit with this qualifier (`--qualifier`).
    pub fn with_qualifier(mut self, qualifier: Option<String>) -> Self {
        self.qualifier = qualifier;
        self
    }

    pub fn qualifier(&self) -> Option<&str> {
        self.qualifier.as_deref()
    }

    /// Packages kept and built under `dir`, with the tools of `tools_from`
    /// (a clean build elsewhere, to check that it gives the same bytes).
    pub fn isolated(dir: impl Into<PathBuf>, tools_from: &Path) -> Self {
        let dir = dir.into();
        Packager {
            cache: dir.join("assets"),
            build: dir.join("build"),
            tools: tools_from.join("tools"),
            qualifier: None,
        }
    }

    pub fn package(&self, crate_dir: &Path, source_hash: &str) -> Result<Package> {
        let cache = &self.cache;
        let zip = cache.join(format!("{source_hash}.zip"));
        // One build at a time; whoever waited finds the package built.
        let _lock = tools::lock(&cache.join(".lock"))?;
        if zip.is_file() {
            let bytes = std::fs::read(&zip)?;
            return Ok(Package {
                sha256: hex_sha256(&bytes),
                size: bytes.len() as u64,
                zip,
                built: false,
            });
        }
        let binary = self.build(crate_dir)?;
        let bytes = zip_bootstrap(&std::fs::read(&binary)?)?;
        std::fs::create_dir_all(cache)?;
        // Written whole, then renamed: a cached package is never half a package.
        crate::fsutil::write_atomic(&zip, &bytes)?;
        Ok(Package {
            sha256: hex_sha256(&bytes),
            size: bytes.len() as u64,
            zip,
            built: true,
        })
    }

    fn build(&self, crate_dir: &Path) -> Result<PathBuf> {
        let bin = tools::CARGO_LAMBDA.ensure(&self.tools.join("cargo-lambda"))?;
        let target_dir = &self.build;
        let manifest = crate_dir.join("Cargo.toml");
        let name = binary_name(&manifest)?;
        let cargo_home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
            .unwrap_or_default();
        let workspace = crate_dir.parent().unwrap_or(crate_dir);
        // cargo-lambda passes its flags (target-cpu=haswell) as build.rustflags,
        // which RUSTFLAGS replaces: keep it, and strip the machine's paths so two
        // checkouts build the same bytes.
        let rustflags = format!(
            "-C target-cpu=haswell --remap-path-prefix={}=/cargo-registry --remap-path-prefix={}=/tap",
            cargo_home.join("registry/src").display(),
            workspace.display()
        );
        let mut path = std::ffi::OsString::from(bin.as_os_str());
        if let Some(p) = std::env::var_os("PATH") {
            path.push(":");
            path.push(p);
        }
        eprintln!(
            "assets: building {} for provided.al2023 ({TARGET}) with cargo-lambda",
            crate_dir.display()
        );
        let started = std::time::Instant::now();
        let out = Command::new(bin.join("cargo-lambda"))
            .args([
                "lambda",
                "build",
                "--release",
                "--locked",
                "--target",
                TARGET,
                "--bin",
                &name,
            ])
            .arg("--manifest-path")
            .arg(&manifest)
            .arg("--lambda-dir")
            .arg(target_dir.join("lambda"))
            .env("CARGO_TARGET_DIR", target_dir)
            .env("RUSTFLAGS", rustflags)
            // zig comes from the venv's ziglang package.
            .env("PATH", path)
            .stdin(Stdio::null())
            .output()
            .context("running cargo-lambda")?;
        if !out.status.success() {
            bail!(
                "building {} failed:\n{}",
                crate_dir.display(),
                String::from_utf8_lossy(&out.stderr).trim_end()
            );
        }
        eprintln!("assets: built in {:.0}s", started.elapsed().as_secs_f64());
        // cargo-lambda names the executable `bootstrap`, in a directory named after the binary.
        let binary = target_dir.join("lambda").join(&name).join("bootstrap");
        if !binary.is_file() {
            bail!(
                "cargo-lambda built no `bootstrap` for `{name}` at {}",
                binary.display()
            );
        }
        Ok(binary)
    }
}

/// The binary a function crate is built into: its one `[[bin]]`, or the
/// package's own (named after it). Any name will do: the zip calls it `bootstrap`.
fn binary_name(manifest: &Path) -> Result<String> {
    let text = std::fs::read_to_string(manifest)
        .with_context(|| format!("reading {}", manifest.display()))?;
    let doc: toml::Table = text
        .parse()
        .with_context(|| format!("parsing {}", manifest.display()))?;
    let bins: Vec<&str> = doc
        .get("bin")
        .and_then(|b| b.as_array())
        .map(|bins| {
            bins.iter()
                .filter_map(|b| b.get("name").and_then(|n| n.as_str()))
                .collect()
        })
        .unwrap_or_default();
    match bins.as_slice() {
        [one] => Ok(one.to_string()),
        [] => doc
            .get("package")
            .and_then(|p| p.get("name"))
            .and_then(|n| n.as_str())
            .map(str::to_string)
            .with_context(|| format!("{} names no package", manifest.display())),
        many => bail!(
            "{} has {} binaries ({}): a function crate has one, which Lambda runs",
            manifest.display(),
            many.len(),
            many.join(", ")
        ),
    }
}

/// A zip holding `bootstrap` (mode 0755) with a fixed time and compression, so
/// the same binary always gives the same zip.
pub fn zip_bootstrap(binary: &[u8]) -> Result<Vec<u8>> {
    use zip::write::SimpleFileOptions;
    let time = zip::DateTime::from_date_and_time(1980, 1, 1, 0, 0, 2)
        .map_err(|e| anyhow::anyhow!("zip timestamp: {e}"))?;
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9))
        .last_modified_time(time)
        .unix_permissions(0o755);
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file("bootstrap", options)?;
    w.write_all(binary)?;
    Ok(w.finish()?.into_inner())
}

pub fn hex_sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_binary_zips_to_the_same_bytes() {
        let bin = b"\x7fELF pretend binary".repeat(1000);
        let a = zip_bootstrap(&bin).unwrap();
        let b = zip_bootstrap(&bin).unwrap();
        assert_eq!(hex_sha256(&a), hex_sha256(&b));
        let other = zip_bootstrap(b"another").unwrap();
        assert_ne!(hex_sha256(&a), hex_sha256(&other));
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(a)).unwrap();
        let entry = archive.by_index(0).unwrap();
        assert_eq!(entry.name(), "bootstrap");
        assert_eq!(entry.unix_mode().map(|m| m & 0o777), Some(0o755));
    }
}
