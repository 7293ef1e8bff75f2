//! The database: state commit chains under `refs/aos/`, notes on `refs/notes/aos`, and
//! every other in-process git read. The only module that uses gix.

mod archive;
mod cache;
mod claim;
mod commits;
mod diff;
mod event;
mod history;
mod identity;
mod inspect;
mod land;
mod merge;
mod model;
mod notes;
mod notes_merge;
mod read;
pub mod reconcile;
pub mod refs;
mod rescue;
mod revs;
mod stamp;
mod sync;
mod task_tree;
mod trust;
mod tx;
mod write;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use gix::ObjectId;

pub use archive::ArchiveEntry;
pub use claim::Claim;
pub use commits::CommitInfo;
pub use diff::Divergence;
pub use event::{Actor, Event, trailer};
pub use history::LogEntry;
pub use inspect::RefLockFile;
pub use land::{BranchCommit, Replay};
pub use merge::MergeResult;
pub use model::{
    FORMAT, Integrating, TaskRecord, TaskStatus, TasksFile, WorkstreamRecord, WsStatus,
    now_precise, now_rfc3339, path,
};
pub use read::Snapshot;
pub use rescue::Heads;
pub use stamp::LiveStamp;
pub use sync::{MergedState, RefMap};
pub use trust::Trusted;
pub use tx::StateTx;

use crate::error::UserError;
use crate::ids::WorkstreamName;

/// Where the repository lives on disk.
#[derive(Debug, Clone)]
pub struct Paths {
    /// The common git dir shared by all worktrees (canonical).
    pub common_dir: PathBuf,
    /// The git dir of the current worktree.
    pub git_dir: PathBuf,
    /// Top of the current worktree, if not bare.
    pub workdir: Option<PathBuf>,
    /// Top of the main worktree (parent of the common dir), if not bare.
    pub main_workdir: Option<PathBuf>,
}

/// A handle on the repository's aos database. Cheap to clone, usable from any thread.
#[derive(Clone)]
pub struct Store {
    sync: gix::ThreadSafeRepository,
    paths: Paths,
}

impl Store {
    /// Opens the repository that contains `dir`.
    pub fn discover(dir: &Path) -> anyhow::Result<Self> {
        let repo = gix::discover(dir).map_err(|e| {
            anyhow::Error::new(e).context(UserError::with_hint(
                format!("`{}` is not inside a git repository", dir.display()),
                "run git aos inside a git repository, or create one with `git init`",
            ))
        })?;
        let common_dir = std::fs::canonicalize(repo.common_dir())
            .context("could not resolve the git common dir")?;
        let git_dir =
            std::fs::canonicalize(repo.git_dir()).context("could not resolve the git dir")?;
        let workdir = repo.workdir().map(std::fs::canonicalize).transpose()?;
        let main_workdir = (!repo.is_bare() || workdir.is_some())
            .then(|| common_dir.parent().map(Path::to_path_buf))
            .flatten()
            .filter(|p| common_dir.file_name().is_some_and(|n| n == ".git") && p.is_dir());
        Ok(Self {
            sync: repo.into_sync(),
            paths: Paths {
                common_dir,
                git_dir,
                workdir,
                main_workdir,
            },
        })
    }

    /// Returns where the repository lives.
    pub fn paths(&self) -> &Paths {
        &self.paths
    }

    /// Returns a repository handle for the calling thread.
    fn repo(&self) -> gix::Repository {
        let mut repo = self.sync.to_thread_local();
        // State reads hit the same trees and delta bases again and again.
        repo.object_cache_size_if_unset(4 * 1024 * 1024);
        repo
    }

    /// Returns the newest state of a live workstream, or `None` when there is none.
    pub fn try_find(&self, name: &WorkstreamName) -> anyhow::Result<Option<Snapshot>> {
        let repo = self.repo();
        self.try_find_in(&repo, name)
    }

    /// Returns the newest state of a live workstream; a missing one is an error with a hint.
    pub fn find(&self, name: &WorkstreamName) -> anyhow::Result<Snapshot> {
        let repo = self.repo();
        self.find_in(&repo, name)
    }

    fn try_find_in(
        &self,
        repo: &gix::Repository,
        name: &WorkstreamName,
    ) -> anyhow::Result<Option<Snapshot>> {
        let Some(id) = ref_target(repo, &refs::live(name))? else {
            return Ok(None);
        };
        read::snapshot(repo, id, &format!("workstream `{name}`")).map(Some)
    }

    fn find_in(&self, repo: &gix::Repository, name: &WorkstreamName) -> anyhow::Result<Snapshot> {
        self.try_find_in(repo, name)?.ok_or_else(|| {
            UserError::with_hint(
                format!("no live workstream named `{name}`"),
                "`git aos list` shows the live ones, `git aos archive list` the archived ones",
            )
            .into()
        })
    }

    /// Returns the names of all live workstreams, sorted, with their state commits.
    pub fn list_live(&self) -> anyhow::Result<Vec<(WorkstreamName, String)>> {
        let repo = self.repo();
        Ok(list_prefix(&repo, refs::LIVE_PREFIX)?
            .into_iter()
            .filter_map(|(rest, id)| rest.parse().ok().map(|n| (n, id.to_string())))
            .collect())
    }

    /// Returns the snapshots of all live workstreams; one that cannot be read is an error.
    ///
    /// Records come from the records cache when it has the exact state commit; the
    /// others are read (on several threads when there are many: the reads are
    /// independent and most of their time is inflating objects) and cached.
    pub fn load_live(&self) -> anyhow::Result<Vec<Snapshot>> {
        let refs = list_prefix(&self.repo(), refs::LIVE_PREFIX)?;
        let cache = cache::RecordCache::load(&self.paths.common_dir);
        let missing: Vec<(String, ObjectId)> = refs
            .iter()
            .filter(|(_, id)| cache.get(*id).is_none())
            .cloned()
            .collect();
        let mut fresh: BTreeMap<ObjectId, Snapshot> = BTreeMap::new();
        for snap in self.read_many(&missing)? {
            fresh.insert(snap.commit_id, snap);
        }
        let out: Vec<Snapshot> = refs
            .iter()
            .filter_map(|(_, id)| fresh.remove(id).or_else(|| cache.get(*id)))
            .collect();
        cache.store(&out);
        Ok(out)
    }

    /// Reads the snapshots of these (name, state commit) pairs, on several threads.
    fn read_many(&self, refs: &[(String, ObjectId)]) -> anyhow::Result<Vec<Snapshot>> {
        if refs.is_empty() {
            return Ok(Vec::new());
        }
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(4);
        let chunk = refs.len().div_ceil(threads).max(32);
        let read_chunk = |part: &[(String, ObjectId)]| -> anyhow::Result<Vec<Snapshot>> {
            let repo = self.repo();
            part.iter()
                .map(|(rest, id)| read::snapshot(&repo, *id, &format!("workstream `{rest}`")))
                .collect()
        };
        let parts: Vec<anyhow::Result<Vec<Snapshot>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = refs
                .chunks(chunk)
                .map(|part| scope.spawn(move || read_chunk(part)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(anyhow::anyhow!("a reader thread panicked")))
                })
                .collect()
        });
        let mut out = Vec::with_capacity(refs.len());
        for part in parts {
            out.extend(part?);
        }
        Ok(out)
    }

    /// Returns a file of a snapshot's state tree, or `None` when absent.
    pub fn read_file(&self, snap: &Snapshot, rela: &str) -> anyhow::Result<Option<Vec<u8>>> {
        read::blob_at(&self.repo(), snap.tree, rela)
    }

    /// Returns a snapshot's file parsed as TOML, or `None` when absent.
    pub fn read_toml<T: serde::de::DeserializeOwned>(
        &self,
        snap: &Snapshot,
        rela: &str,
    ) -> anyhow::Result<Option<T>> {
        let repo = self.repo();
        let tx = StateTx::new(&repo, Some(snap.tree), snap.ws.clone());
        tx.read_toml(rela)
    }

    /// Returns a snapshot's `tasks.toml` (empty when absent).
    pub fn tasks(&self, snap: &Snapshot) -> anyhow::Result<TasksFile> {
        Ok(self.read_toml(snap, path::TASKS)?.unwrap_or_default())
    }

    /// Returns the names inside a directory of a snapshot's state tree.
    pub fn list_dir(&self, snap: &Snapshot, dir: &str) -> anyhow::Result<Vec<String>> {
        read::names_in(&self.repo(), snap.tree, dir)
    }

    /// Returns every git config entry under `aos.` as (`aos.<sub>.<key>`, value), in the
    /// order git reads them.
    pub fn aos_config(&self) -> Vec<(String, String)> {
        let repo = self.repo();
        let snapshot = repo.config_snapshot();
        let mut out = Vec::new();
        for section in snapshot
            .plumbing()
            .sections_by_name("aos")
            .into_iter()
            .flatten()
        {
            let sub = section.header().subsection_name().map(|s| s.to_string());
            for key in section.body().value_names() {
                let key = key.to_string();
                if let Some(value) = section.body().value(&key) {
                    let full = match &sub {
                        Some(sub) => format!("aos.{sub}.{key}"),
                        None => format!("aos.{key}"),
                    };
                    out.push((full, value.to_string()));
                }
            }
        }
        out
    }
}

/// Returns the object a ref points at, or `None` when the ref does not exist.
fn ref_target(repo: &gix::Repository, full: &str) -> anyhow::Result<Option<ObjectId>> {
    let Some(mut r) = repo.try_find_reference(full)? else {
        return Ok(None);
    };
    Ok(Some(r.peel_to_id()?.detach()))
}

/// Returns (name after prefix, target) of every ref whose name starts with `prefix`.
///
/// gix matches a string prefix, not a path: pass a trailing `/` for a directory.
fn list_prefix(repo: &gix::Repository, prefix: &str) -> anyhow::Result<Vec<(String, ObjectId)>> {
    let mut out = Vec::new();
    for r in repo.references()?.prefixed(prefix)? {
        let r = r.map_err(|e| anyhow::anyhow!("could not read a ref under `{prefix}`: {e}"))?;
        if let Some(id) = r.try_id() {
            let name = r.name().as_bstr().to_string();
            out.push((name[prefix.len()..].to_owned(), id.detach()));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod merge_tests;
#[cfg(test)]
mod sync_tests;
#[cfg(test)]
mod tests;
