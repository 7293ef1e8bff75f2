//! The merge of two state trees that diverged from a common one (two clones changed one
//! workstream): pure functions over files, order-independent and idempotent, so every
//! clone that merges the same two states gets the same tree.
//!
//! The rules go by directory, not by file name, so files added to the state later merge
//! too: a file one side left as it was takes the other side's version; a file both
//! changed merges by its kind —
//! - `plan.md`: checkboxes ticked on either side stay ticked; tasks appended on both
//!   sides are all kept; any other change on both sides is refused for the workstream;
//! - `tasks.toml`: per task, the record of its latest run (ids are time-ordered ULIDs);
//! - `memory/*.md`: the union of lines;
//! - `gates/clarify/*.toml`: a question answered on either side is answered;
//! - any other TOML file (`runs/**`, `gates/**`, …): table by table, arrays that grew on
//!   both sides keep both growths, other values come from the newer side;
//! - anything else: the newer side's bytes.
//!
//! Ids both machines can make (`q3`, `u2`, `FIX-1`, `UAT-1`) are renumbered on the side
//! that made them later before anything merges; then the workstream's status and
//! progress are recomputed from its tasks and gates.

mod ids;
mod lines;
mod plan;
mod status;
mod tasks;
mod value;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

pub use plan::cleared as plan_without_checkboxes;

/// A state tree as files: path inside the tree -> content.
pub type Files = BTreeMap<String, Vec<u8>>;

/// Which of two sides is newer, when no rule decides: the state commit's time, then its
/// id, so the order never depends on which side is "ours".
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rank {
    /// Commit time, seconds since the epoch.
    pub time: i64,
    /// Commit id (hex), to break ties.
    pub id: String,
}

/// One side of a merge.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    /// The side's state tree.
    pub files: &'a Files,
    /// How new it is.
    pub rank: &'a Rank,
}

/// The merged state tree and what the merge did beyond copying (renumbered ids).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    /// The merged tree.
    pub files: Files,
    /// One line per decision worth telling people (`q3 asked on both sides: theirs is q4`).
    pub notes: Vec<String>,
}

/// Why two states cannot be merged by the rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

/// Merges two state trees that both descend from `base` (empty when they share none).
///
/// The result does not depend on the order of `a` and `b`; merging a tree with itself,
/// or with `base`, returns the other tree unchanged.
pub fn merge(base: &Files, a: Side<'_>, b: Side<'_>) -> Result<Merged, Refused> {
    if a.files == b.files || b.files == base {
        return Ok(unchanged(a.files));
    }
    if a.files == base {
        return Ok(unchanged(b.files));
    }
    let (older, newer) = if a.rank <= b.rank { (a, b) } else { (b, a) };
    let mut notes = Vec::new();
    let (older, newer) = ids::renumber(base, older.files, newer.files, &mut notes);
    let mut out = Files::new();
    let paths: BTreeSet<&String> = older.keys().chain(newer.keys()).collect();
    for path in paths {
        let (o, n) = (older.get(path), newer.get(path));
        let merged = match (base.get(path), o, n) {
            (_, o, n) if o == n => o.cloned(),
            (b, o, n) if b == o => n.cloned(),
            (b, o, n) if b == n => o.cloned(),
            // Changed on one side, removed on the other: keep what was changed.
            (_, Some(o), None) => Some(o.clone()),
            (_, None, Some(n)) => Some(n.clone()),
            (b, Some(o), Some(n)) => Some(merge_file(path, b.map(Vec::as_slice), o, n)?),
            (_, None, None) => None,
        };
        if let Some(bytes) = merged {
            out.insert(path.clone(), bytes);
        }
    }
    status::recompute(&mut out, &mut notes);
    Ok(Merged { files: out, notes })
}

fn unchanged(files: &Files) -> Merged {
    Merged {
        files: files.clone(),
        notes: Vec::new(),
    }
}

/// Merges one file both sides changed, by the kind its path says.
fn merge_file(
    path: &str,
    base: Option<&[u8]>,
    older: &[u8],
    newer: &[u8],
) -> Result<Vec<u8>, Refused> {
    if path == crate::store::path::PLAN {
        return plan::merge(base, older, newer);
    }
    if path == crate::store::path::TASKS {
        return Ok(tasks::merge(base, older, newer));
    }
    if path.starts_with("memory/") && path.ends_with(".md") {
        return Ok(lines::union(base, older, newer));
    }
    if path.ends_with(".toml") {
        let kind = if path.starts_with(status::CLARIFY_DIR) {
            value::Kind::Question
        } else {
            value::Kind::Plain
        };
        if let Some(bytes) = value::merge_toml(base, older, newer, kind) {
            return Ok(bytes);
        }
    }
    Ok(newer.to_vec())
}
