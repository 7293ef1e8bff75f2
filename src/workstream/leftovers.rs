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
