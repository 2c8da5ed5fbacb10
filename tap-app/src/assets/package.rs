//! Builds a Rust Lambda crate into a deployable zip: an executable named
//! `bootstrap` for `provided.al2023` (x86_64, glibc 2.34 at most), built with
//! cargo-lambda and zipped byte for byte the same from the same sources.

use super::progress;
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

    /// Where the digests of the files packages are built from are kept
    /// between runs ([`super::FileDigests`]).
    pub fn digests_file(&self) -> PathBuf {
        self.cache.join("source-digests.tsv")
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
            if let Some(package) = recorded(&zip) {
                return Ok(package);
            }
            let bytes = std::fs::read(&zip)?;
            let package = Package {
                sha256: hex_sha256(&bytes),
                size: bytes.len() as u64,
                zip,
                built: false,
            };
            record(&package)?;
            return Ok(package);
        }
        let binary = self.build(crate_dir)?;
        let bytes = zip_bootstrap(&std::fs::read(&binary)?)?;
        std::fs::create_dir_all(cache)?;
        // Written whole, then renamed: a cached package is never half a package.
        crate::fsutil::write_atomic(&zip, &bytes)?;
        let package = Package {
            sha256: hex_sha256(&bytes),
            size: bytes.len() as u64,
            zip,
            built: true,
        };
        record(&package)?;
        Ok(package)
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
        let mut out = Command::new(bin.join("cargo-lambda"))
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
            // cargo's `Building [==>  ] 57/245` line even into a pipe: the
            // progress shown while a release build takes minutes.
            .env("CARGO_TERM_PROGRESS_WHEN", "always")
            .env("CARGO_TERM_PROGRESS_WIDTH", "100")
            // Plain text to read, whatever the user's CARGO_TERM_COLOR.
            .env("CARGO_TERM_COLOR", "never")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .context("running cargo-lambda")?;
        let log = match out.stderr.take() {
            Some(stderr) => progress::follow(stderr, "assets"),
            None => String::new(),
        };
        let status = out.wait().context("waiting for cargo-lambda")?;
        if !status.success() {
            bail!(
                "building {} failed:\n{}",
                crate_dir.display(),
                log.trim_end()
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

/// Where a cached zip's hash is kept: `<source hash>.zip.sha256`.
fn record_path(zip: &Path) -> PathBuf {
    let mut name = zip.as_os_str().to_owned();
    name.push(".sha256");
    PathBuf::from(name)
}

/// Keeps the zip's hash and size beside it, so that a later run needs
/// neither to read nor to hash the 5 MB again (that was a third of a
/// `tap synth`).
fn record(package: &Package) -> Result<()> {
    let line = format!("{} {}\n", package.sha256, package.size);
    crate::fsutil::write_atomic(&record_path(&package.zip), line.as_bytes())
        .with_context(|| format!("recording the hash of {}", package.zip.display()))
}

/// The package as recorded beside its zip, if the record is there, well
/// formed, and the zip still has the recorded size; else `None`, and the zip
/// is hashed again.
fn recorded(zip: &Path) -> Option<Package> {
    let text = std::fs::read_to_string(record_path(zip)).ok()?;
    let (sha256, size) = text.trim().split_once(' ')?;
    let size: u64 = size.parse().ok()?;
    let well_formed = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit());
    (well_formed && std::fs::metadata(zip).ok()?.len() == size).then(|| Package {
        zip: zip.to_path_buf(),
        sha256: sha256.to_string(),
        size,
        built: false,
    })
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

    /// A cached package's hash is read from its record; a record that does
    /// not fit the zip (another size, or garbled) is ignored and rewritten.
    #[test]
    fn a_cached_package_is_named_by_its_recorded_hash_while_the_record_fits() {
        let dir = std::env::temp_dir().join(format!("tap-record-{}", std::process::id()));
        let packager = Packager::new(&dir);
        std::fs::create_dir_all(dir.join("assets")).unwrap();
        let bytes = zip_bootstrap(b"a binary").unwrap();
        let zip = dir.join("assets/abc.zip");
        std::fs::write(&zip, &bytes).unwrap();
        let crate_dir = Path::new("/nonexistent"); // a cache hit builds nothing
        let first = packager.package(crate_dir, "abc").unwrap();
        assert_eq!(first.sha256, hex_sha256(&bytes));
        assert!(!first.built);
        assert_eq!(
            std::fs::read_to_string(record_path(&zip)).unwrap(),
            format!("{} {}\n", hex_sha256(&bytes), bytes.len())
        );
        // The zip replaced by other bytes of another size: hashed again.
        let other = zip_bootstrap(b"another binary, longer").unwrap();
        std::fs::write(&zip, &other).unwrap();
        assert_eq!(
            packager.package(crate_dir, "abc").unwrap().sha256,
            hex_sha256(&other)
        );
        std::fs::write(record_path(&zip), "not a hash\n").unwrap();
        assert_eq!(
            packager.package(crate_dir, "abc").unwrap().sha256,
            hex_sha256(&other)
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
