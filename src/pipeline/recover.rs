//! A person's way forward on one task without losing its work: `reject` (the next
//! attempt hears them), `retry` (new attempts on what the worktree holds, another agent
//! if they say so), `skip` (set it aside: its dependents wait, the rest goes on), and
//! `reset` — the one decision that discards.

use std::path::Path;

use crate::agent::prompt::Feedback;
use crate::error::UserError;
use crate::gate::review;
use crate::git;
use crate::ids::{TaskId, WorkstreamName};
use crate::store::{Actor, Event, TaskRecord, TaskStatus};

use super::decide::{hold, pick, rest};
use super::record::{RunRecord, RunStatus, Stage};
use super::stage::{TaskCtx, save, set_task};
use super::{Pipeline, load, worktrees};

/// Rejects the change at a task's gate: its next attempt iterates on the change with
/// `text` as feedback. Returns the task.
pub fn reject(
    p: &Pipeline,
    name: &WorkstreamName,
    task: Option<&TaskId>,
    text: &str,
) -> anyhow::Result<TaskId> {
    let snap = p.store.find(name)?;
    let at_gate = |t: &TaskRecord| t.status == TaskStatus::AwaitingReview;
    let id = pick(p, &snap, task, at_gate, "awaiting review")?;
    let held = hold(p, name, &id)?;
    let mut t = super::decide::at_gate(p, name, &id)?;
    let by = p.store.person();
    t.run.feedback.push(Feedback::Rejection {
        by: by.clone(),
        text: text.to_owned(),
    });
    again(&mut t, Stage::Implement);
    let event = t.event(
        Stage::Human,
        format!("human -> rejected by {by}"),
        Actor::Person,
    );
    let attempts = t.run.attempt;
    save(p, &t, &event, |tx| {
        review::remove(tx, &id)?;
        requeue(tx, &id, attempts)
    })?;
    rest(p, name, &held)?;
    Ok(id)
}

/// Tries a failed, halted, skipped or waiting task again, keeping what its worktree
/// holds: a fresh set of attempts, optionally by `agent` and with `text` as feedback.
pub fn retry(
    p: &Pipeline,
    name: &WorkstreamName,
    task: Option<&TaskId>,
    agent: Option<&str>,
    text: Option<&str>,
) -> anyhow::Result<TaskId> {
    if let Some(a) = agent {
        p.cfg.agent(a).map_err(UserError::from)?;
    }
    let snap = p.store.find(name)?;
    let retriable = |t: &TaskRecord| {
        matches!(
            t.status,
            TaskStatus::Failed | TaskStatus::Skipped | TaskStatus::AwaitingReview
        ) || (t.status == TaskStatus::Running && t.reason.is_some())
    };
    let id = pick(
        p,
        &snap,
        task,
        retriable,
        "failed, halted, skipped or awaiting review",
    )?;
    let tasks = p.store.tasks(&snap)?;
    if let Some(fix) = tasks.get(&id).and_then(|t| t.fixed_by.clone())
        && tasks
            .get(&fix)
            .is_some_and(|f| !matches!(f.status, TaskStatus::Failed | TaskStatus::Skipped))
    {
        return Err(UserError::with_hint(
            format!("`{id}` was handed to `{fix}`, which carries its work on"),
            format!(
                "`git aos retry {name} {fix}` once it failed, or `git aos skip {name} {fix}` first"
            ),
        )
        .into());
    }
    let held = hold(p, name, &id)?;
    let snap = p.store.find(name)?;
    let tasks = p.store.tasks(&snap)?;
    let Some(mut run) = load::last_run(p, &snap, &tasks, &id)? else {
        return Err(UserError::with_hint(
            format!("`{id}` never ran; nothing to try again"),
            format!("`git aos run {name}` starts it"),
        )
        .into());
    };
    let by = p.store.person();
    if let Some(text) = text {
        run.feedback.push(Feedback::Rejection {
            by: by.clone(),
            text: text.to_owned(),
        });
    }
    let failed_first = matches!(
        run.stages.last().map(|s| s.stage),
        Some(Stage::Tests | Stage::Red)
    );
    run.attempt_floor = run.attempt;
    run.agent_override = agent.map(str::to_owned).or(run.agent_override);
    run.agent_index = 0;
    run.failures.clear();
    run.conflicts = 0;
    run.error_class = None;
    run.ended_at = None;
    again_run(
        &mut run,
        if failed_first {
            Stage::Tests
        } else {
            Stage::Implement
        },
    );
    let summary = match agent {
        Some(a) => format!("{id} retried by {by} with {a}"),
        None => format!("{id} retried by {by}"),
    };
    let event = Event::new("retry", summary)
        .by(Actor::Person)
        .task(&id)
        .run(&run.id);
    p.store.update(name, &event, |tx| {
        run.save(tx)?;
        review::remove(tx, &id)?;
        requeue(tx, &id, run.attempt)
    })?;
    rest(p, name, &held)?;
    Ok(id)
}

/// Sets a task aside: its dependents wait, everything else goes on; its work stays (in
/// its own worktree, or kept under its run's rescue ref when the workstream's worktree
/// must serve other tasks). `git aos retry` brings it back.
pub fn skip(p: &Pipeline, name: &WorkstreamName, task: &TaskId) -> anyhow::Result<()> {
    let snap = p.store.find(name)?;
    let open = |t: &TaskRecord| !matches!(t.status, TaskStatus::Done | TaskStatus::Skipped);
    let id = pick(p, &snap, Some(task), open, "still to do")?;
    let held = hold(p, name, &id)?;
    let snap = p.store.find(name)?;
    let tasks = p.store.tasks(&snap)?;
    let mut run = load::last_run(p, &snap, &tasks, &id)?;
    let holds_worktree = snap.ws.current_task.as_ref() == Some(&id);
    if holds_worktree {
        if held.ws.is_none() {
            return Err(busy_worktree(name));
        }
        let co = git::Checkout::locate(
            &p.store.paths().common_dir,
            &crate::workstream::worktree_path(&p.store, &snap.ws),
        )?;
        if let Some(r) = run.as_mut() {
            r.carry = worktrees::park(p, name, r, &co)?.or(r.carry.take());
        }
    }
    let by = p.store.person();
    let reason = format!("{id} skipped by {by}");
    let event = Event::new("skip", reason.clone())
        .by(Actor::Person)
        .task(&id);
    p.store.update(name, &event, |tx| {
        if let Some(r) = &run {
            let mut r = r.clone();
            if r.is_live() {
                r.status = RunStatus::Skipped;
                r.reason = Some(reason.clone());
            }
            r.save(tx)?;
        }
        review::remove(tx, &id)?;
        if holds_worktree {
            tx.ws_mut().current_task = None;
        }
        set_task(tx, &id, TaskStatus::Skipped, Some(reason.clone()))
    })?;
    rest(p, name, &held)
}

/// Discards a task's changes and starts it over with attempts at 0: the task named, else
/// the one in progress. Returns the task.
pub fn reset(p: &Pipeline, name: &WorkstreamName, task: Option<&TaskId>) -> anyhow::Result<TaskId> {
    let snap = p.store.find(name)?;
    let started = |t: &TaskRecord| !matches!(t.status, TaskStatus::Done | TaskStatus::Pending);
    let id = match (task, &snap.ws.current_task) {
        (None, Some(current)) => current.clone(),
        _ => pick(p, &snap, task, started, "in progress, failed or skipped")?,
    };
    let held = hold(p, name, &id)?;
    let snap = p.store.find(name)?;
    let tasks = p.store.tasks(&snap)?;
    let run = load::last_run(p, &snap, &tasks, &id)?;
    match run.as_ref().and_then(|r| r.worktree.clone()) {
        Some(wt) => worktrees::remove(p, Path::new(&wt)),
        None if snap.ws.current_task.as_ref() == Some(&id) => {
            let Some(ws_lock) = &held.ws else {
                return Err(busy_worktree(name));
            };
            let _ = ws_lock;
            discard_worktree(p, &snap, run.as_ref(), &id)?;
        }
        None => {}
    }
    let event = Event::new("reset", format!("{id} reset"))
        .by(Actor::Person)
        .task(&id);
    p.store.update(name, &event, |tx| {
        if let Some(r) = &run {
            let mut r = r.clone();
            r.status = RunStatus::Reset;
            r.carry = None;
            r.worktree = None;
            r.ended_at = Some(crate::store::now_rfc3339());
            r.save(tx)?;
        }
        let mut tasks = tx.tasks()?;
        if let Some(task) = tasks.get_mut(&id) {
            task.status = TaskStatus::Pending;
            task.attempts = 0;
            task.reason = None;
        }
        tx.set_tasks(&tasks)?;
        review::remove(tx, &id)?;
        let ws = tx.ws_mut();
        if ws.current_task.as_ref() == Some(&id) {
            ws.current_task = None;
        }
        Ok(())
    })?;
    rest(p, name, &held)?;
    Ok(id)
}

/// Returns the error for a decision that needs the workstream's worktree while a run
/// uses it.
pub(super) fn busy_worktree(name: &WorkstreamName) -> anyhow::Error {
    UserError::with_hint(
        format!("a run of `{name}` uses its worktree now"),
        format!("wait for `git aos run {name}` to stop, then decide again"),
    )
    .into()
}

/// Puts the workstream's worktree back on its branch tip with no change, after ending
/// what a killed run of the task left and undoing what its agents did to refs.
fn discard_worktree(
    p: &Pipeline,
    snap: &crate::store::Snapshot,
    run: Option<&RunRecord>,
    id: &TaskId,
) -> anyhow::Result<()> {
    let name = &snap.ws.name;
    let worktree = &crate::workstream::worktree_path(&p.store, &snap.ws);
    for line in crate::workstream::leftovers::clear(&p.store.paths().common_dir, name, worktree) {
        p.ui.warn(format_args!("{name}: {line}"));
    }
    let checkout = git::Checkout::locate(&p.store.paths().common_dir, worktree)?;
    // Whatever an agent of the run left on the branch goes back to the run's base (and
    // into its rescue ref) before the changes are discarded, so none of it stays.
    if let Some(run) = run
        && let Some(base) = &run.base
    {
        let place = super::custody::Place {
            name,
            branch: &snap.ws.branch,
            checkout: &checkout,
            run: &run.id,
            base,
            detached: false,
        };
        let heads = super::custody::watch(p)?;
        let report = super::custody::after_agent(p, &place, &heads, &format!("{id} reset"))?;
        if let Some(why) = report.stop {
            return Err(UserError::new(why).into());
        }
    } else if checkout.link() != git::Link::Intact {
        checkout.repair_link()?;
    }
    let full = crate::store::refs::branch(&snap.ws.branch);
    if checkout.head()? != git::Head::Branch(full.clone()) {
        checkout.attach_head(&full)?;
    }
    if p.store.branch_tip(&snap.ws.branch)?.is_none() {
        return Err(UserError::new(format!("the branch `{}` is gone", snap.ws.branch)).into());
    }
    git::change::discard_changes(&checkout)
}

/// Sends a run back to `stage` for its next attempt.
fn again(t: &mut TaskCtx, stage: Stage) {
    again_run(&mut t.run, stage);
}

fn again_run(run: &mut RunRecord, stage: Stage) {
    run.status = RunStatus::Running;
    run.reason = None;
    run.attempt += 1;
    run.next = stage;
    run.tree = None;
}

/// Marks a task queued for the next run: in progress, no reason, `attempts` made.
fn requeue(tx: &mut crate::store::StateTx<'_>, id: &TaskId, attempts: u32) -> anyhow::Result<()> {
    let mut tasks = tx.tasks()?;
    if let Some(task) = tasks.get_mut(id) {
        task.status = TaskStatus::Running;
        task.attempts = attempts;
        task.reason = None;
    }
    tx.set_tasks(&tasks)
}

pub use super::answers::answer;
