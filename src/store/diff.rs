//! What a branch changed: merge bases, changed files with rename tracking (a rename counts
//! under its old and its new path) and how many commits one tip has over another.

use std::collections::BTreeSet;

use anyhow::Context as _;
use gix::ObjectId;
use gix::object::tree::diff::ChangeDetached;

use super::Store;

/// How a branch and its base have diverged since their merge base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Divergence {
    /// Their best merge base; `None` for unrelated histories.
    pub merge_base: Option<String>,
    /// Files the branch changed since the merge base, sorted.
    pub files: Vec<String>,
    /// Files the base changed since the merge base, sorted.
    pub base_files: Vec<String>,
    /// Commits on the branch that the base lacks.
    pub ahead: usize,
    /// Commits on the base that the branch lacks.
    pub behind: usize,
}

impl Store {
    /// Returns how `tip` and `base_tip` diverged; both are commit ids (hex).
    pub fn divergence(&self, base_tip: &str, tip: &str) -> anyhow::Result<Divergence> {
        let repo = self.cached_repo();
        divergence_in(&repo, parse_id(base_tip)?, parse_id(tip)?)
    }

    /// Returns the files changed between two commits' trees, sorted; a rename gives both paths.
    pub fn changed_files(&self, from: &str, to: &str) -> anyhow::Result<Vec<String>> {
        let repo = self.cached_repo();
        changed_in(&repo, Some(parse_id(from)?), parse_id(to)?)
    }

    /// Returns whether `ancestor` is `descendant` or one of its ancestors.
    pub fn is_ancestor(&self, ancestor: &str, descendant: &str) -> anyhow::Result<bool> {
        let repo = self.cached_repo();
        let (a, d) = (parse_id(ancestor)?, parse_id(descendant)?);
        Ok(a == d || repo.merge_base(a, d)?.is_some_and(|b| b.detach() == a))
    }

    /// Returns a repository handle with an object cache, for walks and diffs that read the
    /// same trees and commits again and again.
    pub(super) fn cached_repo(&self) -> gix::Repository {
        let mut repo = self.repo();
        repo.object_cache_size_if_unset(16 * 1024 * 1024);
        repo
    }
}

/// Computes [`Divergence`] with one repository handle (so its object cache is reused).
pub(super) fn divergence_in(
    repo: &gix::Repository,
    base_tip: ObjectId,
    tip: ObjectId,
) -> anyhow::Result<Divergence> {
    let merge_base = repo.merge_base(base_tip, tip)?.map(|id| id.detach());
    Ok(Divergence {
        merge_base: merge_base.map(|id| id.to_string()),
        files: changed_in(repo, merge_base, tip)?,
        base_files: changed_in(repo, merge_base, base_tip)?,
        ahead: count_in(repo, base_tip, tip)?,
        behind: count_in(repo, tip, base_tip)?,
    })
}

/// Returns the paths that differ between the trees of `from` (the empty tree when `None`)
/// and `to`, with rename tracking; directories themselves are not listed.
pub(super) fn changed_in(
    repo: &gix::Repository,
    from: Option<ObjectId>,
    to: ObjectId,
) -> anyhow::Result<Vec<String>> {
    if from == Some(to) {
        return Ok(Vec::new());
    }
    let old = match from {
        Some(id) => repo.find_commit(id)?.tree_id()?.detach(),
        None => ObjectId::empty_tree(repo.object_hash()),
    };
    let new = repo.find_commit(to)?.tree_id()?.detach();
    changed_trees_in(repo, old, new)
}

/// Returns the paths that differ between two trees, with rename tracking; directories
/// themselves are not listed.
pub(super) fn changed_trees_in(
    repo: &gix::Repository,
    old: ObjectId,
    new: ObjectId,
) -> anyhow::Result<Vec<String>> {
    if old == new {
        return Ok(Vec::new());
    }
    let to = new;
    let old = repo.find_tree(old)?;
    let new = repo.find_tree(new)?;
    let options = gix::diff::Options::default().with_rewrites(Some(gix::diff::Rewrites::default()));
    let changes = repo
        .diff_tree_to_tree(&old, &new, options)
        .with_context(|| format!("could not diff {} against {to}", old.id))?;
    let mut files = BTreeSet::new();
    for change in changes {
        let (mode, paths) = match &change {
            ChangeDetached::Addition {
                location,
                entry_mode,
                ..
            }
            | ChangeDetached::Deletion {
                location,
                entry_mode,
                ..
            }
            | ChangeDetached::Modification {
                location,
                entry_mode,
                ..
            } => (*entry_mode, [Some(location), None]),
            ChangeDetached::Rewrite {
                source_location,
                location,
                entry_mode,
                ..
            } => (*entry_mode, [Some(source_location), Some(location)]),
        };
        if mode.is_tree() {
            continue;
        }
        files.extend(paths.into_iter().flatten().map(|p| p.to_string()));
    }
    Ok(files.into_iter().collect())
}

/// Returns how many commits reachable from `to` are not reachable from `from`.
fn count_in(repo: &gix::Repository, from: ObjectId, to: ObjectId) -> anyhow::Result<usize> {
    if from == to {
        return Ok(0);
    }
    let mut n = 0;
    for info in repo.rev_walk([to]).with_hidden([from]).all()? {
        info?;
        n += 1;
    }
    Ok(n)
}

/// Parses a full hex object id.
pub(super) fn parse_id(hex: &str) -> anyhow::Result<ObjectId> {
    ObjectId::from_hex(hex.as_bytes()).with_context(|| format!("`{hex}` is not an object id"))
}
