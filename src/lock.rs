//! Kernel `flock` locks under `<common-dir>/aos/locks/`, shared by every worktree:
//! one per workstream (whoever runs its pipeline), one per task (whoever drives or
//! decides it: the pipeline, or a person's `approve`, `retry`, …), one per workstream
//! for landing tasks on its branch (taken in turn: waiters queue), and one for merges.
//!
//! A lock is released when its holder exits, however it exits, so a dead holder never
//! blocks anyone. The file's content (pid, host, since) only says who holds it; the
//! kernel lock is the truth. A holder clears the file when it lets go, so a file that
//! names a holder nobody holds tells of a holder that died (`git aos doctor` says so).
//! Lock files are never deleted: deleting one while another process is about to lock
//! it would let two holders in.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};

use crate::error::Busy;
use crate::ids::{TaskId, WorkstreamName};

/// A held lock; dropping it releases the lock.
#[derive(Debug)]
pub struct LockGuard {
    lock: Flock<File>,
    path: PathBuf,
}

impl Drop for LockGuard {
    /// Clears the holder record while the lock is still held, before the kernel lock goes.
    fn drop(&mut self) {
        let _ = self.lock.set_len(0);
    }
}

impl LockGuard {
    /// Returns the lock file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Who holds (or last held) a lock, as its holder recorded.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Holder {
    /// Process id.
    pub pid: String,
    /// Host name.
    pub host: String,
    /// RFC 3339 time the lock was taken.
    pub since: String,
}

/// Returns the directory holding all lock files.
pub fn dir(common_dir: &Path) -> PathBuf {
    common_dir.join("aos").join("locks")
}

/// Returns the lock file of a workstream.
pub fn workstream_path(common_dir: &Path, name: &WorkstreamName) -> PathBuf {
    dir(common_dir).join("ws").join(format!("{name}.lock"))
}

/// Returns the lock file of one task of a workstream.
pub fn task_path(common_dir: &Path, name: &WorkstreamName, task: &TaskId) -> PathBuf {
    dir(common_dir)
        .join("task")
        .join(name.as_str())
        .join(format!("{task}.lock"))
}

/// Takes the lock of one task without waiting; a held one is a `Busy` error (exit 5).
pub fn lock_task(
    common_dir: &Path,
    name: &WorkstreamName,
    task: &TaskId,
) -> anyhow::Result<LockGuard> {
    acquire(
        &task_path(common_dir, name, task),
        &format!("task `{task}` of `{name}`"),
    )
}

/// Takes the lock that lands tasks on a workstream's branch one at a time, waiting for
/// whoever holds it (a landing takes seconds: a merge and the task's checks).
pub fn lock_integration(common_dir: &Path, name: &WorkstreamName) -> anyhow::Result<LockGuard> {
    let path = dir(common_dir)
        .join("integrate")
        .join(format!("{name}.lock"));
    let file = open(&path)?;
    let lock = Flock::lock(file, FlockArg::LockExclusive)
        .map_err(|(_, errno)| anyhow::anyhow!("could not lock `{}`: {errno}", path.display()))?;
    Ok(LockGuard { lock, path })
}

/// Returns the merge lock file.
pub fn merge_path(common_dir: &Path) -> PathBuf {
    dir(common_dir).join("merge.lock")
}

/// Returns the lock that serialises talking to remotes from this clone: fetches and
/// pushes update the same refs under `refs/aos/remotes/`.
pub fn remote_path(common_dir: &Path) -> PathBuf {
    dir(common_dir).join("remote.lock")
}

/// Takes the lock at `path`, waiting while another process (or thread) holds it.
pub fn wait_for(path: &Path) -> anyhow::Result<LockGuard> {
    wait(path, FlockArg::LockExclusive)
}

/// Takes the lock at `path` shared with other shared holders, waiting while an
/// exclusive holder has it.
pub fn wait_for_shared(path: &Path) -> anyhow::Result<LockGuard> {
    wait(path, FlockArg::LockShared)
}

fn wait(path: &Path, how: FlockArg) -> anyhow::Result<LockGuard> {
    let file = open(path)?;
    let lock = Flock::lock(file, how)
        .map_err(|(_, errno)| anyhow::anyhow!("could not lock `{}`: {errno}", path.display()))?;
    Ok(LockGuard {
        lock,
        path: path.to_owned(),
    })
}

/// Takes the lock of a workstream without waiting; a held one is a `Busy` error (exit 5).
pub fn lock_workstream(common_dir: &Path, name: &WorkstreamName) -> anyhow::Result<LockGuard> {
    acquire(
        &workstream_path(common_dir, name),
        &format!("workstream `{name}`"),
    )
}

/// Takes the merge lock without waiting; a held one is a `Busy` error (exit 5).
pub fn lock_merge(common_dir: &Path) -> anyhow::Result<LockGuard> {
    acquire(&merge_path(common_dir), "the merge lock")
}

/// Takes the lock at `path` without waiting, recording who holds it.
pub fn acquire(path: &Path, what: &str) -> anyhow::Result<LockGuard> {
    let file = open(path)?;
    match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
        Ok(mut lock) => {
            let holder = format!(
                "pid {}\nhost {}\nsince {}\n",
                std::process::id(),
                hostname(),
                crate::store::now_rfc3339()
            );
            lock.set_len(0)?;
            lock.rewind()?;
            lock.write_all(holder.as_bytes())?;
            Ok(LockGuard {
                lock,
                path: path.to_owned(),
            })
        }
        Err((mut file, Errno::EWOULDBLOCK)) => {
            let holder = read_holder(&mut file);
            Err(Busy {
                what: what.to_owned(),
                pid: holder.pid,
                host: holder.host,
                since: holder.since,
            }
            .into())
        }
        Err((_, errno)) => Err(anyhow::anyhow!(
            "could not lock `{}`: {errno}",
            path.display()
        )),
    }
}

/// Returns the holder of the lock at `path` if a live process holds it now.
pub fn probe(path: &Path) -> anyhow::Result<Option<Holder>> {
    if !path.exists() {
        return Ok(None);
    }
    let file = open(path)?;
    match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
        Ok(lock) => {
            drop(lock);
            Ok(None)
        }
        Err((mut file, Errno::EWOULDBLOCK)) => Ok(Some(read_holder(&mut file))),
        Err((_, errno)) => Err(anyhow::anyhow!(
            "could not probe `{}`: {errno}",
            path.display()
        )),
    }
}

/// Returns the holder a lock file names, held or not; `None` when it names none (never
/// taken, or released cleanly).
pub fn recorded_holder(path: &Path) -> anyhow::Result<Option<Holder>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("could not read lock file `{}`", path.display()))?;
    if text.trim().is_empty() {
        return Ok(None);
    }
    Ok(Some(parse_holder(&text)))
}

fn open(path: &Path) -> anyhow::Result<File> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("could not create `{}`", parent.display()))?;
    }
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .with_context(|| format!("could not open lock file `{}`", path.display()))
}

fn read_holder(file: &mut File) -> Holder {
    let mut text = String::new();
    let _ = file.read_to_string(&mut text);
    parse_holder(&text)
}

fn parse_holder(text: &str) -> Holder {
    let field = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key).map(|v| v.trim().to_owned()))
            .unwrap_or_else(|| "unknown".to_owned())
    };
    Holder {
        pid: field("pid "),
        host: field("host "),
        since: field("since "),
    }
}

fn hostname() -> String {
    nix::unistd::gethostname()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_else(|_| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_is_busy_and_release_frees_it() {
        let dir = tempfile::tempdir().unwrap();
        let name: WorkstreamName = "a".parse().unwrap();
        let guard = lock_workstream(dir.path(), &name).unwrap();
        // flock locks belong to the open file description, so a second open in the same
        // process conflicts just like another process would.
        let err = lock_workstream(dir.path(), &name).unwrap_err();
        let busy = err.downcast_ref::<Busy>().unwrap();
        assert_eq!(busy.pid, std::process::id().to_string());
        assert_eq!(crate::error::exit_code(&err), crate::error::exit::BUSY);
        assert!(probe(guard.path()).unwrap().is_some());
        let path = guard.path().to_owned();
        assert!(recorded_holder(&path).unwrap().is_some());
        drop(guard);
        assert_eq!(
            recorded_holder(&path).unwrap(),
            None,
            "release clears the record"
        );
        assert!(
            probe(&workstream_path(dir.path(), &name))
                .unwrap()
                .is_none()
        );
        lock_workstream(dir.path(), &name).unwrap();
    }
}
