//! `approve` and `reject` resolve whichever human gate the workstream waits at: a plan,
//! the final review's concerns, or a task's change.

use crate::gate::plan::PATH as PLAN_GATE;
use crate::ids::{TaskId, WorkstreamName};
use crate::store::WsStatus;

use super::plan_approval;
pub use super::plan_approval::PlanRejected;
use super::{Pipeline, decide, final_review};

/// What an approval did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Approved {
    /// A task's change was committed.
    Task {
        /// The task.
        task: TaskId,
        /// The commit.
        commit: String,
    },
    /// The plan became the workstream's plan.
    Plan {
        /// Tasks in it.
        tasks: usize,
    },
    /// The branch was accepted despite the final review's concerns.
    FinalReview,
}

/// What a rejection did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejected {
    /// The next attempt at the task hears the feedback.
    Task(TaskId),
    /// The plan went back to the planner, or its added task was reworded.
    Plan(PlanRejected),
    /// The final review's concerns became a fix task.
    FinalReview {
        /// The fix task.
        task: TaskId,
        /// Where the workstream stands now (`active`, or supervised `awaiting_review`).
        status: WsStatus,
    },
}

/// Approves what the workstream waits for: a plan, the final review's concerns, or a
/// task's change (`task` names which when several wait; `force` lands a task that failed
/// or was not approved by its reviewer, once the checks pass).
pub async fn approve(
    p: &Pipeline,
    name: &WorkstreamName,
    task: Option<&TaskId>,
    force: bool,
) -> anyhow::Result<Approved> {
    let snap = p.store.find(name)?;
    if task.is_none() && !force && p.store.read_file(&snap, PLAN_GATE)?.is_some() {
        return Ok(Approved::Plan {
            tasks: plan_approval::approve(p, name)?,
        });
    }
    if task.is_none() && !force && final_review::pending(p, &snap)?.is_some() {
        final_review::accept(p, name)?;
        return Ok(Approved::FinalReview);
    }
    let (task, commit) = decide::approve(p, name, task, force).await?;
    Ok(Approved::Task { task, commit })
}

/// Rejects what the workstream waits for, with `text` as feedback (`task` names which
/// task's change when several wait).
pub fn reject(
    p: &Pipeline,
    name: &WorkstreamName,
    task: Option<&TaskId>,
    text: &str,
) -> anyhow::Result<Rejected> {
    let snap = p.store.find(name)?;
    if task.is_none() && p.store.read_file(&snap, PLAN_GATE)?.is_some() {
        return Ok(Rejected::Plan(plan_approval::reject(p, name, text)?));
    }
    if task.is_none() && final_review::pending(p, &snap)?.is_some() {
        let (task, status) = final_review::reject(p, name, text)?;
        return Ok(Rejected::FinalReview { task, status });
    }
    Ok(Rejected::Task(super::recover::reject(p, name, task, text)?))
}
