//! `refresh`: record in a workstream's state what it touches and how stale it is against
//! its base (`refresh.toml`, event `refresh`).
//!
//! Staleness is `behind + 10 × shared`: `behind` counts the commits base gained since
//! the fork point (the merge base of base and branch: `base_commit`, until the
//! workstream merges its base in), and `shared` the files that both base (since the fork
//! point) and the workstream (committed or not) changed — each one a place where
//! bringing the two together can conflict, so each weighs ten commits. `0` means base
//! has not moved.

use serde::{Deserialize, Serialize};

use super::touched::{Touched, touched};
use crate::ids::WorkstreamName;
use crate::store::{Actor, Event, Store, WorkstreamRecord, now_rfc3339};

/// Where the record lives in the state tree.
pub const REFRESH_FILE: &str = "refresh.toml";

/// Weight of one file changed by both base and workstream, in commits.
const SHARED_FILE_WEIGHT: u64 = 10;

/// `refresh.toml`: what a workstream touches and how far its base has moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refresh {
    /// The workstream.
    pub name: WorkstreamName,
    /// RFC 3339 time of the computation.
    pub refreshed_at: String,
    /// Base branch (or revision).
    pub base: String,
    /// The commit base named when the workstream was created.
    pub base_commit: String,
    /// The commit base names now.
    pub base_tip: String,
    /// The tip of the workstream's branch.
    pub branch_tip: String,
    /// Merge base of base and branch (the fork point); empty for unrelated histories.
    pub merge_base: String,
    /// Commits on the branch since the fork point.
    pub ahead: usize,
    /// Commits on base since the fork point.
    pub behind: usize,
    /// Files base changed since the fork point.
    pub base_files_changed: usize,
    /// Files both base and the workstream changed.
    pub shared: Vec<String>,
    /// `behind + 10 × len(shared)`.
    pub staleness: u64,
    /// Files committed on the branch since the fork point (both paths of a rename).
    pub committed: Vec<String>,
    /// Files modified, staged or untracked in the worktree.
    pub uncommitted: Vec<String>,
}

impl Refresh {
    /// Builds the record from what the workstream touches now.
    pub fn of(ws: &WorkstreamRecord, t: &Touched) -> Self {
        let files = t.files();
        let shared: Vec<String> = t
            .divergence
            .base_files
            .iter()
            .filter(|f| files.contains(f.as_str()))
            .cloned()
            .collect();
        Self {
            name: ws.name.clone(),
            refreshed_at: now_rfc3339(),
            base: ws.base.clone(),
            base_commit: ws.base_commit.clone(),
            base_tip: t.base_tip.clone(),
            branch_tip: t.tip.clone(),
            merge_base: t.divergence.merge_base.clone().unwrap_or_default(),
            ahead: t.divergence.ahead,
            behind: t.divergence.behind,
            base_files_changed: t.divergence.base_files.len(),
            staleness: staleness(t.divergence.behind, shared.len()),
            shared,
            committed: t.divergence.files.clone(),
            uncommitted: t.uncommitted.clone(),
        }
    }

    /// Returns how many distinct files the workstream touches, committed or not.
    pub fn touched_count(&self) -> usize {
        let all: std::collections::BTreeSet<&String> =
            self.committed.iter().chain(&self.uncommitted).collect();
        all.len()
    }

    /// Returns whether two records say the same, whenever they were computed.
    fn same_as(&self, other: &Self) -> bool {
        let mut other = other.clone();
        other.refreshed_at.clone_from(&self.refreshed_at);
        *self == other
    }
}

/// Returns the staleness score: `behind + 10 × shared`.
pub fn staleness(behind: usize, shared: usize) -> u64 {
    behind as u64 + SHARED_FILE_WEIGHT * shared as u64
}

/// Computes the record of a workstream (live or archived) without storing it.
pub fn compute(store: &Store, ws: &WorkstreamRecord) -> anyhow::Result<Refresh> {
    Ok(Refresh::of(ws, &touched(store, ws)?))
}

/// Recomputes a live workstream's record and stores it with a `refresh` state commit,
/// unless it says what the stored one says. Returns it and whether it was stored.
pub fn refresh(store: &Store, name: &WorkstreamName) -> anyhow::Result<(Refresh, bool)> {
    let snap = store.find(name)?;
    let record = compute(store, &snap.ws)?;
    let stored: Option<Refresh> = store.read_toml(&snap, REFRESH_FILE).ok().flatten();
    if stored.is_some_and(|s| s.same_as(&record)) {
        return Ok((record, false));
    }
    let event = Event::new(
        "refresh",
        format!(
            "refresh: {} files touched, {} behind {} (staleness {})",
            record.touched_count(),
            record.behind,
            record.base,
            record.staleness
        ),
    )
    .by(Actor::Person);
    store.update(name, &event, |tx| tx.put_toml(REFRESH_FILE, &record))?;
    Ok((record, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staleness_weighs_shared_files_ten_commits() {
        assert_eq!(staleness(0, 0), 0);
        assert_eq!(staleness(3, 0), 3);
        assert_eq!(staleness(3, 2), 23);
    }
}
