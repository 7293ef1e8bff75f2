//! Three-way merges in-process: previews that run entirely in memory (not one object
//! reaches the object database), and the real merge whose tree `merge` commits.

use gix::ObjectId;
use gix::merge::blob::builtin_driver::text::Labels;
use gix::merge::tree::TreatAsUnresolved;

use super::Store;
use super::diff::parse_id;

/// Most threads a batch of previews runs on.
const MAX_THREADS: usize = 4;

/// The result of a merge: the merged tree when it is clean, else the conflicting paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeResult {
    /// Clean: the merged tree (hex), written to the object database.
    Clean(String),
    /// Unresolved conflicts in these paths (sorted); nothing was written.
    Conflicts(Vec<String>),
}

impl Store {
    /// Merges each (ours, theirs) pair of commits in memory and returns, per pair and in
    /// order, the paths that would conflict (empty when the merge is clean).
    ///
    /// Nothing is written to the object database: each thread's repository keeps the
    /// objects a merge produces (merged blobs, virtual merge bases) in memory.
    pub fn preview_merges(&self, pairs: &[(String, String)]) -> anyhow::Result<Vec<Vec<String>>> {
        let ids = pairs
            .iter()
            .map(|(a, b)| Ok((parse_id(a)?, parse_id(b)?)))
            .collect::<anyhow::Result<Vec<_>>>()?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let threads = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .clamp(1, MAX_THREADS)
            .min(ids.len().div_ceil(8));
        let chunk = ids.len().div_ceil(threads.max(1));
        std::thread::scope(|scope| {
            let handles: Vec<_> = ids
                .chunks(chunk)
                .map(|part| scope.spawn(move || self.preview_chunk(part)))
                .collect();
            let mut out = Vec::with_capacity(ids.len());
            for handle in handles {
                let part = handle
                    .join()
                    .map_err(|_| anyhow::anyhow!("a merge preview thread panicked"))??;
                out.extend(part);
            }
            Ok(out)
        })
    }

    /// Merges `theirs` into `ours` (commits, hex). A clean merge writes its tree; a
    /// conflicting one is found in memory first and writes nothing.
    pub fn merge_commits(&self, ours: &str, theirs: &str) -> anyhow::Result<MergeResult> {
        let (ours, theirs) = (parse_id(ours)?, parse_id(theirs)?);
        let dry = self.memory_repo();
        let conflicts = merge_in(&dry, ours, theirs)?.1;
        if !conflicts.is_empty() {
            return Ok(MergeResult::Conflicts(conflicts));
        }
        let repo = self.cached_repo();
        let (tree, conflicts) = merge_in(&repo, ours, theirs)?;
        anyhow::ensure!(
            conflicts.is_empty(),
            "a merge that was clean in memory conflicted on disk"
        );
        Ok(MergeResult::Clean(tree.to_string()))
    }

    /// Merges the change `ancestor → theirs` into `ours` (three trees, or commits whose
    /// trees are meant), cherry-pick style. A clean merge writes its tree; a conflicting
    /// one is found in memory first and writes nothing.
    pub fn merge_trees(
        &self,
        ancestor: &str,
        ours: &str,
        theirs: &str,
    ) -> anyhow::Result<MergeResult> {
        let ids = self.three_trees(ancestor, ours, theirs)?;
        let dry = merge_trees_in(&self.memory_repo(), ids.0, ids.1, ids.2)?;
        if let MergeResult::Conflicts(_) = dry {
            return Ok(dry);
        }
        merge_trees_in(&self.cached_repo(), ids.0, ids.1, ids.2)
    }

    /// Merges like [`Store::merge_trees`] but always writes the result: conflicting text
    /// files hold conflict markers, as `git merge` leaves them. Returns the tree and the
    /// conflicting paths (empty when clean).
    pub fn merge_trees_marked(
        &self,
        ancestor: &str,
        ours: &str,
        theirs: &str,
    ) -> anyhow::Result<(String, Vec<String>)> {
        let (a, o, t) = self.three_trees(ancestor, ours, theirs)?;
        let repo = self.cached_repo();
        let labels = Labels {
            ancestor: Some("base".into()),
            current: Some("landed".into()),
            other: Some("this task".into()),
        };
        let mut outcome = repo.merge_trees(a, o, t, labels, repo.tree_merge_options()?)?;
        let conflicts = conflict_paths(&outcome.conflicts);
        Ok((outcome.tree.write()?.detach().to_string(), conflicts))
    }

    fn three_trees(
        &self,
        ancestor: &str,
        ours: &str,
        theirs: &str,
    ) -> anyhow::Result<(ObjectId, ObjectId, ObjectId)> {
        Ok((
            parse_id(&self.tree_of_any(ancestor)?)?,
            parse_id(&self.tree_of_any(ours)?)?,
            parse_id(&self.tree_of_any(theirs)?)?,
        ))
    }

    /// Returns a repository whose object writes stay in memory.
    pub(super) fn memory_repo(&self) -> gix::Repository {
        self.cached_repo().with_object_memory()
    }

    fn preview_chunk(&self, pairs: &[(ObjectId, ObjectId)]) -> anyhow::Result<Vec<Vec<String>>> {
        let repo = self.memory_repo();
        pairs
            .iter()
            .map(|(ours, theirs)| Ok(merge_in(&repo, *ours, *theirs)?.1))
            .collect()
    }
}

/// Merges two commits in `repo` and returns the merged tree (written to wherever `repo`
/// writes) and the paths with unresolved conflicts, as `git merge` would leave them.
fn merge_in(
    repo: &gix::Repository,
    ours: ObjectId,
    theirs: ObjectId,
) -> anyhow::Result<(ObjectId, Vec<String>)> {
    let options = gix::merge::commit::Options::from(repo.tree_merge_options()?)
        .with_allow_missing_merge_base(true);
    let labels = Labels {
        ancestor: None,
        current: Some("ours".into()),
        other: Some("theirs".into()),
    };
    let mut outcome = repo.merge_commits(ours, theirs, labels, options)?;
    let conflicts = conflict_paths(&outcome.tree_merge.conflicts);
    let tree = if conflicts.is_empty() {
        outcome.tree_merge.tree.write()?.detach()
    } else {
        ObjectId::null(repo.object_hash())
    };
    Ok((tree, conflicts))
}

/// Merges `theirs_tree` into `ours_tree` given their `ancestor_tree` (cherry-pick style);
/// returns the merged tree, or the conflicting paths.
pub(super) fn merge_trees_in(
    repo: &gix::Repository,
    ancestor_tree: ObjectId,
    ours_tree: ObjectId,
    theirs_tree: ObjectId,
) -> anyhow::Result<MergeResult> {
    let labels = Labels {
        ancestor: Some("parent".into()),
        current: Some("onto".into()),
        other: Some("picked".into()),
    };
    let mut outcome = repo.merge_trees(
        ancestor_tree,
        ours_tree,
        theirs_tree,
        labels,
        repo.tree_merge_options()?,
    )?;
    let conflicts = conflict_paths(&outcome.conflicts);
    if !conflicts.is_empty() {
        return Ok(MergeResult::Conflicts(conflicts));
    }
    Ok(MergeResult::Clean(
        outcome.tree.write()?.detach().to_string(),
    ))
}

/// Returns the sorted paths of every conflict git would leave unresolved.
fn conflict_paths(conflicts: &[gix::merge::tree::Conflict]) -> Vec<String> {
    let mut paths: Vec<String> = conflicts
        .iter()
        .filter(|c| c.is_unresolved(TreatAsUnresolved::git()))
        .flat_map(|c| {
            let (ours, theirs) = c.changes_in_resolution();
            [ours.location().to_string(), theirs.location().to_string()]
        })
        .collect();
    paths.sort();
    paths.dedup();
    paths
}
