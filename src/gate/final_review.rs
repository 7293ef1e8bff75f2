//! `gates/final-review.toml`: the reviewer's one verdict on the whole branch after its
//! last task (`final_review = true`), and what a person made of its concerns.

use serde::{Deserialize, Serialize};

use crate::ids::TaskId;

/// Path of the final review in the state tree.
pub const PATH: &str = "gates/final-review.toml";

/// Where the final review stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinalState {
    /// The reviewer approved (or none is configured): the workstream may complete.
    Approved,
    /// The reviewer raised concerns; a person decides.
    Concerns,
    /// A person accepted the branch despite the concerns.
    Accepted,
    /// A person turned the concerns into a fix task.
    Fixing,
}

/// The final review of one branch tip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FinalReview {
    /// Where it stands.
    pub state: FinalState,
    /// The branch tip that was reviewed.
    pub head: String,
    /// The reviewer (`none` when no agent gave a verdict).
    pub reviewer: String,
    /// `approve`, `request_changes`, `block`, `skipped` or `none`.
    pub verdict: String,
    /// The reviewer's summary.
    #[serde(default)]
    pub summary: String,
    /// The reviewer's comments, one line each.
    #[serde(default)]
    pub comments: Vec<String>,
    /// When it was reviewed (RFC 3339).
    pub reviewed_at: String,
    /// Who accepted or rejected it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    /// The fix task the concerns became.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix_task: Option<TaskId>,
}

impl FinalReview {
    /// Returns whether the branch tip `head` needs no further final review.
    pub fn settles(&self, head: &str) -> bool {
        self.head == head && matches!(self.state, FinalState::Approved | FinalState::Accepted)
    }
}
