//! What a stage works on (`TaskCtx`), how it records its result, and the shared retry
//! policy: feedback to the next attempt, plateau detection, alternating agents, and
//! giving up. A stage changes its task's state only; the workstream's status is the
//! driver's business.

use std::path::PathBuf;
use std::sync::Arc;

use crate::config::ResolvedProfile;
use crate::git::Checkout;
use crate::ids::WorkstreamName;
use crate::notify;
use crate::plan::{self, Plan};
use crate::store::{Actor, Event, StateTx, TaskStatus, TasksFile, WorkstreamRecord};

use super::Pipeline;
use super::record::{RunRecord, RunStatus, Stage, StageRecord};
use crate::agent::prompt::Feedback;

/// What a stage tells the task's driver.
pub(super) enum Step {
    /// Run the next stage.
    Continue,
    /// The task landed.
    TaskDone,
    /// Stop driving this task.
    Stop(TaskStop),
}

/// Why a task stopped before it landed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum TaskStop {
    /// It waits for a person (the review gate, a question, a conflict); the text says how
    /// to resolve it.
    Gate(String),
    /// It failed after its retries; `class` (`code`, `agent`, `unknown`, …) decides what
    /// follows.
    Failed {
        /// Why, for people.
        why: String,
        /// The error class of the last failure.
        class: String,
    },
    /// The environment stopped it (a missing binary, authentication, a rate limit that
    /// did not pass); the next `run` tries again.
    Halted(String),
}

/// Everything a stage needs about the task it works on.
pub(super) struct TaskCtx {
    pub name: WorkstreamName,
    pub ws: WorkstreamRecord,
    /// Where the task runs: its own task worktree, or the workstream's.
    pub worktree: PathBuf,
    /// The worktree, named explicitly for every git command on it.
    pub checkout: Checkout,
    pub profile: ResolvedProfile,
    pub plan: Arc<Plan>,
    pub task: plan::Task,
    pub tasks: TasksFile,
    pub run: RunRecord,
}

impl TaskCtx {
    /// Returns the branch tip the run started from.
    pub fn base(&self) -> &str {
        self.run.base.as_deref().unwrap_or(&self.ws.base_commit)
    }

    /// Returns whether the task runs in its own worktree (HEAD detached at its base)
    /// rather than in the workstream's (on the branch).
    pub fn in_own_worktree(&self) -> bool {
        self.run.worktree.is_some()
    }

    /// Returns where this task's agents run, for the custody guard.
    pub fn place(&self) -> super::custody::Place<'_> {
        super::custody::Place {
            name: &self.name,
            branch: &self.ws.branch,
            checkout: &self.checkout,
            run: &self.run.id,
            base: self.base(),
            detached: self.in_own_worktree(),
        }
    }

    /// Returns an event for this task's run.
    pub fn event(&self, stage: Stage, summary: impl Into<String>, actor: Actor) -> Event {
        Event::new("stage", format!("{} {}", self.task.id, summary.into()))
            .by(actor)
            .task(&self.task.id)
            .trailer("Aos-Stage", stage.as_str())
            .trailer("Aos-Attempt", self.run.attempt)
            .run(&self.run.id)
    }

    /// Returns the task's acceptance commands with `${ID.outputs.name}` substituted.
    pub fn acceptance(&self) -> Result<Vec<String>, crate::plan::Error> {
        let outputs = self.outputs();
        self.task
            .commands()
            .map(|cmd| crate::plan::substitute(cmd, &outputs))
            .collect()
    }

    /// Returns the outputs recorded by every task, for `${ID.outputs.name}`.
    pub fn outputs(
        &self,
    ) -> std::collections::BTreeMap<crate::ids::TaskId, std::collections::BTreeMap<String, String>>
    {
        self.tasks
            .tasks
            .iter()
            .map(|t| (t.id.clone(), t.outputs.clone()))
            .collect()
    }
}

/// Writes the run record plus whatever `more` changes, as one state commit.
pub(super) fn save<F>(p: &Pipeline, t: &TaskCtx, event: &Event, more: F) -> anyhow::Result<()>
where
    F: Fn(&mut StateTx<'_>) -> anyhow::Result<()>,
{
    let run = t.run.clone();
    p.store.update(&t.name, event, |tx| {
        run.save(tx)?;
        more(tx)
    })?;
    Ok(())
}

/// Moves the cursor past the checks the profile's `stages` leave out; implement and
/// commit always run. A check that is left out counts as passed (and says so).
pub(super) fn skip_absent(t: &mut TaskCtx) {
    loop {
        let stage = t.run.next;
        let autonomous_gate =
            stage == Stage::Human && t.profile.autonomy == crate::config::Autonomy::Autonomous;
        if matches!(stage, Stage::Implement | Stage::Commit)
            || (t.profile.stages.contains(&stage) && !autonomous_gate)
        {
            return;
        }
        t.run.next = match stage {
            Stage::Tests => Stage::Red,
            Stage::Red => Stage::Implement,
            Stage::Test => {
                t.run.tests_passed = true;
                t.run.tests = vec!["skipped: the profile has no `test` stage".to_owned()];
                Stage::Review
            }
            Stage::Review => {
                t.run.verdict = Some("skipped".to_owned());
                Stage::Qa
            }
            Stage::Qa => Stage::Human,
            Stage::Human | Stage::Implement | Stage::Commit => Stage::Commit,
        };
    }
}

/// Sets a task's status and the reason people see for it (`None` clears it).
pub(super) fn set_task(
    tx: &mut StateTx<'_>,
    task: &crate::ids::TaskId,
    status: TaskStatus,
    reason: Option<String>,
) -> anyhow::Result<()> {
    let mut tasks = tx.tasks()?;
    if let Some(t) = tasks.get_mut(task) {
        t.status = status;
        t.reason = reason;
    }
    tx.set_tasks(&tasks)
}

/// Returns a stage record with times filled in.
pub(super) fn stage_record(stage: Stage, attempt: u32, started_at: String) -> StageRecord {
    StageRecord {
        stage,
        attempt,
        agent: None,
        started_at,
        ended_at: crate::store::now_precise(),
        exit_code: None,
        outcome: "proceed".into(),
        error_class: "none".into(),
        retryable: false,
        reasons: Vec::new(),
        input_tokens: None,
        cached_input_tokens: None,
        output_tokens: None,
        cost_usd: None,
        log: None,
    }
}

/// Returns `text` cut to at most `cap` bytes, keeping its end (where errors are).
pub(super) fn cap_log(text: &str, cap: usize) -> String {
    if text.len() <= cap {
        return text.to_owned();
    }
    let mut start = text.len() - cap;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    format!("[… {} bytes cut …]\n{}", start, &text[start..])
}

/// A failed attempt: hand `feedback` to the next attempt, or give up when attempts are
/// exhausted or the same failure came three times in a row. `log` is recorded in the
/// same state commit. A `signature` starting with `agent:` is an agent's failure (the
/// next attempt goes to the next agent of the role); any other is the code's, and with
/// `alternate = true` a failed test or a request for changes goes to the next agent too.
pub(super) fn retry_or_fail(
    p: &Pipeline,
    t: &mut TaskCtx,
    stage: Stage,
    signature: String,
    feedback: Feedback,
    reason: &str,
    log: Option<(String, String)>,
) -> anyhow::Result<Step> {
    let class = if signature.starts_with("agent:") {
        "agent"
    } else {
        "code"
    };
    if t.profile.alternate && matches!(stage, Stage::Test | Stage::Review) {
        t.run.agent_index += 1;
    }
    t.run.failures.push(signature);
    let n = t.run.failures.len();
    let plateau = n >= 3
        && t.run.failures[n - 3..]
            .iter()
            .all(|s| s == &t.run.failures[n - 1]);
    t.run.feedback.push(feedback);
    if plateau {
        return fail_with(
            p,
            t,
            stage,
            &format!("{reason}; the same failure three times in a row"),
            log,
            class,
        );
    }
    if t.run.attempts_used() >= t.profile.max_attempts {
        return fail_with(
            p,
            t,
            stage,
            &format!("{reason}; {} attempts used", t.run.attempt),
            log,
            class,
        );
    }
    let event = t.event(
        stage,
        format!("{} -> retry (attempt {})", stage.as_str(), t.run.attempt),
        Actor::Tool,
    );
    t.run.attempt += 1;
    // Test first: what the tests stage or the red check refused goes back to the tests.
    t.run.next = match stage {
        Stage::Tests | Stage::Red => Stage::Tests,
        _ => Stage::Implement,
    };
    let (id, attempts) = (t.task.id.clone(), t.run.attempt);
    save(p, t, &event, |tx| {
        if let Some((path, text)) = &log {
            tx.put(path, text.clone());
        }
        let mut tasks = tx.tasks()?;
        if let Some(task) = tasks.get_mut(&id) {
            task.attempts = attempts;
        }
        tx.set_tasks(&tasks)
    })?;
    p.ui.progress(
        t.name.as_str(),
        format_args!(
            "{} {} failed: {reason}; attempt {attempts} next",
            t.task.id,
            stage.as_str()
        ),
    );
    Ok(Step::Continue)
}

/// Gives up on the task for a reason of no known class (`unknown`).
pub(super) fn fail(
    p: &Pipeline,
    t: &mut TaskCtx,
    stage: Stage,
    reason: &str,
    log: Option<(String, String)>,
) -> anyhow::Result<Step> {
    fail_with(p, t, stage, reason, log, "unknown")
}

/// Gives up on the task: the run and the task `failed`, with the reason and the error
/// class; what follows (a fix task, a halt) is decided by the task's driver.
pub(super) fn fail_with(
    p: &Pipeline,
    t: &mut TaskCtx,
    stage: Stage,
    reason: &str,
    log: Option<(String, String)>,
    class: &str,
) -> anyhow::Result<Step> {
    let why = format!("{} failed at {}: {reason}", t.task.id, stage.as_str());
    t.run.status = RunStatus::Failed;
    t.run.ended_at = Some(crate::store::now_rfc3339());
    t.run.error_class = Some(class.to_owned());
    t.run.reason = Some(why.clone());
    let event = t.event(stage, format!("{} -> failed", stage.as_str()), Actor::Tool);
    let (id, attempts) = (t.task.id.clone(), t.run.attempt);
    save(p, t, &event, |tx| {
        if let Some((path, text)) = &log {
            tx.put(path, text.clone());
        }
        let mut tasks = tx.tasks()?;
        if let Some(task) = tasks.get_mut(&id) {
            task.attempts = attempts;
            task.status = TaskStatus::Failed;
            task.reason = Some(why.clone());
        }
        tx.set_tasks(&tasks)
    })?;
    Ok(Step::Stop(TaskStop::Failed {
        why,
        class: class.to_owned(),
    }))
}

/// Stops for an environment problem (missing binary, auth, exhausted rate limit): the
/// run halts with a dated entry in `memory/issues.md`, the task stays in progress, and
/// the next `run` tries again.
pub(super) fn halt(
    p: &Pipeline,
    t: &mut TaskCtx,
    stage: Stage,
    reason: &str,
) -> anyhow::Result<Step> {
    t.run.status = RunStatus::Halted;
    t.run.error_class = Some("env".into());
    let why = format!("halted at {} {}: {reason}", t.task.id, stage.as_str());
    t.run.reason = Some(why.clone());
    let event = t.event(stage, format!("{} -> halted", stage.as_str()), Actor::Tool);
    let id = t.task.id.clone();
    let entry = super::failure::issue_entry(t, "env", reason);
    save(p, t, &event, |tx| {
        super::memory::append_issue(tx, &entry)?;
        set_task(tx, &id, TaskStatus::Running, Some(why.clone()))
    })?;
    let cmd = format!("git aos run {}", t.name);
    p.notify(
        notify::Kind::Failed,
        &t.name,
        &format!("{why} (fix it, then run again)"),
        &cmd,
    );
    Ok(Step::Stop(TaskStop::Halted(why)))
}
