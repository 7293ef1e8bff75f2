//! A cheap fingerprint of where the live refs are stored — the directory of loose
//! `refs/aos/ws/*` files and the packed refs file — for readers that poll (the
//! dashboard): when it has not moved, no live ref was written, deleted or packed.

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::{Duration, SystemTime};

use super::{Store, refs};

/// How long after its last change a fingerprint is trusted: file times come from a
/// coarse clock, so two writes a few milliseconds apart can leave the same time, and a
/// read between them would miss the second one.
const SETTLED: Duration = Duration::from_secs(1);

/// What one file or directory looked like: modification time, size, inode.
type FileStamp = Option<(SystemTime, u64, u64)>;

/// The fingerprint of the live refs' storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveStamp {
    loose: FileStamp,
    packed: FileStamp,
}

impl LiveStamp {
    /// Returns whether nothing changed for long enough that an equal fingerprint read
    /// later proves the refs unchanged.
    pub fn settled(&self) -> bool {
        let now = SystemTime::now();
        [self.loose, self.packed].iter().all(|s| {
            s.is_none_or(|(time, ..)| now.duration_since(time).is_ok_and(|d| d >= SETTLED))
        })
    }
}

impl Store {
    /// Returns the fingerprint of the live refs' storage (two `stat` calls).
    pub fn live_refs_stamp(&self) -> LiveStamp {
        let common = &self.paths.common_dir;
        let loose = common.join(refs::LIVE_PREFIX.trim_end_matches('/'));
        LiveStamp {
            loose: file_stamp(&loose),
            packed: file_stamp(&common.join("packed-refs")),
        }
    }
}

fn file_stamp(path: &Path) -> FileStamp {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len(), meta.ino()))
}

#[cfg(test)]
mod tests {
    use super::super::tests::git;
    use super::*;

    #[test]
    fn the_stamp_moves_when_a_live_ref_is_written_deleted_or_packed() {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q", "-b", "main"]);
        git(dir.path(), &["commit", "-q", "--allow-empty", "-m", "root"]);
        let store = Store::discover(dir.path()).unwrap();
        let common = dir.path().join(".git");
        // Each change starts from files dated long ago, so it shows whatever the clock.
        let age = || {
            for p in [common.join("refs/aos/ws"), common.join("packed-refs")] {
                if let Ok(f) = std::fs::File::open(&p) {
                    f.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(1000))
                        .unwrap();
                }
            }
            store.live_refs_stamp()
        };
        let mut seen = age();
        let mut changed = |what: &str| {
            let now = store.live_refs_stamp();
            assert_ne!(now, seen, "{what} left the stamp as it was");
            seen = age();
        };
        git(dir.path(), &["update-ref", "refs/aos/ws/a", "HEAD"]);
        changed("creating a ref");
        git(dir.path(), &["commit", "-q", "--allow-empty", "-m", "two"]);
        git(dir.path(), &["update-ref", "refs/aos/ws/a", "HEAD"]);
        changed("moving it");
        git(dir.path(), &["pack-refs", "--all"]);
        changed("packing it");
        git(dir.path(), &["update-ref", "-d", "refs/aos/ws/a"]);
        changed("deleting it");
    }

    #[test]
    fn a_fresh_change_is_not_settled_yet() {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q", "-b", "main"]);
        git(dir.path(), &["commit", "-q", "--allow-empty", "-m", "root"]);
        git(dir.path(), &["update-ref", "refs/aos/ws/a", "HEAD"]);
        let store = Store::discover(dir.path()).unwrap();
        assert!(!store.live_refs_stamp().settled());
        let old = SystemTime::now() - Duration::from_secs(5);
        assert!(
            LiveStamp {
                loose: Some((old, 1, 1)),
                packed: None
            }
            .settled()
        );
    }
}
