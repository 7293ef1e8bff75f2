//! Drives one workstream: take its lock, draft its plan while the plan gate asks for it,
//! pick the task (resuming an interrupted run), run the stage the cursor names, repeat
//! until a gate, a failure or the end — where the final review and UAT may stand.

use anyhow::Context as _;

use crate::error::{Busy, UserError};
use crate::ids::WorkstreamName;
use crate::lock;
use crate::notify;
use crate::plan;
use crate::store::{Actor, Event, Snapshot, TaskStatus, WsStatus, path};

use super::record::{RunRecord, RunStatus, Stage};
use super::scheduler::RunMode;
use super::stage::{Step, TaskCtx};
use super::{Pipeline, WsOutcome, commit, implement, quality, review, test};

/// Advances one workstream until it stops (or, with `Once`, until one task landed).
pub(super) async fn advance(
    p: &Pipeline,
    name: &WorkstreamName,
    mode: RunMode,
) -> anyhow::Result<WsOutcome> {
    let _lock = match lock::lock_workstream(&p.store.paths().common_dir, name) {
        Ok(guard) => guard,
        Err(e) => match e.downcast_ref::<Busy>() {
            Some(busy) => return Ok(WsOutcome::Busy(busy.clone())),
            None => return Err(e),
        },
    };
    let first = p.store.find(name)?;
    // Nothing of this workstream runs now: what a killed run left goes first.
    let worktree = &crate::workstream::worktree_path(&p.store, &first.ws);
    for line in crate::workstream::leftovers::clear(&p.store.paths().common_dir, name, worktree) {
        p.ui.warn(format_args!("{name}: {line}"));
    }
    if first.ws.status == WsStatus::Running
        && let Some(mut t) = current(p, &first)?
    {
        // Running, yet nobody held the lock: a run was interrupted (killed, crashed).
        let (run, task, stage) = (&t.run.id, &t.run.task, t.run.next.as_str());
        p.ui.status(format_args!(
            "{name}: resuming interrupted run {run} of {task} at {stage}"
        ));
        // An agent killed with its runner may have committed or switched branches.
        let heads = super::custody::watch(p)?;
        let who = format!("{task} {stage} (interrupted)");
        let report = super::custody::after_agent(p, &t.place(), &heads, &who)?;
        if let Some(why) = report.stop {
            let stage = t.run.next;
            return super::stage::fail(p, &mut t, stage, &why, None)
                .map(|_| WsOutcome::Failed(why));
        }
        if !report.lines.is_empty() {
            t.run.custody.extend(report.lines);
            let event = t.event(
                t.run.next,
                "custody after an interrupted run",
                crate::store::Actor::Tool,
            );
            super::stage::save(p, &t, &event, |_| Ok(()))?;
        }
    }
    loop {
        if crate::agent::interrupt::requested().is_some() {
            return Err(crate::agent::Error::Interrupted.into());
        }
        let snap = p.store.find(name)?;
        if let Some(stop) = gate_or_end(p, &snap)? {
            return Ok(stop);
        }
        if let Some(stop) = super::planning::resume(p, &snap).await? {
            return Ok(stop);
        }
        let Some(mut t) = select(p, &snap)? else {
            if let Some(stop) = super::closing::run(p, &snap).await? {
                return Ok(stop);
            }
            return finish(p, &snap);
        };
        super::stage::skip_absent(&mut t);
        let step = if let Some(step) = super::by_hand::adopt(p, &mut t).await? {
            step
        } else {
            match t.run.next {
                Stage::Tests => super::tests_first::run(p, &mut t).await?,
                Stage::Red => super::red::run(p, &mut t).await?,
                Stage::Implement => implement::run(p, &mut t).await?,
                Stage::Test => test::run(p, &mut t).await?,
                Stage::Review => review::run(p, &mut t).await?,
                Stage::Qa => quality::run(p, &mut t)?,
                Stage::Human => super::decide::open_gate(p, &mut t)?,
                Stage::Commit => commit::run(p, &mut t)?,
            }
        };
        p.stage_ended(name);
        match step {
            Step::Continue => {}
            Step::TaskDone if mode == RunMode::Once => return Ok(WsOutcome::Progressed),
            Step::TaskDone => {}
            Step::Stop(outcome) => return Ok(outcome),
        }
    }
}

/// Returns why the workstream cannot move now, if it cannot.
fn gate_or_end(p: &Pipeline, snap: &Snapshot) -> anyhow::Result<Option<WsOutcome>> {
    let ws = &snap.ws;
    let reason = || ws.reason.clone().unwrap_or_default();
    let name = &ws.name;
    Ok(match ws.status {
        WsStatus::Complete | WsStatus::Closed | WsStatus::Merged => Some(WsOutcome::Complete),
        WsStatus::AwaitingReview => Some(WsOutcome::AtGate(format!(
            "{}; see it with `git aos show {name}`, then `git aos approve {name}` or `git aos reject {name} -f TEXT`",
            reason(),
        ))),
        WsStatus::Blocked => Some(WsOutcome::AtGate(format!(
            "{}; answer with `git aos clarify answer {} TEXT`",
            reason(),
            ws.name
        ))),
        WsStatus::AwaitingUat => Some(WsOutcome::AtGate(format!(
            "{}; `git aos uat pass|fail {}`",
            reason(),
            ws.name
        ))),
        WsStatus::Failed => {
            let tasks = p.store.tasks(snap)?;
            tasks
                .tasks
                .iter()
                .any(|t| t.status == TaskStatus::Failed)
                .then(|| {
                    WsOutcome::Failed(format!(
                        "{}; `git aos reset {}` starts the task over",
                        reason(),
                        ws.name
                    ))
                })
        }
        WsStatus::Active | WsStatus::Running => None,
    })
}

/// Returns the task to work on: the current one (resuming its run), else the next
/// ready one with a fresh run; `None` when no task is ready.
fn select(p: &Pipeline, snap: &Snapshot) -> anyhow::Result<Option<TaskCtx>> {
    if let Some(t) = current(p, snap)? {
        return Ok(Some(t));
    }
    let tasks = p.store.tasks(snap)?;
    if tasks.tasks.is_empty() {
        // No plan (or an empty one): `finish` explains what to do.
        return Ok(None);
    }
    let plan = stored_plan(p, snap)?;
    let done: std::collections::BTreeSet<_> = tasks
        .tasks
        .iter()
        .filter(|t| t.status == TaskStatus::Done)
        .map(|t| t.id.clone())
        .collect();
    let pending = |id: &crate::ids::TaskId| {
        tasks
            .get(id)
            .is_some_and(|r| r.status == TaskStatus::Pending)
    };
    let Some(next) = plan
        .ready(&done)
        .into_iter()
        .find(|t| pending(&t.id))
        .map(|t| t.id.clone())
    else {
        return Ok(None);
    };
    let profile = p.cfg.profile(&snap.ws.profile).map_err(UserError::from)?;
    let first = super::tests_first::first_stage(&profile);
    let run = start_run(p, &snap.ws.name, &next, first)?;
    let snap = p.store.find(&snap.ws.name)?;
    task_ctx(p, &snap, plan, run).map(Some)
}

/// Returns the task the workstream is in the middle of, with its run, if any.
pub(super) fn current(p: &Pipeline, snap: &Snapshot) -> anyhow::Result<Option<TaskCtx>> {
    let Some(id) = &snap.ws.current_task else {
        return Ok(None);
    };
    let tasks = p.store.tasks(snap)?;
    let record = tasks
        .get(id)
        .context("the current task is not in tasks.toml")?;
    let Some(run_id) = record.last_run.clone() else {
        return Ok(None);
    };
    let Some(mut run) = p
        .store
        .read_toml::<RunRecord>(snap, &RunRecord::path(&run_id))?
    else {
        return Ok(None);
    };
    if !matches!(
        run.status,
        RunStatus::Running | RunStatus::Halted | RunStatus::Blocked | RunStatus::AwaitingReview
    ) {
        return Ok(None);
    }
    if run.status != RunStatus::AwaitingReview {
        run.status = RunStatus::Running;
    }
    let plan = stored_plan(p, snap)?;
    task_ctx(p, snap, plan, run).map(Some)
}

fn stored_plan(p: &Pipeline, snap: &Snapshot) -> anyhow::Result<plan::Plan> {
    let text = p
        .store
        .read_file(snap, path::PLAN)?
        .context("the workstream has no plan")?;
    let text = String::from_utf8(text).context("plan.md is not UTF-8")?;
    Ok(plan::check(&text, "plan.md")
        .map_err(|d| UserError::new(format!("the stored plan no longer validates: {}", d[0])))?
        .plan)
}

fn task_ctx(
    p: &Pipeline,
    snap: &Snapshot,
    plan: plan::Plan,
    run: RunRecord,
) -> anyhow::Result<TaskCtx> {
    let profile = p.cfg.profile(&snap.ws.profile).map_err(UserError::from)?;
    let worktree = crate::workstream::worktree_path(&p.store, &snap.ws);
    anyhow::ensure!(
        worktree.is_dir(),
        "the worktree `{}` is gone; `git aos fsck --fix` recreates it",
        worktree.display()
    );
    let task = plan.find_task(&run.task)?.clone();
    let checkout = crate::git::Checkout::locate(&p.store.paths().common_dir, &worktree)?;
    let mut run = run;
    if run.base.is_none() {
        // A run recorded before runs carried their base starts from the branch tip.
        run.base = p.store.branch_tip(&snap.ws.branch)?;
    }
    run.expected_head
        .get_or_insert_with(|| crate::store::refs::branch(&snap.ws.branch));
    Ok(TaskCtx {
        name: snap.ws.name.clone(),
        ws: snap.ws.clone(),
        worktree,
        checkout,
        profile,
        plan,
        task,
        tasks: p.store.tasks(snap)?,
        run,
    })
}

/// Records a fresh run of `task` as the workstream's current one.
fn start_run(
    p: &Pipeline,
    name: &WorkstreamName,
    task: &crate::ids::TaskId,
    first: Stage,
) -> anyhow::Result<RunRecord> {
    let mut run = RunRecord::start(task.clone(), first);
    let ws = p.store.find(name)?.ws;
    run.base = p.store.branch_tip(&ws.branch)?;
    run.expected_head = Some(crate::store::refs::branch(&ws.branch));
    let event = Event::new("run", format!("{task} start"))
        .task(task)
        .run(&run.id);
    p.store.update(name, &event, |tx| {
        run.save(tx)?;
        let mut tasks = tx.tasks()?;
        if let Some(t) = tasks.get_mut(task) {
            t.status = TaskStatus::Running;
            t.last_run = Some(run.id.clone());
        }
        tx.set_tasks(&tasks)?;
        let ws = tx.ws_mut();
        ws.current_task = Some(task.clone());
        ws.status = WsStatus::Running;
        ws.reason = None;
        Ok(())
    })?;
    p.ui.progress(
        name.as_str(),
        format_args!("{task} started (run {})", run.id),
    );
    Ok(run)
}

/// No task is ready: the workstream is complete, or stuck behind failed tasks.
fn finish(p: &Pipeline, snap: &Snapshot) -> anyhow::Result<WsOutcome> {
    let tasks = p.store.tasks(snap)?;
    let name = &snap.ws.name;
    if tasks.tasks.is_empty() {
        // Nothing failed: the workstream was made without a plan.
        return Err(UserError::with_hint(
            format!("`{name}` has no plan, so it has nothing to run"),
            format!(
                "write one (`git aos plan new --template plan.md` gives an example), then \
                 `git aos close {name}` and `git aos new {name} --plan plan.md`"
            ),
        )
        .into());
    }
    if let Some(stuck) = tasks.tasks.iter().find(|t| t.status != TaskStatus::Done) {
        return Ok(WsOutcome::Failed(format!(
            "{} cannot start: a task it depends on did not finish",
            stuck.id
        )));
    }
    let event = Event::new("complete", "complete").by(Actor::Tool);
    p.store.update(name, &event, |tx| {
        let ws = tx.ws_mut();
        ws.status = WsStatus::Complete;
        ws.current_task = None;
        ws.reason = None;
        Ok(())
    })?;
    let (done, total) = tasks.progress();
    let cmd = format!("git aos merge {name}");
    let msg = format!("all {done}/{total} tasks done");
    p.notify(notify::Kind::Complete, name, &msg, &cmd);
    Ok(WsOutcome::Complete)
}
