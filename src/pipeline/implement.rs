//! IMPLEMENT: the agent works in the worktree with the task's prompt; its result is
//! recorded, never believed — TEST decides whether the work is done.

use std::time::Duration;

use crate::agent::prompt::{self, Feedback, PromptInput};
use crate::agent::{ErrorClass, NextAction, Outcome, Request, Role};
use crate::error::UserError;
use crate::gate::clarify;
use crate::notify;
use crate::store::{Actor, TaskStatus};

use super::record::{RunStatus, Stage, StageRecord};
use super::stage::{
    Step, TaskCtx, TaskStop, fail, halt, retry_or_fail, save, set_task, stage_record,
};
use super::{Pipeline, memory};

/// Rate limits are backed off this many times in a row before the run halts.
pub(super) const MAX_ENV_RETRIES: u32 = 5;

/// Runs the implementing agent once.
pub(super) async fn run(p: &Pipeline, t: &mut TaskCtx) -> anyhow::Result<Step> {
    // A person's choice (`retry --agent`) wins over the plan's `Agent:` and the role.
    let agents: Vec<String> = match (&t.run.agent_override, &t.task.agent) {
        (Some(a), _) | (None, Some(a)) => vec![a.clone()],
        (None, None) => p
            .cfg
            .role_agents(crate::config::Role::Implement)
            .into_iter()
            .map(str::to_owned)
            .collect(),
    };
    let agent_name = agents[t.run.agent_index % agents.len()].clone();
    let spec = super::agents::spec(p, &agent_name, t.task.timeout.as_deref())?;
    if spec.adapter == crate::agent::Adapter::Shell && t.task.run.is_none() {
        return Err(UserError::with_hint(
            format!(
                "task {} has no `#### Run` block, and the `{agent_name}` agent (the built-in shell) only runs those",
                t.task.id
            ),
            "set up an agent that writes code: `git aos init --agent claude` (or `--agent codex`), or give the task a `#### Run` block",
        )
        .into());
    }
    let snap = p.store.find(&t.name)?;
    let scratch = p.scratch(&t.name, &t.run.id, &format!("implement-{}", t.run.attempt));
    let result_file = crate::agent::result_file(&scratch);
    let directives = prompt::load_directives(&p.repo_root, &p.cfg.project.directives);
    let outputs = t.outputs();
    let input = PromptInput {
        role: Role::Implement,
        directives,
        plan_title: &t.plan.title,
        plan_context: &t.plan.context,
        task: &t.task,
        outputs: &outputs,
        memory: memory::load(&p.store, &snap)?,
        feedback: t.run.feedback.clone(),
        attempt: t.run.attempt,
        result_file: &result_file,
    };
    let text = match prompt::implement_prompt(&input) {
        Ok(text) => text,
        Err(e) => {
            return fail(
                p,
                t,
                Stage::Implement,
                &format!("the prompt cannot be built: {e}"),
                None,
            );
        }
    };
    let mut req = Request::new(Role::Implement, text, t.worktree.clone(), scratch);
    req.task = Some(t.task.id.clone());
    req.run_script = t.task.run.clone();
    // A retry by the agent that made the previous attempt resumes its session, and is
    // charged only what it adds to the session's running totals.
    if t.run.agent.as_deref() == Some(agent_name.as_str()) {
        req.resume_session = t.run.session.clone();
        req.session_totals = t.run.session_totals;
    }
    // A new attempt: the tree a previous attempt was tested with no longer stands.
    t.run.tree = None;
    let run = super::agents::invoke(p, t, Stage::Implement, &agent_name, &spec, &req).await?;
    if let Some(why) = run.stop {
        t.run.stages.push(run.record);
        return fail(p, t, Stage::Implement, &why, Some(run.log));
    }
    if let Some(session) = &run.exec.outcome.session_id {
        t.run.session = Some(session.clone());
        t.run.session_totals = run.exec.outcome.session_totals;
    } else if t.run.agent.as_deref() != Some(agent_name.as_str()) {
        t.run.session = None;
        t.run.session_totals = None;
    }
    let (log_path, log_text) = run.log;
    t.run.stages.push(run.record);
    t.run.agent = Some(agent_name.clone());
    let outcome = run.exec.outcome;
    match outcome.next_action {
        NextAction::Proceed => proceed(p, t, &outcome, (log_path, log_text)),
        NextAction::Clarify => ask(
            p,
            t,
            Stage::Implement,
            &outcome,
            &agent_name,
            (log_path, log_text),
        ),
        _ if outcome.error_class == ErrorClass::Env
            && outcome.retryable
            && t.run.env_retries < MAX_ENV_RETRIES =>
        {
            t.run.env_retries += 1;
            let wait = Duration::from_secs(1u64 << t.run.env_retries.min(6));
            let event = t.event(
                Stage::Implement,
                "implement -> backoff",
                Actor::Agent(agent_name.clone()),
            );
            save(p, t, &event, |tx| {
                tx.put(&log_path, log_text.clone());
                Ok(())
            })?;
            p.ui.progress(
                t.name.as_str(),
                format_args!(
                    "{} waiting {} s: {}",
                    agent_name,
                    wait.as_secs(),
                    outcome.reasons.join("; ")
                ),
            );
            tokio::time::sleep(wait).await;
            Ok(Step::Continue)
        }
        _ if outcome.error_class == ErrorClass::Env => {
            halt(p, t, Stage::Implement, &outcome.reasons.join("; "))
        }
        _ => {
            // The agent crashed, timed out or gave no result: the next attempt goes to
            // the next agent of the role.
            t.run.agent_index += 1;
            let reasons = outcome.reasons.clone();
            let reason = format!("agent `{agent_name}` failed ({})", class(&outcome));
            retry_or_fail(
                p,
                t,
                Stage::Implement,
                format!("agent:{}", reasons.join(";")),
                Feedback::Qa {
                    reasons: vec![format!(
                        "the previous attempt by `{agent_name}` failed: {}",
                        reasons.join("; ")
                    )],
                },
                &reason,
                Some((log_path, log_text)),
            )
        }
    }
}

fn proceed(
    p: &Pipeline,
    t: &mut TaskCtx,
    outcome: &Outcome,
    log: (String, String),
) -> anyhow::Result<Step> {
    t.run.next = Stage::Test;
    t.run.env_retries = 0;
    t.run.feedback.clear();
    t.run.agent_summary = outcome.summary.clone().unwrap_or_default();
    let event = t.event(
        Stage::Implement,
        "implement -> done",
        Actor::Agent(t.run.agent.clone().unwrap_or_default()),
    );
    let (id, result, agent, attempt) = (
        t.task.id.clone(),
        outcome.result.clone(),
        t.run.agent.clone(),
        t.run.attempt,
    );
    save(p, t, &event, |tx| {
        tx.put(&log.0, log.1.clone());
        let mut tasks = tx.tasks()?;
        if let Some(task) = tasks.get_mut(&id) {
            task.agent = agent.clone();
            task.attempts = attempt;
            if let Some(r) = &result {
                task.outputs.extend(r.outputs.clone());
            }
        }
        tx.set_tasks(&tasks)?;
        if let Some(r) = &result {
            memory::record(tx, &id, r)?;
        }
        Ok(())
    })?;
    Ok(Step::Continue)
}

/// The agent of `stage` asked a question: open a clarification and wait for a person.
pub(super) fn ask(
    p: &Pipeline,
    t: &mut TaskCtx,
    stage: Stage,
    outcome: &Outcome,
    agent: &str,
    log: (String, String),
) -> anyhow::Result<Step> {
    let question = outcome
        .question()
        .unwrap_or("(the agent gave no question text)")
        .to_owned();
    t.run.status = RunStatus::Blocked;
    let event = t.event(
        stage,
        format!("{} -> question", stage.as_str()),
        Actor::Agent(agent.to_owned()),
    );
    let id = t.task.id.clone();
    let mut asked = String::new();
    let run = t.run.clone();
    p.store.update(&t.name, &event, |tx| {
        run.save(tx)?;
        tx.put(&log.0, log.1.clone());
        asked = clarify::ask(tx, Some(id.clone()), &question, agent)?;
        set_task(
            tx,
            &id,
            TaskStatus::Blocked,
            Some(format!("{id} asks: {question}")),
        )
    })?;
    let cmd = format!("git aos clarify answer {} {asked} TEXT", t.name);
    let msg = format!("{} asks: {question}", t.task.id);
    p.notify(notify::Kind::Blocked, &t.name, &msg, &cmd);
    Ok(Step::Stop(TaskStop::Gate(format!(
        "{msg}; answer with `{cmd}`"
    ))))
}

/// Returns a stage record for an agent stage from its normalized outcome.
pub(super) fn agent_stage_record(
    stage: Stage,
    attempt: u32,
    started: String,
    agent: &str,
    o: &Outcome,
) -> StageRecord {
    let mut rec = stage_record(stage, attempt, started);
    rec.agent = Some(agent.to_owned());
    rec.outcome = format!("{:?}", o.next_action).to_lowercase();
    rec.error_class = class(o);
    rec.retryable = o.retryable;
    rec.reasons = o.reasons.clone();
    rec.input_tokens = o.usage.map(|u| u.input_tokens);
    rec.cached_input_tokens = o.usage.map(|u| u.cached_input_tokens);
    rec.output_tokens = o.usage.map(|u| u.output_tokens);
    rec.cost_usd = o.cost_usd;
    rec
}

fn class(o: &Outcome) -> String {
    format!("{:?}", o.error_class).to_lowercase()
}

/// Returns a user error for an agent the configuration does not define.
pub(super) fn unknown_agent(name: &str) -> anyhow::Error {
    UserError::with_hint(
        format!("agent `{name}` is not defined"),
        "define it under `[agents.<name>]` in aos.toml",
    )
    .into()
}
