//! What a workstream touches right now: files committed on its branch since the merge
//! base with its base branch (both paths of a rename), plus what is uncommitted or
//! untracked in its worktree; and how its base has moved meanwhile.

use std::collections::BTreeSet;

use crate::error::UserError;
use crate::git;
use crate::ids::WorkstreamName;
use crate::store::{Divergence, Store, WorkstreamRecord};

/// What one workstream touches, computed now.
#[derive(Debug, Clone)]
pub struct Touched {
    /// The workstream.
    pub name: WorkstreamName,
    /// Its base (branch or revision).
    pub base: String,
    /// The commit its base names now.
    pub base_tip: String,
    /// The tip of its branch.
    pub tip: String,
    /// Branch and base since their merge base.
    pub divergence: Divergence,
    /// Files changed, staged or untracked in its worktree (none when it has no worktree).
    pub uncommitted: Vec<String>,
}

impl Touched {
    /// Returns every file the workstream touches, committed or not, sorted.
    pub fn files(&self) -> BTreeSet<&str> {
        self.divergence
            .files
            .iter()
            .chain(&self.uncommitted)
            .map(String::as_str)
            .collect()
    }

    /// Returns whether `file` is touched only by uncommitted work.
    pub fn only_uncommitted(&self, file: &str) -> bool {
        self.divergence
            .files
            .binary_search_by(|f| f.as_str().cmp(file))
            .is_err()
            && self.uncommitted.iter().any(|f| f == file)
    }
}

/// Computes what the workstream `ws` touches.
pub fn touched(store: &Store, ws: &WorkstreamRecord) -> anyhow::Result<Touched> {
    let base_tip = store.resolve(&ws.base)?.ok_or_else(|| {
        UserError::with_hint(
            format!("the base `{}` of `{}` names no commit", ws.base, ws.name),
            format!("recreate the branch `{}`, or close the workstream", ws.base),
        )
    })?;
    let tip = store.branch_tip(&ws.branch)?.ok_or_else(|| {
        UserError::with_hint(
            format!("the branch `{}` of `{}` is gone", ws.branch, ws.name),
            format!(
                "`git aos close {} --force` archives the workstream",
                ws.name
            ),
        )
    })?;
    let divergence = store.divergence(&base_tip, &tip)?;
    let worktree = &super::worktree_path(store, ws);
    let mut uncommitted: Vec<String> = if worktree.is_dir() {
        git::worktree::changes(worktree)?
            .into_iter()
            .map(|c| c.path)
            .collect()
    } else {
        Vec::new()
    };
    uncommitted.sort();
    uncommitted.dedup();
    Ok(Touched {
        name: ws.name.clone(),
        base: ws.base.clone(),
        base_tip,
        tip,
        divergence,
        uncommitted,
    })
}
