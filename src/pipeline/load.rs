//! Loading what a stage works on: the workstream's plan (parsed once per text, not at
//! every stage), a task's live run, and the task's context — in its own worktree or in
//! the workstream's.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;

use crate::error::UserError;
use crate::ids::{TaskId, WorkstreamName};
use crate::plan::Plan;
use crate::store::{Actor, Snapshot, TasksFile, path};

use super::Pipeline;
use super::decide::Held;
use super::record::RunRecord;
use super::stage::{TaskCtx, save};
use super::worktrees;

/// Returns the workstream's plan as its state holds it; parsed again only when the text
/// changed since the last call.
pub(super) fn plan(p: &Pipeline, snap: &Snapshot) -> anyhow::Result<Arc<Plan>> {
    let text = p
        .store
        .read_file(snap, path::PLAN)?
        .context("the workstream has no plan")?;
    let mut cache = p.plans.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((seen, plan)) = cache.get(&snap.ws.name)
        && *seen == text
    {
        return Ok(plan.clone());
    }
    let source = String::from_utf8(text.clone()).context("plan.md is not UTF-8")?;
    let plan = crate::plan::check(&source, "plan.md")
        .map_err(|d| UserError::new(format!("the stored plan no longer validates: {}", d[0])))?
        .plan;
    let plan = Arc::new(plan);
    cache.insert(snap.ws.name.clone(), (text, plan.clone()));
    Ok(plan)
}

/// Returns the latest run of a task when it can still be driven (not done, failed,
/// reset or skipped).
pub(super) fn live_run(
    p: &Pipeline,
    snap: &Snapshot,
    tasks: &TasksFile,
    id: &TaskId,
) -> anyhow::Result<Option<RunRecord>> {
    Ok(last_run(p, snap, tasks, id)?.filter(RunRecord::is_live))
}

/// Returns the latest run of a task, whatever its status.
pub(super) fn last_run(
    p: &Pipeline,
    snap: &Snapshot,
    tasks: &TasksFile,
    id: &TaskId,
) -> anyhow::Result<Option<RunRecord>> {
    let Some(run_id) = tasks.get(id).and_then(|t| t.last_run.clone()) else {
        return Ok(None);
    };
    p.store
        .read_toml::<RunRecord>(snap, &RunRecord::path(&run_id))
}

/// Returns the context of a task's run: where it runs (its own worktree, or the
/// workstream's), the plan's task, every task's record.
pub(super) fn ctx(
    p: &Pipeline,
    snap: &Snapshot,
    plan: Arc<Plan>,
    tasks: TasksFile,
    mut run: RunRecord,
) -> anyhow::Result<TaskCtx> {
    let profile = p.cfg.profile(&snap.ws.profile).map_err(UserError::from)?;
    let worktree = run.worktree.as_deref().map_or_else(
        || crate::workstream::worktree_path(&p.store, &snap.ws),
        PathBuf::from,
    );
    anyhow::ensure!(
        worktree.is_dir(),
        "the worktree `{}` is gone; `git aos fsck --fix` recreates it",
        worktree.display()
    );
    let task = plan.find_task(&run.task)?.clone();
    let checkout = crate::git::Checkout::locate(&p.store.paths().common_dir, &worktree)?;
    if run.base.is_none() {
        // A run recorded before runs carried their base starts from the branch tip.
        run.base = p.store.branch_tip(&snap.ws.branch)?;
    }
    if run.expected_head.is_none() {
        run.expected_head = match run.worktree {
            Some(_) => run.base.clone(),
            None => Some(crate::store::refs::branch(&snap.ws.branch)),
        };
    }
    Ok(TaskCtx {
        name: snap.ws.name.clone(),
        ws: snap.ws.clone(),
        worktree,
        checkout,
        profile,
        plan,
        task,
        tasks,
        run,
    })
}

/// Returns the task's context with its work in its worktree: its own worktree (made
/// again if it is gone), or the workstream's — where work set aside earlier is carried
/// back when no run uses that worktree.
pub(super) fn load_with_work(
    p: &Pipeline,
    name: &WorkstreamName,
    id: &TaskId,
    held: &Held,
) -> anyhow::Result<TaskCtx> {
    let snap = p.store.find(name)?;
    let tasks = p.store.tasks(&snap)?;
    let run = last_run(p, &snap, &tasks, id)?
        .ok_or_else(|| UserError::new(format!("`{id}` of `{name}` never ran")))?;
    if let Some(wt) = &run.worktree {
        let base = run
            .base
            .clone()
            .unwrap_or_else(|| snap.ws.base_commit.clone());
        worktrees::ensure(p, Path::new(wt), &base, run.tree.as_deref())?;
        return super::decide::at_gate(p, name, id);
    }
    if snap.ws.current_task.as_ref() == Some(id) {
        return super::decide::at_gate(p, name, id);
    }
    let Some(work) = run.carry.clone() else {
        return Err(UserError::with_hint(
            format!("the work of `{id}` is no longer in the workstream's worktree"),
            format!("`git aos retry {name} {id}` starts it again from what is left"),
        )
        .into());
    };
    if held.ws.is_none() || snap.ws.current_task.is_some() {
        return Err(super::recover::busy_worktree(name));
    }
    let mut t = super::decide::at_gate(p, name, id)?;
    let tip = p
        .store
        .branch_tip(&snap.ws.branch)?
        .unwrap_or_else(|| t.base().to_owned());
    let conflicts = worktrees::carry(p, &t.checkout, &work, &tip)?;
    t.run.base = Some(tip);
    t.run.carry = None;
    t.run.tree = None;
    let event = t.event(
        t.run.next,
        "work brought back into the worktree",
        Actor::Person,
    );
    save(p, &t, &event, |tx| {
        tx.ws_mut().current_task = Some(id.clone());
        Ok(())
    })?;
    if !conflicts.is_empty() {
        return Err(UserError::with_hint(
            format!(
                "the work of `{id}` conflicts with what landed since, in {}; it is in the \
                 worktree with conflict markers",
                conflicts.join(", ")
            ),
            format!("resolve them, then decide again; or `git aos retry {name} {id}`"),
        )
        .into());
    }
    Ok(t)
}
