//! Code assets: a crate directory, identified by the SHA-256 of its sources and
//! of the workspace's `Cargo.lock`, so the same code always gets the same key
//! and a changed one a new key (and so a new Lambda version).

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use tap_core::synth::{asset_bucket, AssetLocation, AssetResolver};

/// A staged asset.
#[derive(Debug, Clone, PartialEq)]
pub struct Asset {
    pub hash: String,
    pub source: PathBuf,
    pub location: AssetLocation,
}

/// Hashes assets relative to a stack's base directory, once each.
pub struct Assets {
    base: PathBuf,
    staged: std::cell::RefCell<BTreeMap<String, Asset>>,
}

impl Assets {
    pub fn new(base: &Path) -> Self {
        Assets {
            base: base.to_path_buf(),
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
        let hash = hash_crate(&dir).map_err(|e| format!("asset `{path}`: {e}"))?;
        let asset = Asset {
            location: AssetLocation {
                bucket: asset_bucket(),
                key: format!("assets/{hash}.zip"),
            },
            source: dir,
            hash,
        };
        self.staged
            .borrow_mut()
            .insert(path.to_string(), asset.clone());
        Ok(asset)
    }
}

impl AssetResolver for Assets {
    fn locate(&self, path: &str) -> Result<AssetLocation, String> {
        self.stage(path).map(|a| a.location)
    }
}

/// SHA-256 over the crate's files (sorted, by relative path) and the workspace lock file.
pub fn hash_crate(dir: &Path) -> std::io::Result<String> {
    let mut files = Vec::new();
    collect(dir, dir, &mut files)?;
    files.sort();
    let mut h = Sha256::new();
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
