//! Code assets: a Lambda crate, packaged into a zip whose SHA-256 names its S3
//! key, so the same code always gets the same key and changed code a new one
//! (and so a new Lambda version). The package is kept by the SHA-256 of the
//! crate's sources and the workspace's `Cargo.lock`: unchanged sources are
//! never rebuilt.

mod package;

pub use package::{hex_sha256, zip_bootstrap, Package, Packager};

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use tap_core::synth::{asset_bucket, AssetLocation, AssetResolver};

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
}

impl<'a> Assets<'a> {
    pub fn new(base: &Path, packager: &'a Packager) -> Self {
        Assets {
            base: base.to_path_buf(),
            packager,
            staged: Default::default(),
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
        let source_hash = hash_crate(&dir).map_err(|e| format!("asset `{path}`: {e}"))?;
        let package = self
            .packager
            .package(&dir, &source_hash)
            .map_err(|e| format!("asset `{path}`: {e:#}"))?;
        let asset = Asset {
            location: AssetLocation {
                bucket: asset_bucket(),
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

/// SHA-256 over the packaging recipe, the crate's files (sorted, by relative path) and the workspace lock file.
pub fn hash_crate(dir: &Path) -> std::io::Result<String> {
    let mut files = Vec::new();
    collect(dir, dir, &mut files)?;
    files.sort();
    let mut h = Sha256::new();
    h.update(package::RECIPE.as_bytes());
    // The linker is part of the recipe: another zig may give other bytes.
    h.update(format!(" zig {}", crate::tools::zig_version()).as_bytes());
    for rel in &files {
        h.update(rel.as_bytes());
        h.update([0]);
        h.update(fs::read(dir.join(rel))?);
        h.update([0]);
    }
    // Dependencies are part of the build: include the lock file that pins them.
    if let Some(lock) = dir
        .ancestors()
        .map(|d| d.join("Cargo.lock"))
        .find(|p| p.is_file())
    {
        h.update(b"Cargo.lock\0");
        h.update(fs::read(lock)?);
    }
    Ok(format!("{:x}", h.finalize()))
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
