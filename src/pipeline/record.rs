//! `runs/<run-id>/run.toml`: one task's way through the pipeline — the cursor (the stage
//! to run next), every stage's outcome, and the feedback the next attempt gets.

use serde::{Deserialize, Serialize};

use crate::agent::prompt::Feedback;
use crate::ids::{RunId, TaskId};
use crate::store::StateTx;

/// A pipeline stage: the same names `[profiles.X] stages` lists.
pub use crate::config::Stage;

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Stages remain.
    Running,
    /// Waiting at the human gate.
    AwaitingReview,
    /// Waiting for an answer.
    Blocked,
    /// Committed.
    Done,
    /// Gave up.
    Failed,
    /// Stopped for an environment problem; the next `run` tries again.
    Halted,
    /// Discarded by `git aos reset`.
    Reset,
    /// Set aside by `git aos skip`.
    Skipped,
}

/// One stage execution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageRecord {
    /// Which stage.
    pub stage: Stage,
    /// Which attempt.
    pub attempt: u32,
    /// The agent, for agent stages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    /// RFC 3339.
    pub started_at: String,
    /// RFC 3339.
    pub ended_at: String,
    /// Exit code of the agent or the failing command.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// proceed | retry | clarify | escalate | skipped.
    pub outcome: String,
    /// none | env | code | agent | timeout.
    pub error_class: String,
    /// Whether another attempt may help.
    pub retryable: bool,
    /// Why, in words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    /// Tokens in of this call (cached ones included), when the agent reported them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_tokens: Option<u64>,
    /// The cached part of `input_tokens`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cached_input_tokens: Option<u64>,
    /// Tokens out of this call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_tokens: Option<u64>,
    /// Cost in USD of this call, when reported; absent means unknown, never zero.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_usd: Option<f64>,
    /// Log file name inside the run directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<String>,
}

/// One agent invocation outside a task's stages (a planner, a reviewer of a plan or of
/// the whole branch), kept as `runs/<run>/<what>.toml` beside its log so the report
/// counts every invocation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Invocation {
    /// The role it played: `plan`, `review`.
    pub role: String,
    /// The agent.
    pub agent: String,
    /// RFC 3339.
    pub started_at: String,
    /// RFC 3339.
    pub ended_at: String,
    /// proceed | retry | clarify | escalate.
    pub outcome: String,
    /// Tokens in, when the agent reported them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_tokens: Option<u64>,
    /// Of those, tokens read from the agent's prompt cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cached_input_tokens: Option<u64>,
    /// Tokens out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_tokens: Option<u64>,
    /// Cost in USD, when reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_usd: Option<f64>,
}

impl Invocation {
    /// Returns the record of an invocation of `agent` as `role` that started at
    /// `started_at` and ended now with `outcome`.
    pub fn new(
        role: &str,
        agent: &str,
        started_at: String,
        outcome: &crate::agent::Outcome,
    ) -> Self {
        Self {
            role: role.to_owned(),
            agent: agent.to_owned(),
            started_at,
            ended_at: crate::store::now_precise(),
            outcome: format!("{:?}", outcome.next_action).to_lowercase(),
            input_tokens: outcome.usage.map(|u| u.input_tokens),
            cached_input_tokens: outcome.usage.map(|u| u.cached_input_tokens),
            output_tokens: outcome.usage.map(|u| u.output_tokens),
            cost_usd: outcome.cost_usd,
        }
    }

    /// Adds this call to `spend`.
    pub fn add_to(&self, spend: &mut crate::agent::Spend) {
        spend.add(
            usage(
                self.input_tokens,
                self.cached_input_tokens,
                self.output_tokens,
            ),
            self.cost_usd,
        );
    }

    /// Returns the path of an invocation record in the state tree.
    pub fn path(run: &RunId, what: &str) -> String {
        format!("runs/{run}/{what}.toml")
    }
}

/// The whole run record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// The run id.
    pub id: RunId,
    /// The task.
    pub task: TaskId,
    /// Where the run stands.
    pub status: RunStatus,
    /// Current attempt (1-based).
    pub attempt: u32,
    /// The stage to run next.
    pub next: Stage,
    /// Index into the implement role's agents (primary first, fallbacks after).
    #[serde(default)]
    pub agent_index: usize,
    /// Times an environment error was backed off from in a row.
    #[serde(default)]
    pub env_retries: u32,
    /// Failure signatures of consecutive attempts (for plateau detection).
    #[serde(default)]
    pub failures: Vec<String>,
    /// Feedback for the next implement attempt, oldest first.
    #[serde(default)]
    pub feedback: Vec<Feedback>,
    /// Test/acceptance lines of the latest test stage (`ok  cmd` / `FAIL cmd`).
    #[serde(default)]
    pub tests: Vec<String>,
    /// Whether the latest test stage passed.
    #[serde(default)]
    pub tests_passed: bool,
    /// Test first: the files the tests stage wrote, with their blob ids then; the
    /// implementation must leave them as they are.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub test_files: std::collections::BTreeMap<String, String>,
    /// Reviewer verdict of the latest review (`approve`, …, or `skipped`).
    #[serde(default)]
    pub verdict: Option<String>,
    /// Reviewer summary and comments of the latest review.
    #[serde(default)]
    pub review_summary: String,
    /// Reviewer comments of the latest review.
    #[serde(default)]
    pub review_comments: Vec<String>,
    /// The implementing agent's last summary.
    #[serde(default)]
    pub agent_summary: String,
    /// Agent of the latest implement attempt.
    #[serde(default)]
    pub agent: Option<String>,
    /// Session (claude) or thread (codex) of the latest implement attempt, so a retry by
    /// the same agent continues the conversation instead of starting over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    /// The branch tip the run started from: the task's change is always base → worktree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    /// Where the worktree's HEAD must point after every agent stage (a full ref name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_head: Option<String>,
    /// The tree TEST tested and REVIEW reviewed: the tree COMMIT writes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tree: Option<String>,
    /// What agents did beyond writing files, as the custody guard found it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custody: Vec<String>,
    /// Whether the latest review was made by the agent that made the attempt (the
    /// review role names no other agent).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub self_review: bool,
    /// The running totals `session` reached at its last call: a call that resumes it
    /// is charged only what it adds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_totals: Option<crate::agent::SessionTotals>,
    /// Who approved at the human gate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    /// The commit that landed the task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The task's own worktree when tasks run in parallel (`None`: the workstream's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worktree: Option<String>,
    /// Attempts made before the latest `git aos retry`; the attempt budget counts from here.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub attempt_floor: u32,
    /// The agent a person chose for the next attempts (`git aos retry --agent`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_override: Option<String>,
    /// Work to bring into the worktree before the next stage: a commit whose tree is the
    /// work and whose parent is the tip it was made on (kept under the run's rescue ref).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carry: Option<String>,
    /// Times the task's change conflicted with what landed meanwhile and went back to its
    /// agent.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub conflicts: u32,
    /// What a person overrode with `git aos approve --force`, one line each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<String>,
    /// The error class of the failure that ended the run (`code`, `env`, `agent`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_class: Option<String>,
    /// Why the run stopped, failed or waits, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// RFC 3339.
    pub started_at: String,
    /// RFC 3339, when it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<String>,
    /// How its agents ran: `worktree` (confined), `unconfined` (no Landlock here) or
    /// `off` (configured so); an unconfined agent is recorded once and never undone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox: Option<String>,
    /// Main-checkout files that appeared or changed while an unconfined agent ran.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unconfined_changes: Vec<String>,
    /// Every stage run so far.
    #[serde(default, rename = "stage")]
    pub stages: Vec<StageRecord>,
}

impl RunRecord {
    /// Returns a fresh run for `task`, about to run attempt 1 of `first` (implement, or
    /// tests with a test-first profile).
    pub fn start(task: TaskId, first: Stage) -> Self {
        Self {
            id: RunId::generate(),
            task,
            status: RunStatus::Running,
            attempt: 1,
            next: first,
            agent_index: 0,
            env_retries: 0,
            failures: Vec::new(),
            feedback: Vec::new(),
            tests: Vec::new(),
            tests_passed: false,
            test_files: Default::default(),
            verdict: None,
            review_summary: String::new(),
            review_comments: Vec::new(),
            agent_summary: String::new(),
            agent: None,
            session: None,
            base: None,
            expected_head: None,
            tree: None,
            custody: Vec::new(),
            self_review: false,
            session_totals: None,
            approved_by: None,
            commit: None,
            worktree: None,
            attempt_floor: 0,
            agent_override: None,
            carry: None,
            conflicts: 0,
            overrides: Vec::new(),
            error_class: None,
            reason: None,
            started_at: crate::store::now_precise(),
            ended_at: None,
            sandbox: None,
            unconfined_changes: Vec::new(),
            stages: Vec::new(),
        }
    }

    /// Returns the path of the run record in the state tree.
    pub fn path(id: &RunId) -> String {
        format!("runs/{id}/run.toml")
    }

    /// Returns the path of a stage log in the state tree.
    pub fn log_path(id: &RunId, stage: Stage, attempt: u32) -> String {
        format!("runs/{id}/{}-{attempt}.log", stage.as_str())
    }

    /// Loads a run from the state being changed.
    pub fn load(tx: &StateTx<'_>, id: &RunId) -> anyhow::Result<Option<Self>> {
        tx.read_toml(&Self::path(id))
    }

    /// Writes the run into the state being changed.
    pub fn save(&self, tx: &mut StateTx<'_>) -> anyhow::Result<()> {
        tx.put_toml(&Self::path(&self.id), self)
    }

    /// Returns the attempts made since the latest `git aos retry` (the budget's count).
    pub fn attempts_used(&self) -> u32 {
        self.attempt.saturating_sub(self.attempt_floor)
    }

    /// Returns whether the run may still be driven (it is not done, failed, reset or
    /// skipped).
    pub fn is_live(&self) -> bool {
        matches!(
            self.status,
            RunStatus::Running | RunStatus::Halted | RunStatus::Blocked | RunStatus::AwaitingReview
        )
    }

    /// Returns the tokens and cost of every agent call of the run.
    pub fn spend(&self) -> crate::agent::Spend {
        let mut spend = crate::agent::Spend::default();
        for s in self.stages.iter().filter(|s| s.agent.is_some()) {
            s.add_to(&mut spend);
        }
        spend
    }
}

impl StageRecord {
    /// Adds this stage's agent call to `spend`.
    pub fn add_to(&self, spend: &mut crate::agent::Spend) {
        spend.add(
            usage(
                self.input_tokens,
                self.cached_input_tokens,
                self.output_tokens,
            ),
            self.cost_usd,
        );
    }
}

/// Returns a call's usage from its recorded counts, if it reported any.
fn usage(
    input: Option<u64>,
    cached: Option<u64>,
    output: Option<u64>,
) -> Option<crate::agent::Usage> {
    (input.is_some() || output.is_some()).then(|| crate::agent::Usage {
        input_tokens: input.unwrap_or(0),
        output_tokens: output.unwrap_or(0),
        cached_input_tokens: cached.unwrap_or(0),
    })
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}
