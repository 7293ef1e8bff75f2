//! The human gate, per task: HUMAN opens a task's gate (`gates/review/<task>.toml`), and
//! `approve` lands what waits there — or, with `--force`, a task that failed or whose
//! verdict a person overrides, once the checks pass on what is in its worktree. Each
//! decision is one state commit authored by the person.
//!
//! A person decides one task while `run` may drive the others: a decision takes the
//! task's lock (never held by the run while the task waits), and landing takes the
//! workstream's integration lock like every landing. The workstream's status is written
//! here only when no run holds the workstream; otherwise the run picks the decision up.

use crate::error::UserError;
use crate::gate::review;
use crate::git;
use crate::ids::{TaskId, WorkstreamName};
use crate::lock::{self, LockGuard};
use crate::notify;
use crate::store::{Actor, Event, Snapshot, TaskRecord, TaskStatus};

use super::record::{RunStatus, Stage};
use super::stage::{Step, TaskCtx, TaskStop, save, set_task};
use super::{Pipeline, commit, ending, integrate, load};

/// HUMAN: opens the task's review gate and stops the task (the profile's autonomy
/// decides whether this stage runs at all).
pub(super) fn open_gate(p: &Pipeline, t: &mut TaskCtx) -> anyhow::Result<Step> {
    let reason = format!("{} awaits review", t.task.id);
    wait_for_person(p, t, &reason, Vec::new())?;
    let cmd = format!("git aos show {} {}", t.name, t.task.id);
    Ok(Step::Stop(TaskStop::Gate(format!(
        "{reason}; see it with `{cmd}`"
    ))))
}

/// Records the task as waiting for a person at its review gate (`conflicts`: files the
/// person must resolve in the task's worktree first), and tells people.
pub(super) fn wait_for_person(
    p: &Pipeline,
    t: &mut TaskCtx,
    reason: &str,
    conflicts: Vec<String>,
) -> anyhow::Result<()> {
    let tree = match t.run.tree.clone() {
        Some(tree) => tree,
        None => t.checkout.write_tree()?,
    };
    if conflicts.is_empty() {
        t.run.tree = Some(tree.clone());
    }
    let base = t.base().to_owned();
    let gate = review::ReviewGate {
        task: t.task.id.clone(),
        run: t.run.id.clone(),
        attempt: t.run.attempt,
        requested_at: crate::store::now_rfc3339(),
        diff_stat: git::change::stat(&t.checkout, &base, &tree)?,
        files: p.store.changed_between(&base, &tree)?,
        tests: t.run.tests.clone(),
        verdict: t.run.verdict.clone().unwrap_or_else(|| "none".into()),
        review_summary: t.run.review_summary.clone(),
        comments: t.run.review_comments.clone(),
        agent_summary: t.run.agent_summary.clone(),
        base: Some(base),
        tree: Some(tree),
        custody: t.run.custody.clone(),
        self_review: t.run.self_review,
        conflicts,
        worktree: t.run.worktree.clone(),
    };
    t.run.status = RunStatus::AwaitingReview;
    t.run.reason = Some(reason.to_owned());
    let event = t.event(Stage::Human, "human -> awaiting review", Actor::Tool);
    let id = t.task.id.clone();
    save(p, t, &event, |tx| {
        tx.put_toml(&review::path(&id), &gate)?;
        set_task(tx, &id, TaskStatus::AwaitingReview, Some(reason.to_owned()))
    })?;
    let cmd = format!("git aos show {} {}", t.name, t.task.id);
    p.notify(notify::Kind::AwaitingReview, &t.name, reason, &cmd);
    Ok(())
}

/// The locks a person's decision on one task holds: the task's, and the workstream's
/// when no run holds it (then the decision also writes where the workstream stands).
pub(super) struct Held {
    _task: LockGuard,
    /// `Some` when no run drives the workstream.
    pub ws: Option<LockGuard>,
}

/// Takes the task's lock (a `Busy` error, exit 5, when a run drives the task now) and
/// the workstream's if it is free.
pub(super) fn hold(p: &Pipeline, name: &WorkstreamName, task: &TaskId) -> anyhow::Result<Held> {
    let common = &p.store.paths().common_dir;
    let task_lock = lock::lock_task(common, name, task)?;
    Ok(Held {
        _task: task_lock,
        ws: lock::lock_workstream(common, name).ok(),
    })
}

/// Returns the task a person means: the one named (which must be in a state `fits`
/// accepts), else the only one that fits; `what` says what fits, for the errors.
pub(super) fn pick(
    p: &Pipeline,
    snap: &Snapshot,
    named: Option<&TaskId>,
    fits: impl Fn(&TaskRecord) -> bool,
    what: &str,
) -> anyhow::Result<TaskId> {
    let name = &snap.ws.name;
    let tasks = p.store.tasks(snap)?;
    if let Some(id) = named {
        let t = tasks.get(id).ok_or_else(|| {
            UserError::with_hint(
                format!("`{name}` has no task `{id}`"),
                format!("`git aos status {name}` lists its tasks"),
            )
        })?;
        if !fits(t) {
            return Err(UserError::with_hint(
                format!("`{id}` of `{name}` is {}, not {what}", t.status),
                format!("`git aos show {name} {id}` says what applies to it"),
            )
            .into());
        }
        return Ok(id.clone());
    }
    let fitting: Vec<&TaskRecord> = tasks.tasks.iter().filter(|t| fits(t)).collect();
    match fitting.as_slice() {
        [one] => Ok(one.id.clone()),
        [] => Err(UserError::with_hint(
            format!("no task of `{name}` is {what}"),
            format!("`git aos status {name}` shows where it stands"),
        )
        .into()),
        many => Err(UserError::with_hint(
            format!(
                "{} tasks of `{name}` are {what}: {}",
                many.len(),
                many.iter()
                    .map(|t| t.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            format!("name one: `git aos show {name} <task>`"),
        )
        .into()),
    }
}

/// Writes where the workstream stands after a decision, when no run holds it.
pub(super) fn rest(p: &Pipeline, name: &WorkstreamName, held: &Held) -> anyhow::Result<()> {
    if held.ws.is_none() {
        return Ok(());
    }
    let snap = p.store.find(name)?;
    let (status, reason) = ending::resting(&p.store.tasks(&snap)?);
    if snap.ws.status == status && snap.ws.reason == reason {
        return Ok(());
    }
    let event = Event::new("status", format!("-> {status}")).by(Actor::Tool);
    p.store.update(name, &event, |tx| {
        let ws = tx.ws_mut();
        ws.status = status;
        ws.reason = reason.clone();
        Ok(())
    })?;
    Ok(())
}

/// Approves a task and lands it at once; returns the task and its commit.
///
/// A person may edit the worktree while the change waits: the checks run again on the
/// edit before anything lands, and a failing edit lands nothing. `force` lands a task
/// that failed or that a reviewer did not approve: the checks run first on what is in
/// its worktree, and the note says who overrode what.
pub async fn approve(
    p: &Pipeline,
    name: &WorkstreamName,
    task: Option<&TaskId>,
    force: bool,
) -> anyhow::Result<(TaskId, String)> {
    let snap = p.store.find(name)?;
    let forceable = |t: &TaskRecord| {
        matches!(t.status, TaskStatus::AwaitingReview | TaskStatus::Failed)
            || (t.status == TaskStatus::Running && t.reason.is_some())
    };
    let id = match force {
        true => pick(
            p,
            &snap,
            task,
            forceable,
            "failed, halted or awaiting review",
        )?,
        false => pick(
            p,
            &snap,
            task,
            |t| t.status == TaskStatus::AwaitingReview,
            "awaiting review",
        )?,
    };
    let tasks = p.store.tasks(&snap)?;
    if let Some(fix) = tasks.get(&id).and_then(|t| t.fixed_by.as_ref())
        && tasks.get(fix).is_some_and(|f| {
            !matches!(
                f.status,
                TaskStatus::Pending | TaskStatus::Failed | TaskStatus::Skipped
            )
        })
    {
        return Err(UserError::with_hint(
            format!("`{id}` was handed to `{fix}`, which carries its work on"),
            format!("decide on `{fix}` instead: `git aos show {name} {fix}`"),
        )
        .into());
    }
    let held = hold(p, name, &id)?;
    let mut t = load::load_with_work(p, name, &id, &held)?;
    let by = p.store.person();
    let overridden = overrides(&t, &by);
    if force || t.run.tree.is_none() {
        recheck(p, &mut t, &by, force).await?;
    } else {
        retest_edit(p, &mut t, &by).await?;
    }
    refuse_markers(p, &t)?;
    if force {
        t.run.overrides.extend(overridden);
    }
    t.run.approved_by = Some(by.clone());
    t.run.status = RunStatus::Running;
    t.run.reason = None;
    t.run.next = Stage::Commit;
    // A change that conflicts with what landed since comes back to this person, not to
    // the agent: they decided on it.
    t.run.conflicts = t.run.conflicts.max(1);
    let verb = if force {
        "approved (forced)"
    } else {
        "approved"
    };
    let event = t.event(
        Stage::Human,
        format!("human -> {verb} by {by}"),
        Actor::Person,
    );
    save(p, &t, &event, |tx| {
        review::remove(tx, &id)?;
        set_task(tx, &id, TaskStatus::Running, None)
    })?;
    let step = match t.in_own_worktree() {
        true => integrate::land(p, &mut t).await?,
        false => commit::run(p, &mut t)?,
    };
    rest(p, name, &held)?;
    match step {
        Step::TaskDone => Ok((id, t.run.commit.clone().unwrap_or_default())),
        Step::Stop(TaskStop::Failed { why, .. }) | Step::Stop(TaskStop::Gate(why)) => {
            Err(UserError::new(why).into())
        }
        Step::Stop(TaskStop::Halted(why)) => Err(UserError::new(why).into()),
        Step::Continue => Err(UserError::new(format!("{id} did not land")).into()),
    }
}

/// Returns what `approve --force` overrides, one line each, naming who.
fn overrides(t: &TaskCtx, by: &str) -> Vec<String> {
    let mut lines = Vec::new();
    match t.run.verdict.as_deref() {
        Some("approve") | Some("skipped") => {}
        other => lines.push(format!(
            "reviewer verdict `{}` overridden by {by}",
            other.unwrap_or("none")
        )),
    }
    if t.run.status == RunStatus::Failed || t.run.status == RunStatus::Halted {
        lines.push(format!(
            "{} overridden by {by}",
            t.run.reason.as_deref().unwrap_or("the task's failure")
        ));
    }
    lines
}

/// Runs the checks on what the task's worktree holds; a failure refuses the approval
/// and lands nothing. What passed becomes the tree that lands.
async fn recheck(p: &Pipeline, t: &mut TaskCtx, by: &str, force: bool) -> anyhow::Result<()> {
    let checks = super::test::checks(p, t, "approve-test").await?;
    if let Some((cmd, code, output)) = checks.failure {
        let tail: Vec<&str> = output.lines().rev().take(15).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        let flag = if force { " --force" } else { "" };
        return Err(UserError::with_hint(
            format!(
                "the checks run before anything lands, and `{cmd}` fails (exit {}); nothing \
                 was committed\n{}",
                code.map_or("signal".into(), |c| c.to_string()),
                tail.join("\n")
            ),
            format!(
                "fix `{}`, then `git aos approve{flag} {} {}` again, or `git aos retry {1} {2}`",
                t.worktree.display(),
                t.name,
                t.task.id
            ),
        )
        .into());
    }
    t.run.tests = checks.lines;
    t.run.tests_passed = true;
    t.run.tree = Some(t.checkout.write_tree()?);
    t.run.custody.push(format!(
        "{} human: the checks passed on the worktree before {by} approved it",
        t.task.id
    ));
    Ok(())
}

/// Refuses a change with conflict markers left in a file it touches.
fn refuse_markers(p: &Pipeline, t: &TaskCtx) -> anyhow::Result<()> {
    let Some(tree) = &t.run.tree else {
        return Ok(());
    };
    let marked = super::quality::marked_files(p, t.base(), tree)?;
    if marked.is_empty() {
        return Ok(());
    }
    Err(UserError::with_hint(
        format!(
            "conflict markers are left in {}; nothing was committed",
            marked.join(", ")
        ),
        format!(
            "resolve them in `{}`, then approve again",
            t.worktree.display()
        ),
    )
    .into())
}

/// Runs the checks again when the worktree differs from the tree that was tested and
/// reviewed (a person edited it at the gate); the edited tree becomes what lands.
async fn retest_edit(p: &Pipeline, t: &mut TaskCtx, by: &str) -> anyhow::Result<()> {
    let now = t.checkout.write_tree()?;
    let Some(tested) = t.run.tree.clone() else {
        t.run.tree = Some(now);
        return Ok(());
    };
    if now == tested {
        return Ok(());
    }
    let files = p.store.changed_between(&tested, &now)?;
    p.ui.status(format_args!(
        "{}: the worktree was edited at the gate ({}); running the checks again",
        t.name,
        files.join(", ")
    ));
    let checks = super::test::checks(p, t, "gate-test").await?;
    if let Some((cmd, code, output)) = checks.failure {
        let tail: Vec<&str> = output.lines().rev().take(15).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(UserError::with_hint(
            format!(
                "the edit at the gate fails `{cmd}` (exit {}); nothing was committed and the \
                 change still waits at the gate\n{}",
                code.map_or("signal".into(), |c| c.to_string()),
                tail.join("\n")
            ),
            format!(
                "fix the worktree and `git aos approve {} {}` again, or `git aos reject {0} {1} -f TEXT`",
                t.name, t.task.id
            ),
        )
        .into());
    }
    t.run.tests = checks.lines;
    t.run.tree = Some(now);
    t.run.custody.push(format!(
        "{} human: edited at the gate by {by} ({}); the checks passed on the edit",
        t.task.id,
        files.join(", ")
    ));
    Ok(())
}

/// Returns the task waiting at the gate with the context its decision needs.
pub(super) fn at_gate(p: &Pipeline, name: &WorkstreamName, id: &TaskId) -> anyhow::Result<TaskCtx> {
    let snap = p.store.find(name)?;
    let tasks = p.store.tasks(&snap)?;
    let run = load::last_run(p, &snap, &tasks, id)?
        .ok_or_else(|| UserError::new(format!("`{id}` of `{name}` has no run")))?;
    let plan = load::plan(p, &snap)?;
    load::ctx(p, &snap, plan, tasks, run)
}
