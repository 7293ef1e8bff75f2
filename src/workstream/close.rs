//! `close` and `open`: archive a workstream (removing its worktree) and bring one back.

use std::path::{Path, PathBuf};

use super::refresh::Refresh;
use super::touched::Touched;
use crate::error::UserError;
use crate::git;
use crate::ids::WorkstreamName;
use crate::lock;
use crate::store::{Actor, ArchiveEntry, Event, Snapshot, Store, WsStatus, refs};

/// Closes a workstream: refuses uncommitted work unless `force`, removes the worktree,
/// archives the state, and deletes the branch when asked. Returns the archive id.
pub fn close(
    store: &Store,
    repo_root: &Path,
    name: &WorkstreamName,
    force: bool,
    delete_branch: bool,
) -> anyhow::Result<String> {
    let _lock = lock::lock_workstream(&store.paths().common_dir, name)?;
    let snap = store.find(name)?;
    // Task worktrees first: one holding work refuses before anything is removed (a clean
    // one holds nothing to lose).
    let worktree = super::worktree_path(store, &snap.ws);
    remove_task_worktrees(repo_root, &worktree, &snap.ws, force)?;
    if worktree.is_dir() {
        let mut changes = git::worktree::changes(&worktree)?;
        // The plan `new` placed in the worktree, untouched, is git aos's, not a person's work.
        if let Some(ours) = placed_plan(store, &snap, &worktree)? {
            let untracked = |c: &git::WorktreeChange| c.code == "??" && c.path == ours;
            let placed = changes.iter().any(untracked);
            changes.retain(|c| !untracked(c));
            if placed && changes.is_empty() {
                let _ = std::fs::remove_file(worktree.join(&ours));
            }
        }
        if !changes.is_empty() && !force {
            let list: Vec<String> = changes
                .iter()
                .take(10)
                .map(|c| format!("  {} {}", c.code, c.path))
                .collect();
            return Err(UserError::with_hint(
                format!(
                    "the worktree of `{name}` has uncommitted changes:\n{}",
                    list.join("\n")
                ),
                format!("commit or move them, or `git aos close {name} --force` to discard them"),
            )
            .into());
        }
        git::worktree::remove(repo_root, &worktree, force)?;
    }
    git::worktree::prune(repo_root)?;
    let head = store.branch_tip(&snap.ws.branch)?;
    let event = Event::new("close", "closed").by(Actor::Person);
    let id = store.archive(name, &event, |tx| {
        let ws = tx.ws_mut();
        ws.status = WsStatus::Closed;
        ws.head = head.clone();
        Ok(())
    })?;
    if delete_branch && let Some(head) = &head {
        store.delete_branch(&snap.ws.branch, head)?;
    }
    Ok(id)
}

/// Returns the worktrees of a workstream's tasks (`<name>.tasks/<task>` beside its
/// worktree) that git knows.
fn task_worktrees(repo_root: &Path, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    Ok(git::worktree::list(repo_root)?
        .into_iter()
        .map(|w| w.path)
        .filter(|p| p.starts_with(dir))
        .collect())
}

/// Removes the worktrees of a workstream's tasks; when one holds work (a task that
/// failed, waits or was skipped), nothing is removed unless `force`.
fn remove_task_worktrees(
    repo_root: &Path,
    worktree: &Path,
    ws: &crate::store::WorkstreamRecord,
    force: bool,
) -> anyhow::Result<()> {
    let dir = worktree.with_file_name(format!("{}.tasks", ws.name));
    let all = task_worktrees(repo_root, &dir)?;
    if !force {
        for wt in &all {
            if !git::worktree::changes(wt)?.is_empty() {
                return Err(UserError::with_hint(
                    format!(
                        "the task worktree `{}` of `{}` holds work that did not land",
                        wt.display(),
                        ws.name
                    ),
                    format!(
                        "land or skip it first, or `git aos close {} --force` to discard it",
                        ws.name
                    ),
                )
                .into());
            }
        }
    }
    for wt in &all {
        git::worktree::remove(repo_root, wt, true)?;
    }
    // Only when empty: anything else in it is not ours to delete.
    let _ = std::fs::remove_dir(&dir);
    Ok(())
}

/// Returns the branch path of the plan file when the worktree holds it untracked and
/// exactly as the state has it (placed there by `new`, never changed since).
fn placed_plan(store: &Store, snap: &Snapshot, worktree: &Path) -> anyhow::Result<Option<String>> {
    let Some(rel) = snap.ws.plan_path.clone() else {
        return Ok(None);
    };
    let Some(state) = store.read_file(snap, crate::store::path::PLAN)? else {
        return Ok(None);
    };
    let on_disk = std::fs::read(worktree.join(&rel)).ok();
    Ok((on_disk.as_deref() == Some(state.as_slice())).then_some(rel))
}

/// Writes the state's plan into a recreated worktree when its branch does not carry the
/// plan file (a plan placed by `new` that no task committed yet).
fn place_plan_again(store: &Store, snap: &Snapshot, worktree: &Path) -> anyhow::Result<()> {
    let Some(rel) = &snap.ws.plan_path else {
        return Ok(());
    };
    let file = worktree.join(rel);
    if file.exists() {
        return Ok(());
    }
    if let Some(text) = store.read_file(snap, crate::store::path::PLAN)? {
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        crate::atomic_file::replace(&file, text, None)?;
    }
    Ok(())
}

/// Reopens an archived workstream (by archive id, or by name for its newest archive):
/// recreates its branch if it was deleted and its worktree, then makes its state live.
pub fn open(store: &Store, repo_root: &Path, id_or_name: &str) -> anyhow::Result<Snapshot> {
    let entry = archived(store, id_or_name)?;
    let id = entry.id.clone();
    let ws = &entry.ws;
    if store.try_find(&ws.name)?.is_some() {
        return Err(UserError::with_hint(
            format!("a live workstream named `{}` exists already", ws.name),
            format!("close it first with `git aos close {}`", ws.name),
        )
        .into());
    }
    if store.branch_tip(&ws.branch)?.is_none() {
        let head = ws.head.as_deref().ok_or_else(|| {
            UserError::new(format!(
                "branch `{}` is gone and the archive does not record its tip",
                ws.branch
            ))
        })?;
        store.create_branch(&ws.branch, head)?;
    }
    let worktree = super::worktree_path(store, ws);
    if worktree.exists() {
        return Err(UserError::with_hint(
            format!("`{}` is in the way of the worktree", worktree.display()),
            "move it away and run `git aos open` again",
        )
        .into());
    }
    git::worktree::add_existing(repo_root, &worktree, &ws.branch)?;
    crate::hooks::attach_worktree(&store.paths().common_dir, &worktree)?;
    let event = Event::new(
        "open",
        format!("reopened from {}{id}", refs::ARCHIVE_PREFIX),
    )
    .by(Actor::Person);
    let restored = store.restore(&id, &event, |tx| {
        let ws = tx.ws_mut();
        ws.status = if ws.tasks_total > 0 && ws.tasks_done == ws.tasks_total {
            WsStatus::Complete
        } else {
            WsStatus::Active
        };
        ws.head = None;
        ws.reason = None;
        Ok(())
    });
    match restored {
        Ok(snap) => {
            place_plan_again(store, &snap, &worktree)?;
            Ok(snap)
        }
        Err(e) => {
            let _ = git::worktree::remove(repo_root, &worktree, false);
            Err(e)
        }
    }
}

/// How the base of an archived workstream moved past its branch: staleness, and the
/// files a merge into base would conflict in now (computed in memory).
#[derive(Debug, Clone)]
pub struct Drift {
    /// Staleness against base, as `refresh` computes it (no worktree, so nothing uncommitted).
    pub refresh: Refresh,
    /// Files that would conflict merging the branch into base now.
    pub conflicts: Vec<String>,
}

/// Returns how base moved for the archived workstream `open` would bring back, or `None`
/// when base has nothing the branch lacks.
pub fn drift(store: &Store, id_or_name: &str) -> anyhow::Result<Option<Drift>> {
    let ws = archived(store, id_or_name)?.ws;
    let Some(base_tip) = store.resolve(&ws.base)? else {
        return Ok(None);
    };
    let Some(tip) = store.branch_tip(&ws.branch)?.or_else(|| ws.head.clone()) else {
        return Ok(None);
    };
    let divergence = store.divergence(&base_tip, &tip)?;
    if divergence.behind == 0 {
        return Ok(None);
    }
    let conflicts = store
        .preview_merges(&[(base_tip.clone(), tip.clone())])?
        .pop()
        .unwrap_or_default();
    let touched = Touched {
        name: ws.name.clone(),
        base: ws.base.clone(),
        base_tip,
        tip,
        divergence,
        uncommitted: Vec::new(),
    };
    Ok(Some(Drift {
        refresh: Refresh::of(&ws, &touched),
        conflicts,
    }))
}

/// Returns the archive `open` means: an archive id, or a name for its newest archive.
fn archived(store: &Store, id_or_name: &str) -> anyhow::Result<ArchiveEntry> {
    let id = resolve_archive(store, id_or_name)?;
    store
        .list_archives()?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or_else(|| UserError::new(format!("archive `{id}` vanished")).into())
}

fn resolve_archive(store: &Store, id_or_name: &str) -> anyhow::Result<String> {
    if refs::split_archive_id(id_or_name).is_some() {
        return Ok(id_or_name.to_owned());
    }
    let name: WorkstreamName = id_or_name
        .parse()
        .map_err(|e: crate::ids::InvalidId| UserError::new(e.0))?;
    store.newest_archive(&name)?.ok_or_else(|| {
        UserError::with_hint(
            format!("nothing archived under the name `{name}`"),
            "`git aos archive list` shows what is archived",
        )
        .into()
    })
}
