//! Making a workstream runnable on this machine when its state arrived from another:
//! its branch brought up to what the remote has (only ever forward), and its worktree
//! made at this machine's path, with the hooks and `[project] setup` a new one gets.

use std::path::Path;

use crate::config::Config;
use crate::error::UserError;
use crate::git;
use crate::store::{Store, WorkstreamRecord, refs};

/// What `checkout_here` had to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckedOut {
    /// The worktree did not exist here and was made now.
    pub worktree_made: bool,
    /// The branch moved forward to the remote's tip.
    pub branch_moved: bool,
}

/// Makes sure the workstream's branch is here and not behind `remote_tip` (the branch as
/// last fetched from the remote), and that its worktree exists at this machine's path.
pub fn checkout_here(
    store: &Store,
    cfg: &Config,
    repo_root: &Path,
    ws: &WorkstreamRecord,
    remote_tip: Option<&str>,
) -> anyhow::Result<CheckedOut> {
    let worktree = super::worktree_path(store, ws);
    let has_worktree = worktree.join(".git").exists() && super::is_ours(store, &worktree);
    let full = refs::branch(&ws.branch);
    let local = store.branch_tip(&ws.branch)?;
    let mut branch_moved = false;
    match (local.as_deref(), remote_tip) {
        (None, None) => {
            return Err(UserError::with_hint(
                format!(
                    "the branch `{}` of `{}` is neither here nor on the remote",
                    ws.branch, ws.name
                ),
                format!(
                    "`git aos close {} --force` archives the workstream",
                    ws.name
                ),
            )
            .into());
        }
        (None, Some(tip)) => {
            store.sync_ref(&full, None, Some(tip), "branch taken from the remote")?;
            branch_moved = true;
        }
        (Some(l), Some(r)) if l != r && store.is_ancestor(l, r)? => {
            if has_worktree {
                git::remote::fast_forward(&worktree, r)?;
            } else if !store.sync_ref(&full, Some(l), Some(r), "branch fast-forwarded")? {
                anyhow::bail!("`{}` moved while it was being brought forward", ws.branch);
            }
            branch_moved = true;
        }
        (Some(l), Some(r)) if l != r && !store.is_ancestor(r, l)? => {
            return Err(UserError::with_hint(
                format!(
                    "`{}` has commits here that the remote's lacks, and the other way round",
                    ws.branch
                ),
                format!(
                    "merge `{r}` into it by hand (in `{}`), then run again",
                    worktree.display()
                ),
            )
            .into());
        }
        _ => {}
    }
    if has_worktree {
        return Ok(CheckedOut {
            worktree_made: false,
            branch_moved,
        });
    }
    if worktree.exists() {
        return Err(UserError::with_hint(
            format!(
                "`{}` is in the way of the worktree of `{}`",
                worktree.display(),
                ws.name
            ),
            "move it away, or set `[project] worktrees` to another directory",
        )
        .into());
    }
    // A registration left by a worktree deleted by hand would refuse the path.
    git::worktree::prune(repo_root)?;
    git::worktree::add_existing(repo_root, &worktree, &ws.branch)?;
    let made = crate::hooks::attach_worktree(&store.paths().common_dir, &worktree)
        .and_then(|()| super::setup::run(&cfg.project.setup, &worktree));
    if let Err(e) = made {
        let _ = git::worktree::remove(repo_root, &worktree, true);
        return Err(e);
    }
    Ok(CheckedOut {
        worktree_made: true,
        branch_moved,
    })
}
