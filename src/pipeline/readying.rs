//! Readying a task that starts: its worktree made, taken over from an idle one, or
//! brought back to custody after an interrupted run, with work set aside carried in —
//! in the task's own future, beside the others'.

use std::path::Path;
use std::sync::Arc;

use crate::lock::LockGuard;
use crate::plan::Plan;
use crate::store::Actor;

use super::record::{RunRecord, Stage};
use super::stage::TaskCtx;
use super::{Pipeline, custody, load, worktrees};

/// A task about to start: its run recorded, its lock held; its worktree is readied by
/// [`Starting::ready`] in the task's own future, beside the others'.
pub(super) struct Starting {
    /// The workstream.
    pub name: crate::ids::WorkstreamName,
    /// The task's run.
    pub run: RunRecord,
    /// Whether the run was made just now.
    pub fresh: bool,
    /// The plan the task is in.
    pub plan: Arc<Plan>,
    /// The task's lock, held until its loop ends.
    pub lock: LockGuard,
}

impl Starting {
    /// Returns the task's declared files (the scheduler keeps overlapping tasks apart).
    pub fn files(&self) -> Vec<String> {
        self.plan
            .try_find_task(&self.run.task)
            .map(|t| t.files.clone())
            .unwrap_or_default()
    }

    /// Readies the task's worktree (made, taken over from an idle one, or brought back to
    /// custody after an interrupted run, with work set aside carried in) and returns
    /// what its stages work on.
    pub fn ready(self, p: &Pipeline) -> anyhow::Result<(TaskCtx, LockGuard)> {
        let Self {
            name,
            mut run,
            fresh,
            plan,
            lock,
        } = self;
        let snap = p.store.find(&name)?;
        if let Some(path) = run.worktree.clone() {
            let base = run
                .base
                .clone()
                .unwrap_or_else(|| snap.ws.base_commit.clone());
            let made = worktrees::ensure(p, Path::new(&path), &base, run.tree.as_deref())?;
            if made && !fresh && run.tree.is_none() && run.carry.is_none() && !run.stages.is_empty()
            {
                // What the interrupted attempt wrote went with its worktree: implement again.
                run.next = Stage::Implement;
            }
        }
        let tasks = p.store.tasks(&snap)?;
        let mut t = load::ctx(p, &snap, plan, tasks, run)?;
        if !fresh && !t.run.stages.is_empty() && t.run.carry.is_none() {
            resume(p, &mut t)?;
        }
        if let Some(work) = t.run.carry.clone() {
            carry_in(p, &mut t, &work)?;
        }
        Ok((t, lock))
    }
}

/// Brings a resumed run's worktree back to custody: an agent killed with its runner may
/// have committed or switched branches.
fn resume(p: &Pipeline, t: &mut TaskCtx) -> anyhow::Result<()> {
    let (run, task, stage) = (&t.run.id, &t.run.task, t.run.next.as_str());
    p.ui.progress(
        t.name.as_str(),
        format_args!("{task} resumes run {run} at {stage}"),
    );
    if t.in_own_worktree()
        && let Some(lock) = t.checkout.stale_index_lock()
    {
        // A git command killed with the run left it; nothing of this task runs now.
        std::fs::remove_file(&lock)?;
    }
    let heads = custody::watch(p)?;
    let who = format!("{task} {stage} (resumed)");
    let report = custody::after_agent(p, &t.place(), &heads, &who)?;
    if let Some(why) = report.stop {
        anyhow::bail!(crate::error::UserError::new(why));
    }
    if !report.lines.is_empty() {
        t.run.custody.extend(report.lines);
        let event = t.event(t.run.next, "custody after an interrupted run", Actor::Tool);
        super::stage::save(p, t, &event, |_| Ok(()))?;
    }
    Ok(())
}

/// Carries work set aside earlier onto the run's worktree; a conflict with what landed
/// since goes to the agent, markers in the files, as the next attempt's feedback.
fn carry_in(p: &Pipeline, t: &mut TaskCtx, work: &str) -> anyhow::Result<()> {
    let onto = match t.in_own_worktree() {
        true => t.base().to_owned(),
        false => p
            .store
            .branch_tip(&t.ws.branch)?
            .unwrap_or_else(|| t.base().to_owned()),
    };
    let conflicts = worktrees::carry(p, &t.checkout, work, &onto)?;
    t.run.base = Some(onto);
    t.run.carry = None;
    t.run.tree = None;
    if !conflicts.is_empty() {
        t.run
            .feedback
            .push(super::integrate::conflict_feedback(&conflicts));
    }
    if !conflicts.is_empty() || !t.run.stages.is_empty() {
        // The change sits on a new tip now: whatever was tested before no longer stands.
        t.run.next = Stage::Implement;
    }
    let event = t.event(Stage::Implement, "work carried onto the tip", Actor::Tool);
    super::stage::save(p, t, &event, |_| Ok(()))
}
