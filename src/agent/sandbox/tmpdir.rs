//! Private temp directories for confined agents (`$TMPDIR`): numbered slots under
//! `<temp>/git-aos-<uid>/`, each taken with a `flock` and emptied before and after use.
//!
//! Reusing slots instead of making a fresh directory per agent keeps a directory
//! creation (a journal write, a millisecond on slow disks) out of every spawn; the
//! slots are as many as agents ever ran at once, and a slot held by a dead process is
//! free again (the kernel drops its lock).

use std::fs::{File, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use nix::fcntl::{Flock, FlockArg};

/// Most slots tried before falling back to a fresh directory.
const MAX_SLOTS: usize = 256;

/// A private temp directory, held until dropped (then emptied and let go).
#[derive(Debug)]
pub struct TempSlot {
    dir: PathBuf,
    /// The slot's lock; `None` for a fresh directory, which is removed instead.
    lock: Option<Flock<File>>,
}

impl TempSlot {
    /// Returns a free slot, emptied; else (the root unusable, every slot busy) a fresh
    /// directory made with `mkdtemp`.
    pub fn take() -> std::io::Result<Self> {
        let root = std::env::temp_dir().join(format!("git-aos-{}", nix::unistd::getuid()));
        if let Some(slot) = private_root(&root)
            .then(|| Self::free_slot(&root))
            .flatten()
        {
            return Ok(slot);
        }
        let template = std::env::temp_dir().join("git-aos-agent-XXXXXX");
        let dir = nix::unistd::mkdtemp(&template).map_err(std::io::Error::from)?;
        Ok(Self { dir, lock: None })
    }

    /// Returns the directory.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    fn free_slot(root: &Path) -> Option<Self> {
        for n in 0..MAX_SLOTS {
            let file = OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .mode(0o600)
                .open(root.join(format!("tmp-{n}.lock")))
                .ok()?;
            let Ok(lock) = Flock::lock(file, FlockArg::LockExclusiveNonblock) else {
                continue;
            };
            let dir = root.join(format!("tmp-{n}"));
            let ready = match std::fs::symlink_metadata(&dir) {
                Ok(meta) if meta.is_dir() => empty(&dir).is_ok(),
                Ok(_) => false,
                Err(_) => std::fs::DirBuilder::new().mode(0o700).create(&dir).is_ok(),
            };
            if ready {
                return Some(Self {
                    dir,
                    lock: Some(lock),
                });
            }
        }
        None
    }
}

impl Drop for TempSlot {
    /// Empties a slot before letting it go (what an agent left there is not the next
    /// one's business); removes a fresh directory.
    fn drop(&mut self) {
        let done = if self.lock.is_some() {
            empty(&self.dir)
        } else {
            std::fs::remove_dir_all(&self.dir)
        };
        if let Err(e) = done {
            tracing::debug!("could not clean `{}`: {e}", self.dir.display());
        }
    }
}

/// Returns whether `root` is ours alone (made now if missing): a real directory owned
/// by this user that nobody else may enter, so no other user can plant a slot there.
fn private_root(root: &Path) -> bool {
    if std::fs::symlink_metadata(root).is_err() {
        let _ = std::fs::DirBuilder::new().mode(0o700).create(root);
    }
    std::fs::symlink_metadata(root).is_ok_and(|m| {
        m.is_dir()
            && m.uid() == nix::unistd::getuid().as_raw()
            && m.permissions().mode() & 0o077 == 0
    })
}

/// Removes everything inside `dir`, keeping `dir`.
fn empty(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            std::fs::remove_dir_all(entry.path())?;
        } else {
            std::fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_is_private_emptied_and_not_shared_while_held() {
        let a = TempSlot::take().unwrap();
        let b = TempSlot::take().unwrap();
        assert_ne!(a.path(), b.path());
        let mode = std::fs::metadata(a.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{mode:o}");
        std::fs::create_dir(a.path().join("d")).unwrap();
        std::fs::write(a.path().join("d/f"), "secret").unwrap();
        let dir = a.path().to_owned();
        drop(a);
        assert!(dir.is_dir() || !dir.exists());
        if dir.exists() {
            assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
        }
    }
}
