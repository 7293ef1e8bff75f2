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
    Task,
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

/// Approves what the workstream waits for.
pub async fn approve(p: &Pipeline, name: &WorkstreamName) -> anyhow::Result<Approved> {
    let snap = p.store.find(name)?;
    if p.store.read_file(&snap, PLAN_GATE)?.is_some() {
        return Ok(Approved::Plan {
            tasks: plan_approval::approve(p, name)?,
        });
    }
    if final_review::pending(p, &snap)?.is_some() {
        final_review::accept(p, name)?;
        return Ok(Approved::FinalReview);
    }
    Ok(Approved::Task {
        commit: decide::approve(p, name).await?,
    })
}

/// Rejects what the workstream waits for, with `text` as feedback.
pub fn reject(p: &Pipeline, name: &WorkstreamName, text: &str) -> anyhow::Result<Rejected> {
    let snap = p.store.find(name)?;
    if p.store.read_file(&snap, PLAN_GATE)?.is_some() {
        return Ok(Rejected::Plan(plan_approval::reject(p, name, text)?));
    }
    if final_review::pending(p, &snap)?.is_some() {
        let (task, status) = final_review::reject(p, name, text)?;
        return Ok(Rejected::FinalReview { task, status });
    }
    decide::reject(p, name, text)?;
    Ok(Rejected::Task)
}
