//! Code assets: a Lambda crate, packaged into a zip whose SHA-256 names its S3
//! key, so the same code always gets the same key and changed code a new one
//! (and so a new Lambda version). The package is kept by the SHA-256 of the
//! crate's sources, those of the local crates it depends on (the seed's uses
//! `tap-macros` for its contract), and the workspace's `Cargo.lock`:
//! unchanged sources are never rebuilt.

mod digests;
mod package;
mod progress;

pub use digests::FileDigests;

pub use package::{hex_sha256, zip_bootstrap, Package, Packager};

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use tap_core::synth::{asset_bucket_for, AssetLocation, AssetResolver};

/// A staged asset.
#[derive(Debug, Clone, PartialEq)]
pub struct Asset {
    /// SHA-256 of the sources, the recipe and the lock file.
    pub source_hash: String,
    pub source: PathBuf,
    pub package: Package,
    pub location: AssetLocation,
}

/// Packages the assets a stack names (relative to its base directory), once each.
pub struct Assets<'a> {
    base: PathBuf,
    packager: &'a Packager,
    staged: std::cell::RefCell<BTreeMap<String, Asset>>,
    /// The source files' digests, read once for all the assets staged here.
    digests: std::cell::RefCell<FileDigests>,
}

impl<'a> Assets<'a> {
    pub fn new(base: &Path, packager: &'a Packager) -> Self {
        Assets {
            base: base.to_path_buf(),
            packager,
            staged: Default::default(),
            digests: std::cell::RefCell::new(FileDigests::recorded_in(&packager.digests_file())),
        }
    }

    pub fn staged(&self) -> Vec<Asset> {
        self.staged.borrow().values().cloned().collect()
    }

    pub fn stage(&self, path: &str) -> Result<Asset, String> {
        if let Some(a) = self.staged.borrow().get(path) {
            return Ok(a.clone());
        }
        let dir = self.base.join(path);
        let dir = dir
            .canonicalize()
            .map_err(|e| format!("asset `{path}` ({}): {e}", dir.display()))?;
        let source_hash = {
            let mut digests = self.digests.borrow_mut();
            let hash = hash_crate_with(&dir, &mut digests);
            digests.save();
            hash.map_err(|e| format!("asset `{path}`: {e}"))?
        };
        let package = self
            .packager
            .package(&dir, &source_hash)
            .map_err(|e| format!("asset `{path}`: {e:#}"))?;
        let asset = Asset {
            location: AssetLocation {
                bucket: asset_bucket_for(self.packager.qualifier()),
                key: format!("assets/{}.zip", package.sha256),
            },
            source: dir,
            source_hash,
            package,
        };
        self.staged
            .borrow_mut()
            .insert(path.to_string(), asset.clone());
        Ok(asset)
    }
}

impl AssetResolver for Assets<'_> {
    fn locate(&self, path: &str) -> Result<AssetLocation, String> {
        self.stage(path).map(|a| a.location)
    }
}

/// SHA-256 over the packaging recipe, the crate's files and those of the
/// local crates it depends on (sorted, by relative path), the toolchain file
/// that pins the compiler, and the workspace lock file.
pub fn hash_crate(dir: &Path) -> std::io::Result<String> {
    hash_crate_with(dir, &mut FileDigests::unrecorded())
}

/// [`hash_crate`], each file's digest taken from `digests` while the file
/// keeps its size and modification time: the seed's function is built from
/// tap-core, whose 6 MB of catalogs took most of a `tap synth` to hash.
pub fn hash_crate_with(dir: &Path, digests: &mut FileDigests) -> std::io::Result<String> {
    let mut h = Sha256::new();
    h.update(package::RECIPE.as_bytes());
    // The linker is part of the recipe: another zig may give other bytes.
    h.update(format!(" zig {}", crate::tools::zig_version()).as_bytes());
    let mut crates = std::collections::BTreeSet::new();
    local_dependencies(dir, &mut crates)?;
    for (i, krate) in std::iter::once(dir.to_path_buf()).chain(crates).enumerate() {
        let mut files = Vec::new();
        collect(&krate, &krate, &mut files)?;
        files.sort();
        // Dependencies by position, not path: a moved checkout hashes the same.
        h.update(format!("crate {i}\0").as_bytes());
        for rel in &files {
            h.update(rel.as_bytes());
            h.update([0]);
            h.update(digests.digest(&krate.join(rel))?);
            h.update([0]);
        }
    }
    // The compiler is part of the build: the toolchain file that pins it
    // (rustup and cargo-lambda build with what it names).
    let toolchain = dir.ancestors().find_map(|d| {
        ["rust-toolchain.toml", "rust-toolchain"]
            .iter()
            .map(|f| d.join(f))
            .find(|p| p.is_file())
    });
    if let Some(file) = toolchain {
        h.update(b"rust-toolchain\0");
        h.update(digests.digest(&file)?);
    }
    // Dependencies are part of the build: include the lock file that pins them.
    if let Some(lock) = dir
        .ancestors()
        .map(|d| d.join("Cargo.lock"))
        .find(|p| p.is_file())
    {
        h.update(b"Cargo.lock\0");
        h.update(digests.digest(&lock)?);
    }
    Ok(format!("{:x}", h.finalize()))
}

/// The local crates (`path` dependencies, directly or through the workspace's
/// `[workspace.dependencies]`) the crate at `dir` is built from, recursively. Dev-dependencies are not part of the package.
fn local_dependencies(
    dir: &Path,
    out: &mut std::collections::BTreeSet<PathBuf>,
) -> std::io::Result<()> {
    let invalid = |e: String| std::io::Error::new(std::io::ErrorKind::InvalidData, e);
    let manifest = dir.join("Cargo.toml");
    let text = fs::read_to_string(&manifest)?;
    let doc: toml::Table = text
        .parse()
        .map_err(|e| invalid(format!("{}: {e}", manifest.display())))?;
    let workspace = dir
        .ancestors()
        .skip(1)
        .map(|d| d.join("Cargo.toml"))
        .filter(|p| p.is_file())
        .find_map(|p| {
            let t: toml::Table = fs::read_to_string(&p).ok()?.parse().ok()?;
            let deps = t.get("workspace")?.get("dependencies")?.as_table()?.clone();
            Some((p.parent()?.to_path_buf(), deps))
        });
    let mut tables: Vec<&toml::Table> = ["dependencies", "build-dependencies"]
        .iter()
        .filter_map(|k| doc.get(*k).and_then(|d| d.as_table()))
        .collect();
    if let Some(targets) = doc.get("target").and_then(|t| t.as_table()) {
        for t in targets.values() {
            for k in ["dependencies", "build-dependencies"] {
                tables.extend(t.get(k).and_then(|d| d.as_table()));
            }
        }
    }
    for (name, spec) in tables.iter().flat_map(|t| t.iter()) {
        let path = match spec.get("path").and_then(|p| p.as_str()) {
            Some(p) => Some(dir.join(p)),
            None if spec.get("workspace").and_then(|w| w.as_bool()) == Some(true) => {
                workspace.as_ref().and_then(|(root, deps)| {
                    let p = deps.get(name)?.get("path")?.as_str()?;
                    Some(root.join(p))
                })
            }
            None => None,
        };
        if let Some(path) = path {
            let path = path.canonicalize()?;
            if out.insert(path.clone()) {
                local_dependencies(&path, out)?;
            }
        }
    }
    Ok(())
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name();
        if name == "target" || name.to_string_lossy().starts_with('.') {
            continue;
        }
        if entry.file_type()?.is_dir() {
            collect(root, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seed's function is built from `tap-macros` (its contract) and so
    /// `tap-core`: a change there is a change to the package.
    #[test]
    fn the_seed_function_is_built_from_the_local_crates_it_depends_on() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut found = std::collections::BTreeSet::new();
        local_dependencies(&root.join("lambda"), &mut found).expect("reads the manifests");
        let names: Vec<String> = found
            .iter()
            .filter_map(|p| Some(p.file_name()?.to_string_lossy().into_owned()))
            .collect();
        assert_eq!(names, ["tap-core", "tap-macros"]);
    }
}
