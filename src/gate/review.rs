//! `gates/review.toml`: what waits at the human gate, and the decision taken on it.

use serde::{Deserialize, Serialize};

use crate::ids::{RunId, TaskId};
use crate::store::StateTx;

/// Path of the review gate in the state tree.
pub const PATH: &str = "gates/review.toml";

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
}

/// Returns the pending review gate, if any.
pub fn pending(tx: &StateTx<'_>) -> anyhow::Result<Option<ReviewGate>> {
    tx.read_toml(PATH)
}
