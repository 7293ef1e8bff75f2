//! What must hold before a merge may land, each refusal saying what is wrong and what
//! to do: the workstream is complete, its worktree and base's checkout are clean, and
//! the merge is free of conflicts.

use std::path::{Path, PathBuf};

use crate::error::UserError;
use crate::git;
use crate::store::{Store, WorkstreamRecord, WsStatus};

/// Refuses a workstream that is not `complete`, unless forced.
pub fn refuse_status(ws: &WorkstreamRecord, force: bool) -> anyhow::Result<()> {
    if ws.status == WsStatus::Complete || force {
        return Ok(());
    }
    Err(UserError::with_hint(
        format!("`{}` is `{}`, not `complete`", ws.name, ws.status),
        format!(
            "finish its tasks first (`git aos status {0}` shows them), or merge anyway with `git aos merge {0} --force`",
            ws.name
        ),
    )
    .into())
}

/// Refuses uncommitted or untracked files in the workstream's worktree.
pub fn refuse_uncommitted(
    store: &crate::store::Store,
    ws: &WorkstreamRecord,
) -> anyhow::Result<()> {
    let worktree = &super::worktree_path(store, ws);
    if !worktree.is_dir() {
        return Ok(());
    }
    let changes = git::worktree::changes(worktree)?;
    if changes.is_empty() {
        return Ok(());
    }
    Err(UserError::with_hint(
        format!(
            "the worktree of `{}` has uncommitted changes:\n{}",
            ws.name,
            list(changes.iter().map(|c| format!("{} {}", c.code, c.path)))
        ),
        format!(
            "commit them on `{}` (or discard them), then run `git aos merge {}` again",
            ws.branch, ws.name
        ),
    )
    .into())
}

/// Returns the worktree where the base branch is checked out; a dirty one is refused,
/// and nothing in it is touched.
pub fn base_checkout(repo_root: &Path, ws: &WorkstreamRecord) -> anyhow::Result<Option<PathBuf>> {
    let Some(wt) = git::worktree::list(repo_root)?
        .into_iter()
        .find(|w| w.branch.as_deref() == Some(ws.base.as_str()))
    else {
        return Ok(None);
    };
    let changes = git::worktree::changes(&wt.path)?;
    if changes.is_empty() {
        return Ok(Some(wt.path));
    }
    Err(UserError::with_hint(
        format!(
            "`{}` is checked out in `{}`, which has uncommitted changes; nothing was changed:\n{}",
            ws.base,
            wt.path.display(),
            list(changes.iter().map(|c| format!("{} {}", c.code, c.path)))
        ),
        format!(
            "commit or move them yourself (git aos never stashes or resets), then run `git aos merge {}` again",
            ws.name
        ),
    )
    .into())
}

/// Refuses a merge that would write over files git ignores in the checkout of base (a
/// person's `.env`, say): git itself overwrites ignored files, git aos never does. A file
/// that already holds exactly what the merge brings is no loss and passes.
pub fn refuse_ignored(
    store: &Store,
    ws: &WorkstreamRecord,
    checkout: &Path,
    from: &str,
    to: &str,
) -> anyhow::Result<()> {
    let changed = store.changed_files(from, to)?;
    let co = git::Checkout::locate(&store.paths().common_dir, checkout)?;
    let mut hit = Vec::new();
    for path in git::worktree::ignored_among(&co, &changed)? {
        let ours = std::fs::read(checkout.join(&path)).ok();
        if ours.is_some() && ours != store.file_in(to, &path)? {
            hit.push(path);
        }
    }
    if hit.is_empty() {
        return Ok(());
    }
    Err(UserError::with_hint(
        format!(
            "merging `{}` would overwrite files git ignores in `{}`; nothing was changed:\n{}",
            ws.branch,
            checkout.display(),
            list(hit.iter().cloned())
        ),
        format!(
            "they are yours and git aos never overwrites them: move them away (or make the branch \
             stop adding them), then run `git aos merge {}` again",
            ws.name
        ),
    )
    .into())
}

/// Returns the refusal of a merge that would conflict: the files and the git command
/// that shows them.
pub fn conflicts(ws: &WorkstreamRecord, worktree: &Path, files: &[String]) -> anyhow::Error {
    UserError::with_hint(
        format!(
            "merging `{}` into `{}` would conflict in:\n{}\nsee them with `git merge-tree --write-tree {} {}`; nothing was changed",
            ws.branch,
            ws.base,
            list(files.iter().cloned()),
            ws.base,
            ws.branch
        ),
        format!(
            "merge `{}` into the workstream and resolve there (`git -C {} merge {}`), then run `git aos merge {}` again",
            ws.base,
            worktree.display(),
            ws.base,
            ws.name
        ),
    )
    .into()
}

/// Returns up to 20 lines, indented, with a count of the rest.
fn list(lines: impl Iterator<Item = String>) -> String {
    let all: Vec<String> = lines.collect();
    let mut out: Vec<String> = all.iter().take(20).map(|l| format!("  {l}")).collect();
    if all.len() > 20 {
        out.push(format!("  … and {} more", all.len() - 20));
    }
    out.join("\n")
}
