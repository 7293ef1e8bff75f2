//! The person's side of the gates: the human gate (approve, reject, reset) and answers
//! to clarifications. Each decision is one state commit authored by the person.

use crate::error::UserError;
use crate::gate::{clarify, review};
use crate::git;
use crate::ids::WorkstreamName;
use crate::lock;
use crate::notify;
use crate::store::{Actor, Event, TaskStatus, WsStatus};

use super::record::{RunRecord, RunStatus, Stage};
use super::stage::{Step, TaskCtx, save, set_status};
use super::{Pipeline, WsOutcome, commit, driver};

/// HUMAN: opens the review gate (unless the profile is autonomous) and stops.
pub(super) fn open_gate(p: &Pipeline, t: &mut TaskCtx) -> anyhow::Result<Step> {
    let tree = match t.run.tree.clone() {
        Some(tree) => tree,
        None => t.checkout.write_tree()?,
    };
    t.run.tree = Some(tree.clone());
    let base = t.base().to_owned();
    let stat = git::change::stat(&t.checkout, &base, &tree)?;
    let files = p.store.changed_between(&base, &tree)?;
    let gate = review::ReviewGate {
        task: t.task.id.clone(),
        run: t.run.id.clone(),
        attempt: t.run.attempt,
        requested_at: crate::store::now_rfc3339(),
        diff_stat: stat,
        files,
        tests: t.run.tests.clone(),
        verdict: t.run.verdict.clone().unwrap_or_else(|| "none".into()),
        review_summary: t.run.review_summary.clone(),
        comments: t.run.review_comments.clone(),
        agent_summary: t.run.agent_summary.clone(),
        base: Some(base),
        tree: Some(tree),
        custody: t.run.custody.clone(),
        self_review: t.run.self_review,
    };
    t.run.status = RunStatus::AwaitingReview;
    let event = t.event(Stage::Human, "human -> awaiting review", Actor::Tool);
    let id = t.task.id.clone();
    let reason = format!("{id} awaits review");
    save(p, t, &event, |tx| {
        tx.put_toml(review::PATH, &gate)?;
        set_status(
            tx,
            &id,
            Some(TaskStatus::AwaitingReview),
            WsStatus::AwaitingReview,
            Some(reason.clone()),
        )
    })?;
    let cmd = format!("git aos show {}", t.name);
    p.notify(notify::Kind::AwaitingReview, &t.name, &reason, &cmd);
    Ok(Step::Stop(WsOutcome::AtGate(format!(
        "{reason}; see it with `{cmd}`"
    ))))
}

/// Loads the task waiting at the human gate, or explains why there is none.
fn at_gate(p: &Pipeline, name: &WorkstreamName) -> anyhow::Result<TaskCtx> {
    let snap = p.store.find(name)?;
    if snap.ws.status != WsStatus::AwaitingReview {
        return Err(UserError::with_hint(
            format!(
                "`{name}` is not waiting for review (it is {})",
                snap.ws.status
            ),
            format!("`git aos status {name}` shows where it stands"),
        )
        .into());
    }
    driver::current(p, &snap)?
        .ok_or_else(|| UserError::new(format!("`{name}` has no task at the gate")).into())
}

/// Approves the change at the gate and commits it at once. Returns the commit.
///
/// A person may edit the worktree while the change waits: the edit is allowed, and the
/// checks run again on it before anything lands; when they fail nothing is committed and
/// the change still waits.
pub async fn approve(p: &Pipeline, name: &WorkstreamName) -> anyhow::Result<String> {
    let _lock = lock::lock_workstream(&p.store.paths().common_dir, name)?;
    let mut t = at_gate(p, name)?;
    let by = p.store.person();
    retest_edit(p, &mut t, &by).await?;
    t.run.approved_by = Some(by.clone());
    t.run.status = RunStatus::Running;
    t.run.next = Stage::Commit;
    let event = t.event(
        Stage::Human,
        format!("human -> approved by {by}"),
        Actor::Person,
    );
    save(p, &t, &event, |tx| {
        tx.remove(review::PATH);
        let ws = tx.ws_mut();
        ws.status = WsStatus::Running;
        ws.reason = None;
        Ok(())
    })?;
    match commit::run(p, &mut t)? {
        Step::Stop(WsOutcome::Failed(why)) => Err(UserError::new(why).into()),
        _ => {
            let event = Event::new(
                "approve",
                format!(
                    "{} landed; the workstream waits for `git aos run`",
                    t.task.id
                ),
            );
            p.store.update(name, &event, |tx| {
                tx.ws_mut().status = WsStatus::Active;
                Ok(())
            })?;
            Ok(t.run.commit.clone().unwrap_or_default())
        }
    }
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
                "fix the worktree and `git aos approve {}` again, or `git aos reject {0} -f TEXT`",
                t.name
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

/// Rejects the change at the gate: the next attempt iterates on the current changes
/// with `text` as feedback.
pub fn reject(p: &Pipeline, name: &WorkstreamName, text: &str) -> anyhow::Result<()> {
    let _lock = lock::lock_workstream(&p.store.paths().common_dir, name)?;
    let mut t = at_gate(p, name)?;
    let by = p.store.person();
    t.run
        .feedback
        .push(crate::agent::prompt::Feedback::Rejection {
            by: by.clone(),
            text: text.to_owned(),
        });
    t.run.status = RunStatus::Running;
    t.run.attempt += 1;
    t.run.next = Stage::Implement;
    let event = t.event(
        Stage::Human,
        format!("human -> rejected by {by}"),
        Actor::Person,
    );
    let (id, attempts) = (t.task.id.clone(), t.run.attempt);
    save(p, &t, &event, |tx| {
        tx.remove(review::PATH);
        let mut tasks = tx.tasks()?;
        if let Some(task) = tasks.get_mut(&id) {
            task.status = TaskStatus::Running;
            task.attempts = attempts;
        }
        tx.set_tasks(&tasks)?;
        let ws = tx.ws_mut();
        ws.status = WsStatus::Active;
        ws.reason = Some(format!("{id} rejected: {text}"));
        Ok(())
    })
}

/// Discards the worktree's changes for the current task and starts it over (attempts 0).
pub fn reset(p: &Pipeline, name: &WorkstreamName) -> anyhow::Result<Option<String>> {
    let _lock = lock::lock_workstream(&p.store.paths().common_dir, name)?;
    let snap = p.store.find(name)?;
    let Some(task_id) = snap
        .ws
        .current_task
        .clone()
        .or_else(|| failed_task(p, &snap))
    else {
        return Err(UserError::with_hint(
            format!("`{name}` has no task in progress"),
            "nothing to reset",
        )
        .into());
    };
    let worktree = &crate::workstream::worktree_path(&p.store, &snap.ws);
    for line in crate::workstream::leftovers::clear(&p.store.paths().common_dir, name, worktree) {
        p.ui.warn(format_args!("{name}: {line}"));
    }
    let checkout = git::Checkout::locate(&p.store.paths().common_dir, worktree)?;
    let tasks = p.store.tasks(&snap)?;
    let run = match tasks.get(&task_id).and_then(|t| t.last_run.clone()) {
        Some(id) => p
            .store
            .read_toml::<RunRecord>(&snap, &RunRecord::path(&id))?,
        None => None,
    };
    // Whatever an agent of the run left on the branch goes back to the run's base (and
    // into its rescue ref) before the changes are discarded, so none of it stays.
    if let Some(run) = run.as_ref().filter(|r| r.base.is_some())
        && let Some(base) = &run.base
    {
        let place = super::custody::Place {
            name,
            branch: &snap.ws.branch,
            checkout: &checkout,
            run: &run.id,
            base,
        };
        let heads = super::custody::watch(p)?;
        let report = super::custody::after_agent(p, &place, &heads, &format!("{task_id} reset"))?;
        if let Some(why) = report.stop {
            return Err(UserError::new(why).into());
        }
    } else if checkout.link() != git::Link::Intact {
        checkout.repair_link()?;
    }
    discard_to_branch(p, &snap.ws.branch, &checkout)?;
    let event = Event::new("reset", format!("{task_id} reset"))
        .by(Actor::Person)
        .task(&task_id);
    p.store.update(name, &event, |tx| {
        let mut tasks = tx.tasks()?;
        if let Some(task) = tasks.get_mut(&task_id) {
            if let Some(run_id) = &task.last_run
                && let Some(mut run) = RunRecord::load(tx, run_id)?
            {
                run.status = RunStatus::Reset;
                run.ended_at = Some(crate::store::now_rfc3339());
                run.save(tx)?;
            }
            task.status = TaskStatus::Pending;
            task.attempts = 0;
        }
        tx.set_tasks(&tasks)?;
        tx.remove(review::PATH);
        let ws = tx.ws_mut();
        ws.current_task = None;
        ws.status = WsStatus::Active;
        ws.reason = None;
        Ok(())
    })?;
    Ok(Some(task_id.to_string()))
}

/// Puts the worktree back on its branch at the branch's tip with no change: HEAD
/// attached again if an agent moved it, then every uncommitted change discarded.
fn discard_to_branch(p: &Pipeline, branch: &str, checkout: &git::Checkout) -> anyhow::Result<()> {
    let full = crate::store::refs::branch(branch);
    if checkout.head()? != git::Head::Branch(full.clone()) {
        checkout.attach_head(&full)?;
    }
    if p.store.branch_tip(branch)?.is_none() {
        return Err(UserError::new(format!("the branch `{branch}` is gone")).into());
    }
    git::change::discard_changes(checkout)
}

fn failed_task(p: &Pipeline, snap: &crate::store::Snapshot) -> Option<crate::ids::TaskId> {
    let tasks = p.store.tasks(snap).ok()?;
    tasks
        .tasks
        .iter()
        .find(|t| t.status == TaskStatus::Failed)
        .map(|t| t.id.clone())
}

/// Answers a clarification; when no question stays open, the workstream can run again
/// and the answer goes into the next prompt.
pub fn answer(
    p: &Pipeline,
    name: &WorkstreamName,
    id: Option<&str>,
    text: &str,
) -> anyhow::Result<String> {
    let by = p.store.person();
    let mut answered = String::new();
    let event = Event::new("answer", "question answered").by(Actor::Person);
    p.store.update(name, &event, |tx| {
        let open: Vec<clarify::Clarification> = clarify::all(tx)?.into_iter().filter(|c| c.is_open()).collect();
        let mut c = match id {
            Some(id) => open.iter().find(|c| c.id == id).cloned().ok_or_else(|| {
                UserError::with_hint(format!("`{name}` has no open question `{id}`"), "`git aos clarify list` shows the open ones")
            })?,
            None => match open.as_slice() {
                [one] => one.clone(),
                [] => return Err(UserError::new(format!("`{name}` has no open question")).into()),
                _ => return Err(UserError::with_hint(
                    format!("`{name}` has {} open questions", open.len()),
                    format!("name one: `git aos clarify answer {name} <id> TEXT` (`git aos clarify list`)"),
                )
                .into()),
            },
        };
        c.answer = Some(text.to_owned());
        c.answered_by = Some(by.clone());
        c.answered_at = Some(crate::store::now_rfc3339());
        tx.put_toml(&clarify::path(&c.id), &c)?;
        answered = c.id.clone();
        let still_open = open.len() > 1;
        if let Some(task_id) = c.task.clone() {
            let mut tasks = tx.tasks()?;
            if let Some(task) = tasks.get_mut(&task_id)
                && let Some(run_id) = task.last_run.clone()
                && let Some(mut run) = RunRecord::load(tx, &run_id)?
            {
                run.feedback.push(crate::agent::prompt::Feedback::Clarification {
                    question: c.question.clone(),
                    answer: text.to_owned(),
                    answered_by: by.clone(),
                });
                if !still_open {
                    run.status = RunStatus::Running;
                    task.status = TaskStatus::Running;
                }
                run.save(tx)?;
            }
            tx.set_tasks(&tasks)?;
        }
        if !still_open && tx.ws().status == WsStatus::Blocked {
            let ws = tx.ws_mut();
            ws.status = WsStatus::Active;
            ws.reason = None;
        }
        Ok(())
    })?;
    Ok(answered)
}
