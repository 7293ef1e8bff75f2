//! Starting tasks: which ones (`schedule`), each under its task lock with its run —
//! resumed, or fresh on the branch tip — in its worktree: its own (made again at the
//! run's base when it is gone), or the workstream's, whose previous task's work is set
//! aside first when that task was deferred. A fix task takes over the work of the task
//! it fixes; work set aside earlier is carried onto the tip.

use std::path::Path;
use std::sync::Arc;

use crate::error::Busy;
use crate::gate::clarify;
use crate::git::Checkout;
use crate::ids::TaskId;
use crate::lock;
use crate::notify;
use crate::plan::Plan;
use crate::store::{Actor, Event, Snapshot, TaskStatus, TasksFile, WsStatus};

use super::driver::Driver;
use super::readying::Starting;
use super::record::RunRecord;
use super::{Pipeline, WsOutcome, custody, load, schedule, worktrees};

/// Starts what can start now: returns each task that starts, its run recorded.
pub(super) async fn start(d: &mut Driver, snap: &Snapshot) -> anyhow::Result<Vec<Starting>> {
    let p = d.p.clone();
    if p.store.read_file(snap, crate::gate::plan::PATH)?.is_some() {
        // A plan change waits for approval (supervised): nothing new starts meanwhile.
        return Ok(Vec::new());
    }
    let tasks = p.store.tasks(snap)?;
    let waiting = tasks
        .tasks
        .iter()
        .any(|t| matches!(t.status, TaskStatus::AwaitingReview | TaskStatus::Blocked));
    d.clock.gates(waiting);
    if tasks.tasks.is_empty() {
        // Made without a plan: nothing starts, and `finish` says how to give it one.
        return Ok(Vec::new());
    }
    let plan = load::plan(&p, snap)?;
    let slots = if d.parallel() {
        (d.profile.parallel_tasks as usize).saturating_sub(d.running.len())
    } else if d.running.is_empty() {
        1
    } else {
        0
    };
    if slots == 0 {
        return Ok(Vec::new());
    }
    let halted = d.profile.on_failure == crate::config::OnFailure::Halt
        && super::ending::unhandled_failure(&tasks);
    let picks = match (d.parallel(), &snap.ws.current_task) {
        (false, Some(current)) => match tasks.get(current).map(|t| t.status) {
            // The workstream's worktree holds this task's change: it goes on, or waits.
            Some(TaskStatus::Running) => vec![current.clone()],
            Some(TaskStatus::AwaitingReview | TaskStatus::Blocked) => return Ok(Vec::new()),
            _ => {
                set_aside(&p, snap, &tasks, current)?;
                let snap = p.store.find(&d.name)?;
                let tasks = p.store.tasks(&snap)?;
                schedule::pick(&tasks, &plan, &d.running, slots, halted)
            }
        },
        _ => schedule::pick(&tasks, &plan, &d.running, slots, halted),
    };
    let mut started = Vec::new();
    for id in picks {
        match prepare(d, &plan, &id).await? {
            Some(t) => started.push(t),
            None => continue,
        }
    }
    Ok(started)
}

/// Takes the task's lock and readies its run; `None` when a person holds the task now
/// or it no longer waits to start.
async fn prepare(
    d: &mut Driver,
    plan: &Arc<Plan>,
    id: &TaskId,
) -> anyhow::Result<Option<Starting>> {
    let p = d.p.clone();
    let guard = match lock::lock_task(&p.store.paths().common_dir, &d.name, id) {
        Ok(g) => g,
        Err(e) => match e.downcast_ref::<Busy>() {
            Some(busy) => {
                d.busy = Some(busy.clone());
                return Ok(None);
            }
            None => return Err(e),
        },
    };
    // Read again under the lock: a person's decision may have just changed the task.
    let snap = p.store.find(&d.name)?;
    let tasks = p.store.tasks(&snap)?;
    if !tasks
        .get(id)
        .is_some_and(|t| matches!(t.status, TaskStatus::Pending | TaskStatus::Running))
    {
        return Ok(None);
    }
    let parallel = d.parallel();
    let (mut run, fresh) = match load::live_run(&p, &snap, &tasks, id)? {
        Some(run) => (run, false),
        None => (fresh_run(&p, d, &snap, &tasks, id)?, true),
    };
    if !fresh && !parallel && snap.ws.current_task.as_ref() != Some(id) {
        record(
            &p,
            &snap,
            &run,
            "resumes in the workstream's worktree",
            |ws| {
                ws.current_task = Some(id.clone());
            },
        )?;
    }
    if run.carry.is_some() && !parallel {
        // Its work was set aside while other tasks landed: it goes on from the tip.
        run.base = p.store.branch_tip(&snap.ws.branch)?;
    }
    if parallel && run.worktree.is_none() {
        // A run begun one task at a time (the profile changed since) moves to a worktree
        // of its own: other tasks' landings move the workstream's worktree.
        move_to_own_worktree(&p, d, &snap, &mut run)?;
    }
    Ok(Some(Starting {
        name: d.name.clone(),
        run,
        fresh,
        plan: plan.clone(),
        lock: guard,
    }))
}

/// Returns a fresh run of `id` on the branch tip, recorded as started. A fix task takes
/// over the work of the task it fixes: its worktree, or what was set aside of it.
fn fresh_run(
    p: &Pipeline,
    d: &Driver,
    snap: &Snapshot,
    tasks: &TasksFile,
    id: &TaskId,
) -> anyhow::Result<RunRecord> {
    let first = super::tests_first::first_stage(&d.profile);
    let mut run = RunRecord::start(id.clone(), first);
    run.base = p.store.branch_tip(&snap.ws.branch)?;
    if d.parallel() {
        run.worktree = Some(worktrees::task_path(p, &d.name, id).display().to_string());
    }
    let mut taken_from: Option<RunRecord> = None;
    if let Some(failed) = tasks.get(id).and_then(|r| r.fixes.clone())
        && let Some(old) = load::last_run(p, snap, tasks, &failed)?
    {
        let own = old.worktree.as_deref().filter(|w| Path::new(w).is_dir());
        match (d.parallel(), own) {
            (true, Some(wt)) => {
                run.worktree = Some(wt.to_owned());
                run.base = old.base.clone();
            }
            (false, _) if snap.ws.current_task.as_ref() == Some(&failed) => {
                run.base = old.base.clone();
            }
            _ => run.carry = old.carry.clone(),
        }
        taken_from = Some(old);
    }
    let parallel = d.parallel();
    let event = Event::new("run", format!("{id} start"))
        .task(id)
        .run(&run.id);
    p.store.update(&d.name, &event, |tx| {
        run.save(tx)?;
        if let Some(old) = &taken_from {
            // The work now belongs to the fix task.
            if let Some(mut old) = RunRecord::load(tx, &old.id)? {
                old.worktree = None;
                old.carry = None;
                old.save(tx)?;
            }
        }
        let mut tasks = tx.tasks()?;
        if let Some(t) = tasks.get_mut(id) {
            t.status = TaskStatus::Running;
            t.last_run = Some(run.id.clone());
            t.reason = None;
        }
        tx.set_tasks(&tasks)?;
        let ws = tx.ws_mut();
        if !parallel {
            ws.current_task = Some(id.clone());
        }
        ws.status = WsStatus::Running;
        ws.reason = None;
        Ok(())
    })?;
    p.ui.progress(
        d.name.as_str(),
        format_args!("{id} started (run {})", run.id),
    );
    Ok(run)
}

/// Sets the deferred task whose change the workstream's worktree holds aside, so the
/// worktree can serve another task.
fn set_aside(
    p: &Pipeline,
    snap: &Snapshot,
    tasks: &TasksFile,
    current: &TaskId,
) -> anyhow::Result<()> {
    let run = load::last_run(p, snap, tasks, current)?;
    let co = Checkout::locate(
        &p.store.paths().common_dir,
        &crate::workstream::worktree_path(&p.store, &snap.ws),
    )?;
    let parked = match &run {
        Some(run) => worktrees::park(p, &snap.ws.name, run, &co)?,
        None => None,
    };
    let event = Event::new(
        "park",
        match &parked {
            Some(c) => format!("{current}: its work set aside as {}", custody::short(c)),
            None => format!("{current}: the worktree is free"),
        },
    )
    .by(Actor::Tool)
    .task(current);
    p.store.update(&snap.ws.name, &event, |tx| {
        if let (Some(run), Some(c)) = (&run, &parked)
            && let Some(mut r) = RunRecord::load(tx, &run.id)?
        {
            r.carry = Some(c.clone());
            r.save(tx)?;
        }
        tx.ws_mut().current_task = None;
        Ok(())
    })?;
    Ok(())
}

/// Gives a run begun in the workstream's worktree a worktree of its own: its work there
/// is set aside and carried into the new worktree when the task starts.
fn move_to_own_worktree(
    p: &Pipeline,
    d: &Driver,
    snap: &Snapshot,
    run: &mut RunRecord,
) -> anyhow::Result<()> {
    if snap.ws.current_task.as_ref() == Some(&run.task) {
        let co = Checkout::locate(
            &p.store.paths().common_dir,
            &crate::workstream::worktree_path(&p.store, &snap.ws),
        )?;
        run.carry = worktrees::park(p, &snap.ws.name, run, &co)?.or(run.carry.take());
    }
    run.worktree = Some(
        worktrees::task_path(p, &d.name, &run.task)
            .display()
            .to_string(),
    );
    let record = run.clone();
    let event = Event::new(
        "run",
        format!("{} moves to a worktree of its own", run.task),
    )
    .task(&run.task)
    .run(&run.id);
    p.store.update(&snap.ws.name, &event, |tx| {
        record.save(tx)?;
        let ws = tx.ws_mut();
        if ws.current_task.as_ref() == Some(&record.task) {
            ws.current_task = None;
        }
        Ok(())
    })?;
    Ok(())
}

/// Records a change of the workstream record in a state commit about `run`.
fn record(
    p: &Pipeline,
    snap: &Snapshot,
    run: &RunRecord,
    what: &str,
    change: impl Fn(&mut crate::store::WorkstreamRecord),
) -> anyhow::Result<()> {
    let event = Event::new("run", format!("{} {what}", run.task))
        .task(&run.task)
        .run(&run.id);
    p.store.update(&snap.ws.name, &event, |tx| {
        change(tx.ws_mut());
        Ok(())
    })?;
    Ok(())
}

/// Returns the id of an open question a person asked of the workstream as a whole (not
/// one an agent asked about its task), if any.
pub(super) fn workstream_question(p: &Pipeline, snap: &Snapshot) -> anyhow::Result<Option<String>> {
    let tasks = p.store.tasks(snap)?;
    for file in p.store.list_dir(snap, clarify::DIR)? {
        let path = format!("{}/{file}", clarify::DIR);
        if let Some(q) = p.store.read_toml::<clarify::Clarification>(snap, &path)?
            && q.is_open()
        {
            let task_blocked = q
                .task
                .as_ref()
                .and_then(|t| tasks.get(t))
                .is_some_and(|t| t.status == TaskStatus::Blocked);
            if !task_blocked {
                return Ok(Some(q.id));
            }
        }
    }
    Ok(None)
}

/// Every task is done: the workstream is complete, and people are told.
pub(super) fn complete(
    p: &Pipeline,
    snap: &Snapshot,
    tasks: &TasksFile,
) -> anyhow::Result<WsOutcome> {
    let name = &snap.ws.name;
    let event = Event::new("complete", "complete").by(Actor::Tool);
    p.store.update(name, &event, |tx| {
        let ws = tx.ws_mut();
        ws.status = WsStatus::Complete;
        ws.current_task = None;
        ws.reason = None;
        Ok(())
    })?;
    worktrees::clear_idle(p, name);
    let (done, total) = tasks.progress();
    let cmd = format!("git aos merge {name}");
    let msg = format!("all {done}/{total} tasks done");
    p.notify(notify::Kind::Complete, name, &msg, &cmd);
    Ok(WsOutcome::Complete)
}
