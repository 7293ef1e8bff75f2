//! What a killed run leaves in a workstream: agent process groups still running (their
//! runner died with `kill -9`) and an index lock whose git command was killed. Both are
//! cleared only when nothing of the workstream runs, its lock held by the caller.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::agent;
use crate::git::Checkout;
use crate::ids::WorkstreamName;

/// How long a leftover agent gets between SIGTERM and SIGKILL.
const GRACE: Duration = Duration::from_secs(2);

/// Returns the directory holding the scratch directories of a workstream's runs (and
/// the records of their running agents' process groups).
pub fn scratch_root(common_dir: &Path, name: &WorkstreamName) -> PathBuf {
    common_dir.join("aos").join("scratch").join(name.as_str())
}

/// What a killed run left in a workstream, found without changing anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Leftover {
    /// An agent process group still running with no runner.
    Agent(i32),
    /// An index lock no live process holds.
    IndexLock(PathBuf),
}

/// Returns what a killed run left in a workstream. Only meaningful while nothing of the
/// workstream runs (its lock is free).
pub fn find(common_dir: &Path, name: &WorkstreamName, worktree: &Path) -> Vec<Leftover> {
    let mut found: Vec<Leftover> = agent::group::live_leftovers(&scratch_root(common_dir, name))
        .into_iter()
        .map(Leftover::Agent)
        .collect();
    if let Ok(co) = Checkout::locate(common_dir, worktree)
        && let Some(lock) = co.stale_index_lock()
    {
        found.push(Leftover::IndexLock(lock));
    }
    found
}

/// Ends the agent process groups a killed run left running and removes a stale index
/// lock in the worktree. The caller holds the workstream's lock. Returns what was done.
pub fn clear(common_dir: &Path, name: &WorkstreamName, worktree: &Path) -> Vec<String> {
    let mut done = Vec::new();
    for pgid in agent::group::end_leftovers(&scratch_root(common_dir, name), GRACE) {
        done.push(format!(
            "ended agent process group {pgid}, left running by an interrupted run"
        ));
    }
    if let Ok(co) = Checkout::locate(common_dir, worktree)
        && let Some(lock) = co.stale_index_lock()
    {
        match std::fs::remove_file(&lock) {
            Ok(()) => done.push(format!(
                "removed `{}`, left by a git command that was killed",
                lock.display()
            )),
            Err(e) => tracing::warn!("could not remove `{}`: {e}", lock.display()),
        }
    }
    done
}
