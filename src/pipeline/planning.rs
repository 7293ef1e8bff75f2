//! Planning (`git aos plan new`): the plan role's agent turns the workstream's brief into
//! its plan file; aos checks the plan, a reviewer reads it, and it waits at the plan gate.
//! Resumable: while the gate says `drafting`, `git aos run` drafts again.

use std::path::Path;

use anyhow::Context as _;

use crate::agent::prompt::{self, Feedback, PlanInput, PlanReviewInput};
use crate::agent::{self, ErrorClass, NextAction, Outcome, Request, Role, Verdict};
use crate::config::{Adapter, Config};
use crate::error::UserError;
use crate::gate::clarify;
use crate::gate::plan::{BRIEF, PATH, PlanGate, PlanState};
use crate::ids::WorkstreamName;
use crate::plan;
use crate::store::{Actor, Event, Snapshot, StateTx, WsStatus};

use super::plan_gate::{self, Attempt};
use super::record::Invocation;
use super::{Pipeline, WsOutcome, agents, verdict};

/// Returns the agents that can write a plan: the plan role's, without the built-in
/// `shell` agent (it only runs a task's `Run` block).
pub fn planners(cfg: &Config) -> Vec<String> {
    cfg.role_agents(Role::Plan)
        .into_iter()
        .filter(|a| cfg.agent(a).is_ok_and(|c| c.adapter != Adapter::Shell))
        .map(str::to_owned)
        .collect()
}

/// Returns the error for a configuration with no agent that can plan.
pub fn no_planner() -> anyhow::Error {
    UserError::with_hint(
        "no agent can write a plan: `[roles] plan` names only the built-in `shell` agent",
        "set `[roles] plan` in aos.toml to a claude, codex or command agent",
    )
    .into()
}

/// Records the brief of a new workstream and where its plan file goes (`plan.md`, or
/// `plans/<name>.md` when the branch has a `plan.md` already), and opens the plan gate
/// for drafting. Returns the plan file's path in the branch.
pub fn start(p: &Pipeline, name: &WorkstreamName, brief: &str) -> anyhow::Result<String> {
    let snap = p.store.find(name)?;
    let taken = crate::workstream::worktree_path(&p.store, &snap.ws)
        .join("plan.md")
        .exists();
    let rel = match taken {
        true => format!("plans/{name}.md"),
        false => "plan.md".to_owned(),
    };
    let event = Event::new("plan", format!("planning into {rel}")).by(Actor::Person);
    p.store.update(name, &event, |tx| {
        tx.put(BRIEF, brief.to_owned());
        tx.put_toml(PATH, &PlanGate::draft())?;
        let ws = tx.ws_mut();
        ws.plan_path = Some(rel.clone());
        ws.reason = Some("planning from a brief".into());
        Ok(())
    })?;
    Ok(rel)
}

/// Drafts the plan when the plan gate asks for it; says where the workstream stands
/// when the gate waits or gave up; `None` when there is no plan gate.
pub(super) async fn resume(p: &Pipeline, snap: &Snapshot) -> anyhow::Result<Option<WsOutcome>> {
    let Some(gate) = p.store.read_toml::<PlanGate>(snap, PATH)? else {
        return Ok(None);
    };
    let name = &snap.ws.name;
    Ok(Some(match gate.state {
        PlanState::Drafting => draft(p, snap, gate).await?,
        PlanState::Waiting => WsOutcome::AtGate(format!(
            "the plan awaits approval; `git aos approve {name}` or `git aos reject {name} -f TEXT`"
        )),
        PlanState::Failed => WsOutcome::Failed(format!(
            "{}; {}",
            snap.ws.reason.as_deref().unwrap_or("planning failed"),
            plan_gate::FAILED_HINT.replace("{name}", name.as_str())
        )),
    }))
}

/// Runs the planner until a valid plan waits at the gate, or attempts run out.
async fn draft(p: &Pipeline, snap: &Snapshot, mut gate: PlanGate) -> anyhow::Result<WsOutcome> {
    let name = snap.ws.name.clone();
    let profile = p.cfg.profile(&snap.ws.profile).map_err(UserError::from)?;
    let planners = planners(&p.cfg);
    if planners.is_empty() {
        return Err(no_planner());
    }
    let worktree = crate::workstream::worktree_path(&p.store, &snap.ws);
    let rel = snap
        .ws
        .plan_path
        .clone()
        .context("the workstream has no plan path")?;
    let brief = String::from_utf8_lossy(
        &p.store
            .read_file(snap, BRIEF)?
            .context("the workstream has no brief to plan from")?,
    )
    .into_owned();
    let directives = prompt::load_directives(&p.repo_root, &p.cfg.project.directives);
    loop {
        gate.attempt += 1;
        let agent_name = planners[gate.agent_index % planners.len()].clone();
        begin(p, &name, &mut gate, &agent_name)?;
        let (outcome, log, record) =
            invoke(p, &name, &worktree, &gate, &agent_name, &brief, &rel).await?;
        let logs = vec![(format!("plan-{}", gate.attempt), log)];
        let invocations = vec![(format!("plan-{}", gate.attempt), record)];
        let mut at = Attempt {
            name: &name,
            gate: &mut gate,
            max: profile.max_attempts,
            logs,
            invocations,
        };
        match outcome.next_action {
            NextAction::Proceed => {}
            NextAction::Clarify => return plan_gate::ask(p, at, &outcome, &agent_name),
            _ if outcome.error_class == ErrorClass::Env => {
                return plan_gate::halt(p, at, &outcome.reasons.join("; "));
            }
            _ => {
                at.gate.agent_index += 1;
                let why = format!("`{agent_name}` failed: {}", outcome.reasons.join("; "));
                match plan_gate::refuse(p, at, "The previous planner failed", vec![why])? {
                    Some(stop) => return Ok(stop),
                    None => continue,
                }
            }
        }
        at.gate.summary = outcome.summary.clone().unwrap_or_default();
        let text = std::fs::read_to_string(worktree.join(&rel)).ok();
        let checked = match &text {
            None => Err(vec![format!("no plan was written to `{rel}`")]),
            Some(text) => plan::check(text, &rel)
                .map_err(|d| d.iter().map(ToString::to_string).collect::<Vec<_>>()),
        };
        let checked = match checked {
            Ok(checked) => checked,
            Err(problems) => {
                let what = "The plan did not pass `git aos plan check`";
                match plan_gate::refuse(p, at, what, problems)? {
                    Some(stop) => return Ok(stop),
                    None => continue,
                }
            }
        };
        let text = text.unwrap_or_default();
        let review = format!("plan-review-{}", at.gate.attempt);
        let answer = verdict::ask(
            p,
            &name,
            &worktree,
            &at.gate.run.clone(),
            &review,
            |result| {
                prompt::plan_review_prompt(&PlanReviewInput {
                    directives: &directives,
                    brief: &brief,
                    plan: &text,
                    plan_file: Path::new(&rel),
                    result_file: result,
                })
            },
        )
        .await?;
        if let Some(a) = &answer {
            at.invocations.extend(a.invocations.iter().cloned());
            at.logs.push((review, a.log.clone()));
            at.gate.verdict = Some(a.verdict_name().to_owned());
            at.gate.review = std::iter::once(a.summary()).chain(a.comments()).collect();
        }
        match answer.and_then(|a| a.verdict) {
            Some(v) if v.verdict == Verdict::RequestChanges && at.gate.attempt < at.max => {
                at.gate.feedback.push(Feedback::Review(v));
                plan_gate::save(p, &mut at, "plan -> request_changes")?;
            }
            _ => return plan_gate::wait(p, at, &checked.plan, &text),
        }
    }
}

/// Records that attempt `gate.attempt` starts, handing answered questions to it.
fn begin(
    p: &Pipeline,
    name: &WorkstreamName,
    gate: &mut PlanGate,
    agent: &str,
) -> anyhow::Result<()> {
    let event = Event::new("plan", format!("plan attempt {} by {agent}", gate.attempt))
        .by(Actor::Agent(agent.to_owned()));
    let mut answers = Vec::new();
    let base = gate.clone();
    p.store.update(name, &event, |tx| {
        answers = take_answers(tx)?;
        let mut g = base.clone();
        g.feedback.extend(answers.clone());
        tx.put_toml(PATH, &g)?;
        let ws = tx.ws_mut();
        ws.status = WsStatus::Running;
        ws.reason = Some(format!("planning (attempt {}, agent {agent})", g.attempt));
        Ok(())
    })?;
    gate.feedback.extend(answers);
    p.ui.progress(
        name.as_str(),
        format_args!("plan (attempt {}, agent {agent})", gate.attempt),
    );
    Ok(())
}

/// Returns the answers to the planner's questions not handed to it yet, marking them
/// handed over.
fn take_answers(tx: &mut StateTx<'_>) -> anyhow::Result<Vec<Feedback>> {
    let mut out = Vec::new();
    for mut c in clarify::all(tx)? {
        if c.task.is_some() || c.delivered {
            continue;
        }
        let (Some(answer), Some(by)) = (c.answer.clone(), c.answered_by.clone()) else {
            continue;
        };
        out.push(Feedback::Clarification {
            question: c.question.clone(),
            answer,
            answered_by: by,
        });
        c.delivered = true;
        tx.put_toml(&clarify::path(&c.id), &c)?;
    }
    Ok(out)
}

/// Runs one planner once; returns its outcome and its capped output.
async fn invoke(
    p: &Pipeline,
    name: &WorkstreamName,
    worktree: &Path,
    gate: &PlanGate,
    agent_name: &str,
    brief: &str,
    rel: &str,
) -> anyhow::Result<(Outcome, String, Invocation)> {
    let spec = agents::spec(p, agent_name, None)?;
    let scratch = p.scratch(name, &gate.run, &format!("plan-{}", gate.attempt));
    let result_file = agent::result_file(&scratch);
    let directives = prompt::load_directives(&p.repo_root, &p.cfg.project.directives);
    let text = prompt::plan_prompt(&PlanInput {
        directives: &directives,
        brief,
        plan_file: &worktree.join(rel),
        result_file: &result_file,
        feedback: &gate.feedback,
    });
    let req = Request::new(Role::Plan, text, worktree.to_path_buf(), scratch);
    let limits = p.limits(&spec, name, None, &req.scratch_dir);
    let snap = p.store.find(name)?;
    let checkout = crate::git::Checkout::locate(&p.store.paths().common_dir, worktree)?;
    let base = p
        .store
        .branch_tip(&snap.ws.branch)?
        .unwrap_or_else(|| snap.ws.base_commit.clone());
    let heads = super::custody::watch(p)?;
    let started = crate::store::now_precise();
    let exec = {
        let _slots = p.agent_slot(agent_name).await?;
        let before = super::confinement::watch(p, &spec);
        let exec = agent::invoke(&spec, &req, &limits, &p.redactor).await?;
        super::confinement::changes(p, &exec, before);
        exec
    };
    let record = Invocation::new("plan", agent_name, started, &exec.outcome);
    let place = super::custody::Place {
        name,
        branch: &snap.ws.branch,
        checkout: &checkout,
        run: &gate.run,
        base: &base,
        detached: false,
    };
    let who = format!("plan (attempt {}, {agent_name})", gate.attempt);
    let report = super::custody::after_agent(p, &place, &heads, &who)?;
    if let Some(why) = report.stop {
        return Err(UserError::new(why).into());
    }
    let log = super::agents::exec_log(p, &exec);
    Ok((exec.outcome, log, record))
}
