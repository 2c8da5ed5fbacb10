//! The SHA-256 of each source file a package is built from, kept between
//! runs by path, size, modification time and (on Unix) inode and change
//! time, as git's index keeps its stat data: a file that has neither grown,
//! shrunk, been written nor been replaced since is not read again. The
//! package's source hash is still over every file's content.
//!
//! A digest is not kept while its file is "racily clean" (git's term): when
//! the file was modified within [`RACY`] of being read, a later write in the
//! same tick of a coarse clock could leave every stamp the same, and the old
//! digest would name new code.

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A file modified this close to its reading is hashed again next time.
const RACY: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    size: u64,
    /// Nanoseconds since the epoch.
    modified: u128,
    /// The inode and the inode's change time (ns): a file replaced with its
    /// size and modification time kept (`cp -p`, `rsync -a`, an archive
    /// unpacked) is another inode or a new change time. 0 where there are none.
    inode: u64,
    changed: i128,
}

/// Digests by file, read from and saved to a file of lines
/// `<sha256 hex>\t<size>\t<mtime ns>\t<inode>\t<ctime ns>\t<path>`.
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
        let read_at = SystemTime::now();
        let bytes = std::fs::read(file)?;
        let digest: [u8; 32] = Sha256::digest(&bytes).into();
        // A file without a modification time, or modified just before this
        // reading (racily clean), is hashed every time.
        match stamp.filter(|s| !racy(s, read_at)) {
            Some(stamp) => {
                self.known.insert(file.to_path_buf(), (stamp, digest));
                self.changed = true;
            }
            None => {
                self.changed |= self.known.remove(file).is_some();
            }
        }
        Ok(digest)
    }

    /// Writes the record if a digest was added since it was read or last
    /// saved. A record that cannot be written costs the next run the reading
    /// again, nothing else.
    pub fn save(&mut self) {
        let Some(record) = self.record.as_ref().filter(|_| self.changed) else {
            return;
        };
        let mut lines: Vec<String> = self
            .known
            .iter()
            // A file gone (a crate moved or deleted) is forgotten.
            .filter(|(path, _)| path.exists())
            .filter_map(|(path, (stamp, digest))| {
                let path = path.to_str()?;
                (!path.contains(['\t', '\n'])).then(|| {
                    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
                    format!(
                        "{hex}\t{}\t{}\t{}\t{}\t{path}\n",
                        stamp.size, stamp.modified, stamp.inode, stamp.changed
                    )
                })
            })
            .collect();
        lines.sort();
        let _ = crate::fsutil::write_atomic(record, lines.concat().as_bytes());
        self.changed = false;
    }
}

fn stamp(meta: &std::fs::Metadata) -> Option<Stamp> {
    let modified = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    #[cfg(unix)]
    let (inode, changed) = {
        use std::os::unix::fs::MetadataExt;
        (
            meta.ino(),
            i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec()),
        )
    };
    #[cfg(not(unix))]
    let (inode, changed) = (0, 0);
    Some(Stamp {
        size: meta.len(),
        modified: modified.as_nanos(),
        inode,
        changed,
    })
}

/// Whether the file was modified within [`RACY`] of `read_at` (or after it).
fn racy(stamp: &Stamp, read_at: SystemTime) -> bool {
    let read_at = read_at
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    stamp.modified + RACY.as_nanos() > read_at
}

fn parse(line: &str) -> Option<(PathBuf, (Stamp, [u8; 32]))> {
    let mut parts = line.splitn(6, '\t');
    let hex = parts.next()?;
    let size = parts.next()?.parse().ok()?;
    let modified = parts.next()?.parse().ok()?;
    let inode = parts.next()?.parse().ok()?;
    let changed = parts.next()?.parse().ok()?;
    let path = PathBuf::from(parts.next()?);
    if hex.len() != 64 {
        return None;
    }
    let mut digest = [0u8; 32];
    for (i, byte) in digest.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    let stamp = Stamp {
        size,
        modified,
        inode,
        changed,
    };
    Some((path, (stamp, digest)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sets the file's modification time `ago` into the past.
    fn age(file: &Path, ago: Duration) {
        let f = std::fs::File::options().write(true).open(file).unwrap();
        f.set_modified(SystemTime::now() - ago).unwrap();
    }

    /// A recorded digest is used while the file keeps its stamp. A write of
    /// another length, and one of the same length with the modification time
    /// put back (`cp -p`, `touch -r`), make it read again; a file written
    /// just now is not recorded (racily clean).
    #[test]
    fn a_file_is_read_again_once_written() {
        let dir = std::env::temp_dir().join(format!("tap-digests-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("lib.rs");
        let record = dir.join("digests.tsv");
        let sha = |text: &str| -> [u8; 32] { Sha256::digest(text.as_bytes()).into() };

        std::fs::write(&file, "fn a() {}").unwrap();
        let mut racy = FileDigests::recorded_in(&record);
        assert_eq!(racy.digest(&file).unwrap(), sha("fn a() {}"));
        assert!(racy.known.is_empty(), "written just now: not recorded");

        age(&file, Duration::from_secs(60));
        let mut first = FileDigests::recorded_in(&record);
        assert_eq!(first.digest(&file).unwrap(), sha("fn a() {}"));
        first.save();

        let mut second = FileDigests::recorded_in(&record);
        assert_eq!(second.known.len(), 1, "the record was read back");
        assert_eq!(second.digest(&file).unwrap(), sha("fn a() {}"));
        assert!(!second.changed);

        // Same length, modification time put back: the change time tells.
        let old = std::fs::metadata(&file).unwrap().modified().unwrap();
        std::fs::write(&file, "fn c() {}").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(old)
            .unwrap();
        assert_eq!(second.digest(&file).unwrap(), sha("fn c() {}"));

        std::fs::write(&file, "fn b() { 1 }").unwrap();
        assert_eq!(second.digest(&file).unwrap(), sha("fn b() { 1 }"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_garbled_line_is_skipped() {
        let zeros = "0".repeat(64);
        assert!(parse("zz\t1\t2\t3\t4\t/a").is_none());
        assert!(parse(&format!("{zeros}\tx\t2\t3\t4\t/a")).is_none());
        // The record of an earlier version (no inode, no change time).
        assert!(parse(&format!("{zeros}\t1\t2\t/a")).is_none());
        let (path, (stamp, _)) = parse(&format!("{zeros}\t1\t2\t3\t-4\t/a b")).unwrap();
        assert_eq!(path, PathBuf::from("/a b"));
        let expected = Stamp {
            size: 1,
            modified: 2,
            inode: 3,
            changed: -4,
        };
        assert_eq!(stamp, expected);
    }
}
