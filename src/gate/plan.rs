//! `gates/plan.toml`: a plan between its planner and a person — being drafted, waiting
//! for approval, or given up on — with what the next planner attempt must hear.

use serde::{Deserialize, Serialize};

use crate::agent::prompt::Feedback;
use crate::ids::{RunId, TaskId};

/// Path of the plan gate in the state tree.
pub const PATH: &str = "gates/plan.toml";
/// Path of the brief a planned workstream was made from, in the state tree.
pub const BRIEF: &str = "brief.md";

/// Where the plan stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanState {
    /// The planner has to (re)write the plan; `git aos run` drives it.
    Drafting,
    /// A valid plan waits for `approve` or `reject -f`.
    Waiting,
    /// The planner wrote no valid plan within its attempts.
    Failed,
}

impl PlanState {
    /// Returns the snake_case name used in files and `--json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Drafting => "drafting",
            Self::Waiting => "waiting",
            Self::Failed => "failed",
        }
    }
}

/// Why the plan changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PlanOrigin {
    /// `git aos plan new --brief`: the planner writes the whole plan.
    Brief,
    /// A fix task was appended (UAT failure, final review), in supervised autonomy.
    Amendment {
        /// The task that was added.
        task: Box<AddedTask>,
        /// The plan in the state before the task was added.
        before: String,
        /// The branch's plan file before the task was added.
        before_in_branch: String,
    },
}

/// A task appended to an approved plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddedTask {
    /// Its id (`UAT-1`, `FIX-1`).
    pub id: TaskId,
    /// One-line title.
    pub title: String,
    /// The tasks it depends on.
    #[serde(default)]
    pub depends: Vec<TaskId>,
    /// What to fix, in prose.
    pub body: String,
    /// What the reviewer judges it by.
    #[serde(default)]
    pub criteria: Vec<String>,
    /// Commands aos runs to accept it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commands: Vec<String>,
    /// Its declared scope (`Files:`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// The script the built-in `shell` agent runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
}

impl AddedTask {
    /// Returns the task in the form `plan::append_task` takes.
    pub fn to_new_task(&self) -> crate::plan::NewTask {
        crate::plan::NewTask {
            id: self.id.clone(),
            title: self.title.clone(),
            depends: self.depends.clone(),
            body: self.body.clone(),
            commands: self.commands.clone(),
            criteria: self.criteria.clone(),
            files: self.files.clone(),
            run: self.run.clone(),
        }
    }
}

/// The plan gate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanGate {
    /// Where the plan stands.
    pub state: PlanState,
    /// Why the plan changed.
    pub origin: PlanOrigin,
    /// The run that holds the planner's and reviewer's logs.
    pub run: RunId,
    /// Planner attempts made since the last person's word (1-based once started).
    #[serde(default)]
    pub attempt: u32,
    /// Index into the plan role's agents (primary first, fallbacks after).
    #[serde(default)]
    pub agent_index: usize,
    /// What the next planner attempt must take into account, oldest first.
    #[serde(default)]
    pub feedback: Vec<Feedback>,
    /// The planner's last summary.
    #[serde(default)]
    pub summary: String,
    /// Reviewer verdict on the plan (`approve`, `request_changes`, `block`, `skipped`).
    #[serde(default)]
    pub verdict: Option<String>,
    /// Reviewer summary and comments, one line each.
    #[serde(default)]
    pub review: Vec<String>,
    /// Problems of the last plan written (check diagnostics), when it was invalid.
    #[serde(default)]
    pub problems: Vec<String>,
    /// When it started waiting for a person (RFC 3339).
    #[serde(default)]
    pub requested_at: Option<String>,
}

impl PlanGate {
    /// Returns a gate about to draft a plan from a brief.
    pub fn draft() -> Self {
        Self {
            state: PlanState::Drafting,
            origin: PlanOrigin::Brief,
            run: RunId::generate(),
            attempt: 0,
            agent_index: 0,
            feedback: Vec::new(),
            summary: String::new(),
            verdict: None,
            review: Vec::new(),
            problems: Vec::new(),
            requested_at: None,
        }
    }
}
