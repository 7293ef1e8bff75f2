//! The records a state commit's tree holds (`workstream.toml`, `tasks.toml`) and their
//! status enums. Plain data: reading and writing them is `tx`'s business.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ids::{RunId, TaskId, WorkstreamName};

/// The schema version this binary writes and the newest it reads.
pub const FORMAT: u32 = 1;

/// Path of each well-known file inside a state tree.
pub mod path {
    /// Schema version.
    pub const FORMAT: &str = "format";
    /// The workstream record.
    pub const WORKSTREAM: &str = "workstream.toml";
    /// Per-task state.
    pub const TASKS: &str = "tasks.toml";
    /// The plan as loaded.
    pub const PLAN: &str = "plan.md";
}

/// Where a workstream is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WsStatus {
    /// Created, nothing running.
    Active,
    /// A pipeline runs on it now (or did, and was interrupted).
    Running,
    /// Waiting for a person at the human gate.
    AwaitingReview,
    /// Waiting for the answer to a question.
    Blocked,
    /// Waiting for user acceptance.
    AwaitingUat,
    /// Every task is done.
    Complete,
    /// A task failed after its retries.
    Failed,
    /// Abandoned and archived.
    Closed,
    /// Merged into its base and archived.
    Merged,
}

impl WsStatus {
    /// Returns the snake_case name used in files and `--json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Running => "running",
            Self::AwaitingReview => "awaiting_review",
            Self::Blocked => "blocked",
            Self::AwaitingUat => "awaiting_uat",
            Self::Complete => "complete",
            Self::Failed => "failed",
            Self::Closed => "closed",
            Self::Merged => "merged",
        }
    }
}

impl fmt::Display for WsStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a task is in the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Not started.
    #[default]
    Pending,
    /// In the pipeline now.
    Running,
    /// Waiting at the human gate.
    AwaitingReview,
    /// Waiting for an answer.
    Blocked,
    /// Committed.
    Done,
    /// Failed after its retries.
    Failed,
    /// Set aside by a person (`git aos skip`): its dependents wait, the rest goes on.
    Skipped,
}

impl TaskStatus {
    /// Returns the snake_case name used in files and `--json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::AwaitingReview => "awaiting_review",
            Self::Blocked => "blocked",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
        }
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `workstream.toml`: who the workstream is and where it stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkstreamRecord {
    /// The workstream's name.
    pub name: WorkstreamName,
    /// Short branch name, `aos/<name>`.
    pub branch: String,
    /// What it branched from and merges into (a branch name, or a revision).
    pub base: String,
    /// The commit `base` pointed at when the workstream was created.
    pub base_commit: String,
    /// Absolute path of its worktree.
    pub worktree: String,
    /// Pipeline profile from `aos.toml`.
    pub profile: String,
    /// Lifecycle status.
    pub status: WsStatus,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// RFC 3339, UTC; set on every write.
    pub updated_at: String,
    /// Path of the plan file inside the branch, when a plan was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_path: Option<String>,
    /// The task the pipeline works on now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_task: Option<TaskId>,
    /// Why the status is what it is (failure reason, gate), for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The branch tip when the workstream was archived (to recreate a deleted branch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<String>,
    /// The commit that landed the workstream on its base, once merged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge_commit: Option<String>,
    /// Tasks done, kept in step with `tasks.toml` so listing needs no second blob.
    #[serde(default)]
    pub tasks_done: usize,
    /// Tasks in the plan.
    #[serde(default)]
    pub tasks_total: usize,
    /// The branch tip as git aos last set it (a landing, or adopted when a run starts):
    /// while tasks run in their own worktrees, any other tip is something an agent did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tip: Option<String>,
    /// The landing in progress: written before the branch moves, cleared after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integrating: Option<Integrating>,
}

#[cfg(test)]
impl WorkstreamRecord {
    /// Returns an active record of workstream `name` whose worktree is `worktree`, for tests.
    pub(crate) fn example(name: &str, worktree: &str) -> Self {
        Self {
            name: name.parse().expect("a valid workstream name"),
            branch: format!("aos/{name}"),
            base: "main".into(),
            base_commit: "0".repeat(40),
            worktree: worktree.into(),
            profile: "default".into(),
            status: WsStatus::Active,
            created_at: now_rfc3339(),
            updated_at: now_rfc3339(),
            plan_path: None,
            current_task: None,
            reason: None,
            head: None,
            merge_commit: None,
            tasks_done: 0,
            tasks_total: 0,
            tip: None,
            integrating: None,
        }
    }
}

/// A task's landing on the workstream branch, journaled before the branch moves so a
/// crash at any point lands it exactly once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Integrating {
    /// The task being landed.
    pub task: TaskId,
    /// Its run.
    pub run: RunId,
    /// The branch tip the landing commit was made on.
    pub from: String,
    /// The landing commit.
    pub to: String,
}

/// One task's state in `tasks.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskRecord {
    /// Task id from the plan.
    pub id: TaskId,
    /// Title from the plan.
    #[serde(default)]
    pub title: String,
    /// Pipeline status.
    #[serde(default)]
    pub status: TaskStatus,
    /// Ids of the tasks this one waits for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends: Vec<TaskId>,
    /// Implementation attempts made so far.
    #[serde(default)]
    pub attempts: u32,
    /// Agent of the latest attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    /// Run of the latest attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_run: Option<RunId>,
    /// The commit that landed the task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Outputs the task recorded (`${ID.outputs.name}`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub outputs: BTreeMap<String, String>,
    /// A commit a person made by hand for this task (recorded by the post-commit hook);
    /// the pipeline takes it as the task's work when the task's acceptance passes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manual_commit: Option<String>,
    /// Why the task failed, was skipped or halted, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The fix task that carries this failed task's work on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_by: Option<TaskId>,
    /// The failed task whose work this fix task carries on (it is done when this lands).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixes: Option<TaskId>,
    /// Whether git aos appended this task to fix something (a failure, user acceptance,
    /// the final review); a fix task that fails gets no fix task of its own.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fix: bool,
}

impl TaskRecord {
    /// Returns a pending task with no history.
    pub fn pending(id: TaskId, title: impl Into<String>, depends: Vec<TaskId>) -> Self {
        Self {
            id,
            title: title.into(),
            status: TaskStatus::Pending,
            depends,
            attempts: 0,
            agent: None,
            last_run: None,
            commit: None,
            outputs: BTreeMap::new(),
            manual_commit: None,
            reason: None,
            fixed_by: None,
            fixes: None,
            fix: false,
        }
    }
}

/// `tasks.toml`: every task of the plan, in plan order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TasksFile {
    /// The tasks, in plan order.
    #[serde(default, rename = "task")]
    pub tasks: Vec<TaskRecord>,
}

impl TasksFile {
    /// Returns the task with this id, if any.
    pub fn get(&self, id: &TaskId) -> Option<&TaskRecord> {
        self.tasks.iter().find(|t| &t.id == id)
    }

    /// Returns the task with this id for changing, if any.
    pub fn get_mut(&mut self, id: &TaskId) -> Option<&mut TaskRecord> {
        self.tasks.iter_mut().find(|t| &t.id == id)
    }

    /// Returns (done, total).
    pub fn progress(&self) -> (usize, usize) {
        let done = self
            .tasks
            .iter()
            .filter(|t| t.status == TaskStatus::Done)
            .count();
        (done, self.tasks.len())
    }
}

/// Returns the current time as RFC 3339 UTC, to the millisecond (for stage timings).
pub fn now_precise() -> String {
    let now = jiff::Timestamp::now();
    now.round(jiff::Unit::Millisecond)
        .unwrap_or(now)
        .to_string()
}

/// Returns the current time as RFC 3339 UTC, to the second.
pub fn now_rfc3339() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .map(|t| t.to_string())
        .unwrap_or_else(|_| jiff::Timestamp::now().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tasks_file_round_trips_as_an_array_of_tables() {
        let mut t = TaskRecord::pending("T1".parse().unwrap(), "First", vec![]);
        t.outputs.insert("path".into(), "src/a.rs".into());
        let file = TasksFile {
            tasks: vec![
                t,
                TaskRecord::pending("T2".parse().unwrap(), "Second", vec!["T1".parse().unwrap()]),
            ],
        };
        let text = toml::to_string(&file).unwrap();
        assert!(text.contains("[[task]]"), "{text}");
        let back: TasksFile = toml::from_str(&text).unwrap();
        assert_eq!(back, file);
        assert_eq!(back.progress(), (0, 2));
    }
}
