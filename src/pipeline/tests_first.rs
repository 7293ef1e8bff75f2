//! TESTS (test-first profiles): the `tests` role writes the task's tests before anyone
//! implements it. The files it wrote are recorded with their blob ids, so QA can tell
//! when the implementation edited them instead of making them pass.

use crate::agent::prompt::{self, Feedback, PromptInput};
use crate::agent::{self, ErrorClass, NextAction, Outcome, Request, Role};
use crate::config::ResolvedProfile;
use crate::store::Actor;

use super::implement::ask;
use super::record::Stage;
use super::stage::{Step, TaskCtx, fail, halt, retry_or_fail, save};
use super::{Pipeline, agents, memory};

/// Returns the stage a new run starts at: `tests` when the profile writes tests first.
pub(super) fn first_stage(profile: &ResolvedProfile) -> Stage {
    match profile.stages.contains(&crate::config::Stage::Tests) {
        true => Stage::Tests,
        false => Stage::Implement,
    }
}

/// Runs the test-writing agent once.
pub(super) async fn run(p: &Pipeline, t: &mut TaskCtx) -> anyhow::Result<Step> {
    let writers: Vec<String> = p
        .cfg
        .role_agents(Role::Tests)
        .into_iter()
        .filter(|a| agents::can_review(p, a))
        .map(str::to_owned)
        .collect();
    if writers.is_empty() {
        let why = "the tests stage needs an agent that writes files; `[roles] tests` names only \
                   the built-in `shell` agent";
        return fail(p, t, Stage::Tests, why, None);
    }
    let agent_name = writers[t.run.agent_index % writers.len()].clone();
    let spec = agents::spec(p, &agent_name, t.task.timeout.as_deref())?;
    let snap = p.store.find(&t.name)?;
    let scratch = p.scratch(&t.name, &t.run.id, &format!("tests-{}", t.run.attempt));
    let result_file = agent::result_file(&scratch);
    let outputs = t.outputs();
    let input = PromptInput {
        role: Role::Tests,
        directives: prompt::load_directives(&p.repo_root, &p.cfg.project.directives),
        plan_title: &t.plan.title,
        plan_context: &t.plan.context,
        task: &t.task,
        outputs: &outputs,
        memory: memory::load(&p.store, &snap)?,
        feedback: t.run.feedback.clone(),
        attempt: t.run.attempt,
        result_file: &result_file,
    };
    let text = match prompt::tests_prompt(&input) {
        Ok(text) => text,
        Err(e) => {
            let why = format!("the prompt cannot be built: {e}");
            return fail(p, t, Stage::Tests, &why, None);
        }
    };
    let mut req = Request::new(Role::Tests, text, t.worktree.clone(), scratch);
    req.task = Some(t.task.id.clone());
    let run = agents::invoke(p, t, Stage::Tests, &agent_name, &spec, &req).await?;
    if let Some(why) = run.stop {
        t.run.stages.push(run.record);
        return fail(p, t, Stage::Tests, &why, Some(run.log));
    }
    let (log_path, log_text) = run.log;
    t.run.stages.push(run.record);
    let exec = run.exec;
    let outcome = exec.outcome;
    let log = (log_path, log_text);
    match outcome.next_action {
        NextAction::Proceed => written(p, t, &outcome, &agent_name, log),
        NextAction::Clarify => ask(p, t, Stage::Tests, &outcome, &agent_name, log),
        _ if outcome.error_class == ErrorClass::Env => {
            halt(p, t, Stage::Tests, &outcome.reasons.join("; "))
        }
        _ => {
            t.run.agent_index += 1;
            let reasons = outcome.reasons.join("; ");
            retry_or_fail(
                p,
                t,
                Stage::Tests,
                format!("agent:{reasons}"),
                Feedback::Qa {
                    reasons: vec![format!(
                        "the previous attempt by `{agent_name}` failed: {reasons}"
                    )],
                },
                &format!("agent `{agent_name}` failed"),
                Some(log),
            )
        }
    }
}

/// The agent is done: record the files it wrote (refusing no files at all), go to RED.
fn written(
    p: &Pipeline,
    t: &mut TaskCtx,
    outcome: &Outcome,
    agent: &str,
    log: (String, String),
) -> anyhow::Result<Step> {
    let tree = t.checkout.write_tree()?;
    let files: Vec<String> = p
        .store
        .changed_between(t.base(), &tree)?
        .into_iter()
        .filter(|f| Some(f.as_str()) != t.ws.plan_path.as_deref())
        .collect();
    if files.is_empty() {
        let feedback = Feedback::Refused {
            what: "No tests were written".into(),
            reasons: vec![
                "the worktree has no change: write tests for the acceptance criteria".into(),
            ],
        };
        let why = "the tests stage wrote no file";
        return retry_or_fail(
            p,
            t,
            Stage::Tests,
            "tests:none".into(),
            feedback,
            why,
            Some(log),
        );
    }
    t.run.test_files = p.store.blob_ids(&tree, &files)?;
    t.run.next = Stage::Red;
    t.run.env_retries = 0;
    t.run.feedback.clear();
    let summary = format!("tests -> wrote {}", files.join(", "));
    let event = t.event(Stage::Tests, summary, Actor::Agent(agent.to_owned()));
    let (id, result) = (t.task.id.clone(), outcome.result.clone());
    save(p, t, &event, |tx| {
        tx.put(&log.0, log.1.clone());
        match &result {
            Some(r) => memory::record(tx, &id, r),
            None => Ok(()),
        }
    })?;
    Ok(Step::Continue)
}

/// Returns a QA reason for each test file the tests stage wrote that differs in `tree`.
pub(super) fn edited_tests(p: &Pipeline, t: &TaskCtx, tree: &str) -> anyhow::Result<Vec<String>> {
    if t.run.test_files.is_empty() {
        return Ok(Vec::new());
    }
    let paths: Vec<String> = t.run.test_files.keys().cloned().collect();
    let now = p.store.blob_ids(tree, &paths)?;
    Ok(t.run
        .test_files
        .iter()
        .filter_map(|(path, blob)| match now.get(path) {
            Some(b) if b == blob => None,
            Some(_) => Some(format!(
                "`{path}` was written by the tests stage and changed since: make the tests pass \
                 without editing them"
            )),
            None => Some(format!(
                "`{path}` was written by the tests stage and deleted since: restore it and make \
                 it pass"
            )),
        })
        .collect())
}
