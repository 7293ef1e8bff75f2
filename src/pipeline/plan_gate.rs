//! How a planner attempt ends at the plan gate: refused (the next attempt hears why),
//! halted, asking a question, or waiting for a person with a valid plan.

use crate::agent::Outcome;
use crate::agent::prompt::Feedback;
use crate::gate::clarify;
use crate::gate::plan::{PATH, PlanGate, PlanState};
use crate::ids::WorkstreamName;
use crate::notify;
use crate::plan::Plan;
use crate::store::{Event, WsStatus, path};
use crate::workstream::plan_file::task_records;

use super::{Pipeline, WsOutcome};

/// What to do about a plan gate that gave up (`{name}` is the workstream).
pub(super) const FAILED_HINT: &str = "`git aos reject {name} -f TEXT` has the planner try again with your guidance; or fix the plan file in the worktree, then `git aos approve {name}`";

/// One planner attempt on its way to a state commit.
pub(super) struct Attempt<'a> {
    /// The workstream.
    pub name: &'a WorkstreamName,
    /// The gate as the attempt leaves it.
    pub gate: &'a mut PlanGate,
    /// Attempts allowed (the profile's `max_attempts`).
    pub max: u32,
    /// Logs to store under the gate's run: (stage-attempt, text).
    pub logs: Vec<(String, String)>,
    /// Records of the agent invocations of the attempt: (stage-attempt, record).
    pub invocations: Vec<(String, super::record::Invocation)>,
}

/// Writes the gate and the attempt's logs as one state commit; the workstream goes back
/// to `active` unless `more` says otherwise.
fn commit<F>(p: &Pipeline, at: &Attempt<'_>, event: &Event, more: F) -> anyhow::Result<()>
where
    F: Fn(&mut crate::store::StateTx<'_>) -> anyhow::Result<()>,
{
    let gate = at.gate.clone();
    p.store.update(at.name, event, |tx| {
        tx.put_toml(PATH, &gate)?;
        for (what, text) in &at.logs {
            tx.put(&format!("runs/{}/{what}.log", gate.run), text.clone());
        }
        for (what, record) in &at.invocations {
            tx.put_toml(&super::record::Invocation::path(&gate.run, what), record)?;
        }
        let ws = tx.ws_mut();
        ws.status = WsStatus::Active;
        more(tx)
    })?;
    Ok(())
}

fn event(at: &Attempt<'_>, summary: &str) -> Event {
    Event::new("plan", format!("{summary} (attempt {})", at.gate.attempt))
        .trailer("Aos-Attempt", at.gate.attempt)
        .run(&at.gate.run)
}

/// Records the attempt and lets the next one start.
pub(super) fn save(p: &Pipeline, at: &mut Attempt<'_>, summary: &str) -> anyhow::Result<()> {
    commit(p, at, &event(at, summary), |_| Ok(()))
}

/// The plan (or the planner) was refused: the next attempt hears why; when attempts are
/// used up the gate gives up and the workstream fails.
pub(super) fn refuse(
    p: &Pipeline,
    mut at: Attempt<'_>,
    what: &str,
    problems: Vec<String>,
) -> anyhow::Result<Option<WsOutcome>> {
    at.gate.problems = problems.clone();
    at.gate.feedback.push(Feedback::Refused {
        what: what.to_owned(),
        reasons: problems.clone(),
    });
    let first = problems.first().cloned().unwrap_or_default();
    if at.gate.attempt < at.max {
        p.ui.progress(
            at.name.as_str(),
            format_args!("plan attempt {} refused: {first}", at.gate.attempt),
        );
        save(p, &mut at, "plan -> refused")?;
        return Ok(None);
    }
    at.gate.state = PlanState::Failed;
    let why = format!(
        "the planner wrote no valid plan in {} attempts: {first}",
        at.gate.attempt
    );
    commit(p, &at, &event(&at, "plan -> failed"), |tx| {
        let ws = tx.ws_mut();
        ws.status = WsStatus::Failed;
        ws.reason = Some(why.clone());
        Ok(())
    })?;
    let cmd = format!("git aos reject {} -f TEXT", at.name);
    p.notify(notify::Kind::Failed, at.name, &why, &cmd);
    let hint = FAILED_HINT.replace("{name}", at.name.as_str());
    Ok(Some(WsOutcome::Failed(format!("{why}; {hint}"))))
}

/// Stops for an environment problem; the attempt does not count and the next `run`
/// drafts again.
pub(super) fn halt(p: &Pipeline, at: Attempt<'_>, reason: &str) -> anyhow::Result<WsOutcome> {
    at.gate.attempt -= 1;
    let why = format!("planning halted: {reason}");
    commit(p, &at, &event(&at, "plan -> halted"), |tx| {
        let ws = tx.ws_mut();
        ws.status = WsStatus::Failed;
        ws.reason = Some(why.clone());
        Ok(())
    })?;
    let cmd = format!("git aos run {}", at.name);
    p.notify(
        notify::Kind::Failed,
        at.name,
        &format!("{why} (fix it, then run again)"),
        &cmd,
    );
    Ok(WsOutcome::Failed(why))
}

/// The planner asked a question: the workstream waits for the answer, which reaches the
/// next attempt (the question does not count as one).
pub(super) fn ask(
    p: &Pipeline,
    at: Attempt<'_>,
    outcome: &Outcome,
    agent: &str,
) -> anyhow::Result<WsOutcome> {
    at.gate.attempt -= 1;
    let question = outcome
        .question()
        .unwrap_or("(the planner gave no question text)")
        .to_owned();
    let asked = std::cell::RefCell::new(String::new());
    commit(p, &at, &event(&at, "plan -> question"), |tx| {
        *asked.borrow_mut() = clarify::ask(tx, None, &question, agent)?;
        let ws = tx.ws_mut();
        ws.status = WsStatus::Blocked;
        ws.reason = Some(format!("the planner asks: {question}"));
        Ok(())
    })?;
    let cmd = format!("git aos clarify answer {} {} TEXT", at.name, asked.borrow());
    let msg = format!("the planner asks: {question}");
    p.notify(notify::Kind::Blocked, at.name, &msg, &cmd);
    Ok(WsOutcome::AtGate(format!("{msg}; answer with `{cmd}`")))
}

/// A valid plan waits for a person: it goes into the state (`plan.md`, pending tasks)
/// and the workstream stops at the plan gate.
pub(super) fn wait(
    p: &Pipeline,
    at: Attempt<'_>,
    plan: &Plan,
    text: &str,
) -> anyhow::Result<WsOutcome> {
    at.gate.state = PlanState::Waiting;
    at.gate.problems.clear();
    at.gate.requested_at = Some(crate::store::now_rfc3339());
    if at.gate.verdict.is_none() {
        at.gate.verdict = Some("skipped".into());
    }
    let n = plan.tasks.len();
    let reason = format!(
        "the plan ({n} task{}) awaits approval; reviewer: {}",
        if n == 1 { "" } else { "s" },
        at.gate.verdict.as_deref().unwrap_or("skipped")
    );
    let tasks = task_records(plan);
    commit(p, &at, &event(&at, "plan -> awaiting approval"), |tx| {
        tx.put(path::PLAN, text.to_owned());
        tx.set_tasks(&tasks)?;
        let ws = tx.ws_mut();
        ws.status = WsStatus::AwaitingReview;
        ws.reason = Some(reason.clone());
        Ok(())
    })?;
    let cmd = format!("git aos approve {}", at.name);
    p.notify(notify::Kind::AwaitingReview, at.name, &reason, &cmd);
    Ok(WsOutcome::AtGate(format!(
        "{reason}; `{cmd}` or `git aos reject {} -f TEXT`",
        at.name
    )))
}
