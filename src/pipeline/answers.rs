//! Answers to questions agents (or people) asked: the task that asked goes on once none
//! of its questions is open, and the answer goes into its next prompt.

use crate::agent::prompt::Feedback;
use crate::error::UserError;
use crate::gate::clarify;
use crate::ids::{TaskId, WorkstreamName};
use crate::store::{Actor, Event, TaskStatus, WsStatus};

use super::Pipeline;
use super::record::{RunRecord, RunStatus};

/// Answers a clarification; the task that asked goes on once none of its questions is
/// open, and the answer goes into its next prompt.
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
        let open: Vec<clarify::Clarification> =
            clarify::all(tx)?.into_iter().filter(|c| c.is_open()).collect();
        let mut c = match id {
            Some(id) => open.iter().find(|c| c.id == id).cloned().ok_or_else(|| {
                UserError::with_hint(
                    format!("`{name}` has no open question `{id}`"),
                    "`git aos clarify list` shows the open ones",
                )
            })?,
            None => match open.as_slice() {
                [one] => one.clone(),
                [] => return Err(UserError::new(format!("`{name}` has no open question")).into()),
                _ => {
                    return Err(UserError::with_hint(
                        format!("`{name}` has {} open questions", open.len()),
                        format!("name one: `git aos clarify answer {name} <id> TEXT` (`git aos clarify list`)"),
                    )
                    .into());
                }
            },
        };
        c.answer = Some(text.to_owned());
        c.answered_by = Some(by.clone());
        c.answered_at = Some(crate::store::now_rfc3339());
        tx.put_toml(&clarify::path(&c.id), &c)?;
        answered = c.id.clone();
        let others_open = |task: &Option<TaskId>| {
            open.iter().any(|o| o.id != c.id && &o.task == task)
        };
        if let Some(task_id) = c.task.clone() {
            let mut tasks = tx.tasks()?;
            if let Some(task) = tasks.get_mut(&task_id)
                && let Some(run_id) = task.last_run.clone()
                && let Some(mut run) = RunRecord::load(tx, &run_id)?
            {
                run.feedback.push(Feedback::Clarification {
                    question: c.question.clone(),
                    answer: text.to_owned(),
                    answered_by: by.clone(),
                });
                if !others_open(&c.task) && task.status == TaskStatus::Blocked {
                    run.status = RunStatus::Running;
                    task.status = TaskStatus::Running;
                    task.reason = None;
                }
                run.save(tx)?;
            }
            tx.set_tasks(&tasks)?;
        }
        if open.len() == 1 && tx.ws().status == WsStatus::Blocked {
            let ws = tx.ws_mut();
            ws.status = WsStatus::Active;
            ws.reason = None;
        }
        Ok(())
    })?;
    Ok(answered)
}
