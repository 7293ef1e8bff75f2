//! `gates/uat/<id>.toml`: user acceptance after the last task — what people are asked
//! to judge, and what they decided.

use serde::{Deserialize, Serialize};

use crate::ids::TaskId;
use crate::store::StateTx;

/// Directory of UAT requests in the state tree.
pub const DIR: &str = "gates/uat";

/// One task's requirements: its acceptance criteria, the items people judge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirement {
    /// The task.
    pub task: TaskId,
    /// Its title.
    pub title: String,
    /// Its acceptance criteria (the items without a command).
    #[serde(default)]
    pub criteria: Vec<String>,
}

/// What a person decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Accepted: the workstream is complete.
    Passed,
    /// Refused: the issues became a fix task.
    Failed,
}

/// One request for user acceptance and, once decided, its outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UatGate {
    /// Short id, unique within the workstream (`u1`, `u2`, …).
    pub id: String,
    /// When it was requested (RFC 3339).
    pub requested_at: String,
    /// The branch tip that was to be accepted.
    pub head: String,
    /// Per task, what to judge.
    pub requirements: Vec<Requirement>,
    /// What to try, from `[uat] scenarios`.
    #[serde(default)]
    pub scenarios: Vec<String>,
    /// The decision, once taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// What was wrong, for a failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issues: Option<String>,
    /// Who decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    /// When (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<String>,
    /// The task the issues became.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix_task: Option<TaskId>,
}

impl UatGate {
    /// Returns whether it still waits for a decision.
    pub fn is_open(&self) -> bool {
        self.outcome.is_none()
    }
}

/// Returns the path of a UAT request.
pub fn path(id: &str) -> String {
    format!("{DIR}/{id}.toml")
}

/// Returns every UAT request of the workstream, oldest first.
pub fn all(tx: &StateTx<'_>) -> anyhow::Result<Vec<UatGate>> {
    let mut out = Vec::new();
    for file in tx.list_dir(DIR)? {
        if let Some(g) = tx.read_toml::<UatGate>(&format!("{DIR}/{file}"))? {
            out.push(g);
        }
    }
    sort(&mut out);
    Ok(out)
}

/// Sorts requests by their number (`u2` before `u10`).
pub fn sort(gates: &mut [UatGate]) {
    gates.sort_by_key(|g| number(&g.id).unwrap_or(u32::MAX));
}

/// Returns the id the next request gets.
pub fn next_id(existing: &[UatGate]) -> String {
    let n = existing
        .iter()
        .filter_map(|g| number(&g.id))
        .max()
        .unwrap_or(0)
        + 1;
    format!("u{n}")
}

fn number(id: &str) -> Option<u32> {
    id.strip_prefix('u')?.parse().ok()
}
