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
    let stat = git::change::staged_stat(&t.worktree)?;
    let files = git::change::staged_files(&t.worktree)?;
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
pub fn approve(p: &Pipeline, name: &WorkstreamName) -> anyhow::Result<String> {
    let _lock = lock::lock_workstream(&p.store.paths().common_dir, name)?;
    let mut t = at_gate(p, name)?;
    let by = p.store.person();
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
    git::change::discard_changes(&crate::workstream::worktree_path(&p.store, &snap.ws))?;
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
