//! The SHA-256 of each source file a package is built from, kept between
//! runs by path, size and modification time, as cargo keeps its fingerprints:
//! a file that has neither grown, shrunk nor been written since is not read
//! again. The package's source hash is still over every file's content.

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    size: u64,
    /// Nanoseconds since the epoch.
    modified: u128,
}

/// Digests by file, read from and saved to a file of lines
/// `<sha256 hex>\t<size>\t<mtime ns>\t<path>`.
#[derive(Debug, Default)]
pub struct FileDigests {
    record: Option<PathBuf>,
    known: HashMap<PathBuf, (Stamp, [u8; 32])>,
    changed: bool,
}

impl FileDigests {
    /// Digests that are computed every time and never kept.
    pub fn unrecorded() -> Self {
        FileDigests::default()
    }

    /// Digests kept in `record` (a missing or unreadable record is an empty
    /// one: every file is read once more).
    pub fn recorded_in(record: &Path) -> Self {
        let mut known = HashMap::new();
        if let Ok(text) = std::fs::read_to_string(record) {
            for line in text.lines() {
                if let Some((path, entry)) = parse(line) {
                    known.insert(path, entry);
                }
            }
        }
        FileDigests {
            record: Some(record.to_path_buf()),
            known,
            changed: false,
        }
    }

    /// The SHA-256 of the file's content.
    pub fn digest(&mut self, file: &Path) -> std::io::Result<[u8; 32]> {
        let stamp = stamp(&std::fs::metadata(file)?);
        if let Some((known, digest)) = self.known.get(file) {
            if Some(*known) == stamp {
                return Ok(*digest);
            }
        }
        let bytes = std::fs::read(file)?;
        let digest: [u8; 32] = Sha256::digest(&bytes).into();
        // A file without a modification time is hashed every time.
        if let Some(stamp) = stamp {
            self.known.insert(file.to_path_buf(), (stamp, digest));
            self.changed = true;
        }
        Ok(digest)
    }

    /// Writes the record if a digest was added. A record that cannot be
    /// written costs the next run the reading again, nothing else.
    pub fn save(&self) {
        let Some(record) = self.record.as_ref().filter(|_| self.changed) else {
            return;
        };
        let mut lines: Vec<String> = self
            .known
            .iter()
            .filter_map(|(path, (stamp, digest))| {
                let path = path.to_str()?;
                (!path.contains(['\t', '\n'])).then(|| {
                    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
                    format!("{hex}\t{}\t{}\t{path}\n", stamp.size, stamp.modified)
                })
            })
            .collect();
        lines.sort();
        let _ = crate::fsutil::write_atomic(record, lines.concat().as_bytes());
    }
}

fn stamp(meta: &std::fs::Metadata) -> Option<Stamp> {
    let modified = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    Some(Stamp {
        size: meta.len(),
        modified: modified.as_nanos(),
    })
}

fn parse(line: &str) -> Option<(PathBuf, (Stamp, [u8; 32]))> {
    let mut parts = line.splitn(4, '\t');
    let hex = parts.next()?;
    let size = parts.next()?.parse().ok()?;
    let modified = parts.next()?.parse().ok()?;
    let path = PathBuf::from(parts.next()?);
    if hex.len() != 64 {
        return None;
    }
    let mut digest = [0u8; 32];
    for (i, byte) in digest.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some((path, (Stamp { size, modified }, digest)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A recorded digest is used while the file keeps its size and time; a
    /// write (here, of another length) makes it read again.
    #[test]
    fn a_file_is_read_again_once_written() {
        let dir = std::env::temp_dir().join(format!("tap-digests-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("lib.rs");
        let record = dir.join("digests.tsv");
        std::fs::write(&file, "fn a() {}").unwrap();
        let mut first = FileDigests::recorded_in(&record);
        let a: [u8; 32] = Sha256::digest(b"fn a() {}").into();
        assert_eq!(first.digest(&file).unwrap(), a);
        first.save();

        let mut second = FileDigests::recorded_in(&record);
        assert_eq!(second.known.len(), 1, "the record was read back");
        assert_eq!(second.digest(&file).unwrap(), a);
        assert!(!second.changed);

        std::fs::write(&file, "fn b() { 1 }").unwrap();
        let b: [u8; 32] = Sha256::digest(b"fn b() { 1 }").into();
        assert_eq!(second.digest(&file).unwrap(), b);
        assert!(second.changed);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_garbled_line_is_skipped() {
        assert!(parse("zz\t1\t2\t/a").is_none());
        assert!(parse(&format!("{}\tx\t2\t/a", "0".repeat(64))).is_none());
        let (path, (stamp, _)) = parse(&format!("{}\t1\t2\t/a b", "0".repeat(64))).unwrap();
        assert_eq!(path, PathBuf::from("/a b"));
        assert_eq!(
            stamp,
            Stamp {
                size: 1,
                modified: 2
            }
        );
    }
}
