//! `gates/review/<task>.toml`: what waits at the human gate, one file per task (several
//! tasks can wait while others run). States written before gates were per task hold one
//! `gates/review.toml`; it is read as the gate of the task it names.

use serde::{Deserialize, Serialize};

use crate::ids::{RunId, TaskId};
use crate::store::{Snapshot, StateTx, Store};

/// The directory of the per-task review gates in the state tree.
pub const DIR: &str = "gates/review";
/// The single review gate of states written before gates were per task.
pub const LEGACY: &str = "gates/review.toml";

/// Returns the path of a task's review gate in the state tree.
pub fn path(task: &TaskId) -> String {
    format!("{DIR}/{task}.toml")
}

/// A task waiting for a person's approve / reject / reset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewGate {
    /// The task.
    pub task: TaskId,
    /// Its run.
    pub run: RunId,
    /// The attempt that reached the gate.
    pub attempt: u32,
    /// When it started waiting (RFC 3339).
    pub requested_at: String,
    /// `git diff --stat` of what will be committed.
    pub diff_stat: String,
    /// Files that will be committed.
    pub files: Vec<String>,
    /// One line per test or acceptance command: `ok  cmd` / `FAIL cmd`.
    pub tests: Vec<String>,
    /// Reviewer verdict (`approve`, `request_changes`, `block`, or `skipped`).
    pub verdict: String,
    /// Reviewer summary.
    #[serde(default)]
    pub review_summary: String,
    /// Reviewer comments, one line each (`severity path:line message`).
    #[serde(default)]
    pub comments: Vec<String>,
    /// The implementing agent's summary.
    #[serde(default)]
    pub agent_summary: String,
    /// The branch tip the change starts from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    /// The tree that was tested and reviewed: what `approve` commits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tree: Option<String>,
    /// What agents did beyond writing files during the run (custody findings).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custody: Vec<String>,
    /// Whether the reviewer was the agent that made the attempt.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub self_review: bool,
    /// Files whose change conflicts with what landed meanwhile: the task waits for a
    /// person to resolve them in its worktree.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<String>,
    /// The task's worktree, when it runs in its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worktree: Option<String>,
}

/// Returns the review gate of `task` in the state being changed, if any.
pub fn pending(tx: &StateTx<'_>, task: &TaskId) -> anyhow::Result<Option<ReviewGate>> {
    if let Some(gate) = tx.read_toml(&path(task))? {
        return Ok(Some(gate));
    }
    Ok(tx
        .read_toml::<ReviewGate>(LEGACY)?
        .filter(|g| &g.task == task))
}

/// Removes the review gate of `task` from the state being changed.
pub fn remove(tx: &mut StateTx<'_>, task: &TaskId) -> anyhow::Result<()> {
    tx.remove(&path(task));
    if tx
        .read_toml::<ReviewGate>(LEGACY)?
        .is_some_and(|g| &g.task == task)
    {
        tx.remove(LEGACY);
    }
    Ok(())
}

/// Returns every review gate of a snapshot, in task order of their files.
pub fn all(store: &Store, snap: &Snapshot) -> anyhow::Result<Vec<ReviewGate>> {
    let mut gates = Vec::new();
    for file in store.list_dir(snap, DIR)? {
        if let Some(g) = store.read_toml::<ReviewGate>(snap, &format!("{DIR}/{file}"))? {
            gates.push(g);
        }
    }
    if let Some(g) = store.read_toml::<ReviewGate>(snap, LEGACY)?
        && !gates.iter().any(|x| x.task == g.task)
    {
        gates.push(g);
    }
    Ok(gates)
}
