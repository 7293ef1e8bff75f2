//! Where tasks run and how work moves between worktrees: each task's own worktree
//! `{worktrees}/<name>.tasks/<task>` when tasks run in parallel, detached at the
//! workstream tip when the task starts; parking a deferred task's work so the
//! workstream's worktree can serve another task; carrying work onto a newer tip (parked
//! work, or a change that conflicts with what landed meanwhile); and bringing the
//! workstream's worktree up to a landing, never over local edits.

use std::path::{Path, PathBuf};

use crate::git::{self, Checkout};
use crate::ids::{TaskId, WorkstreamName};
use crate::store::WorkstreamRecord;

use super::Pipeline;
use super::record::RunRecord;

/// Returns the directory of a task's own worktree.
pub(super) fn task_path(p: &Pipeline, name: &WorkstreamName, task: &TaskId) -> PathBuf {
    p.cfg
        .worktree_root(&p.repo_root)
        .join(format!("{name}.tasks"))
        .join(task.as_str())
}

/// Makes sure a task's own worktree exists; one that is gone (removed by a person, or
/// never made because a run was killed first) is made, detached at `base`, with the
/// run's tested tree put back when it has one. It is a worktree a landed task left idle
/// when there is one (moved to `base`: only the files that differ are written, and what
/// `[project] setup` made there stays), else a new one with `[project] setup` run in it.
/// Returns whether it was made.
pub(super) fn ensure(
    p: &Pipeline,
    path: &Path,
    base: &str,
    tested: Option<&str>,
) -> anyhow::Result<bool> {
    let common = &p.store.paths().common_dir;
    if path.is_dir() && Checkout::locate(common, path).is_ok() {
        return Ok(false);
    }
    if path.exists() {
        // Ours by its name, and not a worktree git knows: what a crash left half-made.
        std::fs::remove_dir_all(path)?;
    }
    let co = match reuse(p, path, base)? {
        Some(co) => co,
        None => {
            if git::worktree::add_detached(&p.repo_root, path, base).is_err() {
                // git may still list a worktree that was removed by hand at this path.
                git::worktree::prune(&p.repo_root)?;
                git::worktree::add_detached(&p.repo_root, path, base)?;
            }
            crate::workstream::setup::run(&p.cfg.project.setup, path)?;
            Checkout::locate(common, path)?
        }
    };
    if let Some(tree) = tested {
        co.restore_tree(tree)?;
        co.reset_index(base)?;
    }
    Ok(true)
}

/// Returns the directory idle task worktrees wait in, beside the tasks' own.
fn idle_dir(path: &Path) -> PathBuf {
    path.with_file_name(".idle")
}

/// Takes an idle worktree for `path`: moved to `base` while still idle (a crash leaves
/// it idle), then renamed. `None` when there is none.
///
/// An idle worktree holds exactly what its task landed (every file the task wrote that
/// git does not ignore is in the landing), so moving it to `base` leaves no stray file.
fn reuse(p: &Pipeline, path: &Path, base: &str) -> anyhow::Result<Option<Checkout>> {
    let common = &p.store.paths().common_dir;
    let idle = std::fs::read_dir(idle_dir(path))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path());
    for dir in idle {
        let Ok(co) = Checkout::locate(common, &dir) else {
            continue;
        };
        if git::change::force_detached(&co, base).is_err() {
            continue;
        }
        return co.relocate(path).map(Some);
    }
    Ok(None)
}

/// Leaves a landed task's worktree idle for the next task to take (it then writes only
/// the files that differ, and keeps what setup and builds made), at most `keep` of them;
/// more are removed.
pub(super) fn retire(p: &Pipeline, path: &Path, keep: usize) {
    let dir = idle_dir(path);
    let count = std::fs::read_dir(&dir).map_or(0, |d| d.count());
    let common = &p.store.paths().common_dir;
    let moved = count < keep
        && Checkout::locate(common, path).is_ok_and(|co| {
            (0..=count)
                .map(|i| dir.join(i.to_string()))
                .find(|d| !d.exists())
                .is_some_and(|d| co.relocate(&d).is_ok())
        });
    if !moved {
        remove(p, path);
    }
}

/// Removes the idle worktrees of a workstream whose tasks are all done.
pub(super) fn clear_idle(p: &Pipeline, name: &WorkstreamName) {
    let dir = idle_dir(&task_path(p, name, &"x".parse().expect("a valid task id")));
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        remove(p, &entry.path());
    }
    let _ = std::fs::remove_dir(&dir);
    let _ = std::fs::remove_dir(dir.parent().unwrap_or(&dir));
}

/// Removes a task's own worktree (its work landed, or a person discarded it).
pub(super) fn remove(p: &Pipeline, path: &Path) {
    if !path.exists() {
        return;
    }
    if let Err(e) = git::worktree::remove(&p.repo_root, path, true) {
        tracing::warn!("could not remove `{}`: {e:#}", path.display());
        let _ = std::fs::remove_dir_all(path);
        let _ = git::worktree::prune(&p.repo_root);
    }
}

/// Sets a deferred task's work aside so the workstream's worktree can serve another
/// task: the worktree's tree is kept as a commit on top of the run's base, reachable
/// from the run's rescue ref, and the worktree goes back to the branch tip. Returns the
/// commit, or `None` when the worktree held no change.
pub(super) fn park(
    p: &Pipeline,
    name: &WorkstreamName,
    run: &RunRecord,
    co: &Checkout,
) -> anyhow::Result<Option<String>> {
    let Some(base) = run.base.as_deref() else {
        return Ok(None);
    };
    let tree = co.write_tree()?;
    let parked = if tree == p.store.tree_of_any(base)? {
        None
    } else {
        let message = format!(
            "{}: its work, set aside when it was deferred (run {})\n",
            run.task, run.id
        );
        let commit = p
            .store
            .write_task_commit(&tree, base, &message, "git-aos")?;
        let why = format!("{}: work set aside when it was deferred", run.task);
        p.store
            .rescue(name, &run.id, std::slice::from_ref(&commit), &why)?;
        Some(commit)
    };
    git::change::discard_changes(co)?;
    Ok(parked)
}

/// Brings `work` (a commit: the work, on top of the tip it was made on) into a
/// checkout whose files are at `onto`: its files become the three-way merge, its index
/// `onto`. Returns the paths that conflict; their files hold conflict markers.
pub(super) fn carry(
    p: &Pipeline,
    co: &Checkout,
    work: &str,
    onto: &str,
) -> anyhow::Result<Vec<String>> {
    let parent = p.store.parent_of(work)?.unwrap_or_else(|| onto.to_owned());
    let (tree, conflicts) = p.store.merge_trees_marked(&parent, onto, work)?;
    co.restore_tree(&tree)?;
    co.reset_index(onto)?;
    Ok(conflicts)
}

/// Brings the workstream's worktree (on the branch, which moved from `from` to `to`) up
/// to `to`: its plan file takes the landed one when git aos changed it there (a fix task
/// appended), then `git read-tree -m -u` moves every other file, refusing rather than
/// overwrite a local edit. Returns a warning when the worktree could not follow.
pub(super) fn follow(
    p: &Pipeline,
    ws: &WorkstreamRecord,
    from: &str,
    to: &str,
) -> anyhow::Result<Option<String>> {
    let path = &crate::workstream::worktree_path(&p.store, ws);
    let Ok(co) = Checkout::locate(&p.store.paths().common_dir, path) else {
        return Ok(None);
    };
    // The plan file may hold a fix task appended in the worktree; the landed plan has it
    // too (the state's plan is carried into every landing), so it takes its place.
    if let Some(rel) = &ws.plan_path
        && let Some(landed) = p.store.file_in(to, rel)?
    {
        let file = path.join(rel);
        let here = std::fs::read(&file).ok();
        if here.is_some() && here != p.store.file_in(from, rel)? && here.as_ref() != Some(&landed) {
            crate::atomic_file::replace(&file, landed, None)?;
            git::change::stage(&co, rel)?;
        }
    }
    // The index is at `from` unless an earlier landing could not follow: then its own
    // tree is where it stands.
    if git::change::update(&co, from, to).is_ok() {
        return Ok(None);
    }
    let old = git::change::index_tree(&co)?;
    match git::change::update(&co, &old, to) {
        Ok(()) => Ok(None),
        Err(e) => Ok(Some(format!(
            "the worktree `{}` has local edits in the way of what landed; it stays as it \
             was (the branch has the landing): {e:#}",
            path.display()
        ))),
    }
}
