//! RED (test-first profiles): with the new tests in place and nothing implemented yet,
//! the task's acceptance commands and the project test must fail. If they all pass, the
//! tests test nothing: the tests stage tries again with that feedback.

use crate::agent::prompt::Feedback;
use crate::store::Actor;

use super::record::{RunRecord, Stage};
use super::stage::{Step, TaskCtx, cap_log, fail, retry_or_fail, save, stage_record};
use super::{Pipeline, agents};

/// Runs the acceptance commands, then the project test, until one fails.
pub(super) async fn run(p: &Pipeline, t: &mut TaskCtx) -> anyhow::Result<Step> {
    let outputs = t.outputs();
    let substituted: Result<Vec<String>, _> = t
        .task
        .commands()
        .map(|c| crate::plan::substitute(c, &outputs))
        .collect();
    let mut commands = match substituted {
        Ok(commands) => commands,
        Err(e) => return fail(p, t, Stage::Red, &e.to_string(), None),
    };
    commands.extend(p.cfg.project.test.clone());
    let started = crate::store::now_rfc3339();
    let mut rec = stage_record(Stage::Red, t.run.attempt, started);
    let skip = if !t.profile.stages.contains(&crate::config::Stage::Red) {
        Some("the profile has no `red` stage")
    } else if commands.is_empty() {
        Some("the task has no acceptance command and the project no test")
    } else {
        None
    };
    if let Some(why) = skip {
        rec.outcome = "skipped".into();
        rec.reasons = vec![why.into()];
        t.run.stages.push(rec);
        return implement_next(p, t, "red -> skipped", None);
    }
    p.ui.progress(
        t.name.as_str(),
        format_args!("{} red ({} commands must fail)", t.task.id, commands.len()),
    );
    let mut lines = Vec::new();
    let mut log = String::new();
    let mut failing = None;
    for (i, cmd) in commands.iter().enumerate() {
        let scratch = p.scratch(&t.name, &t.run.id, &format!("red-{}-{i}", t.run.attempt));
        let out = agents::run_command(p, cmd, &t.worktree, &scratch).await?;
        let code = out.exit_code.map_or("signal".into(), |c| c.to_string());
        log.push_str(&format!(
            "$ {cmd}\n{}{}\n[exit {code}]\n\n",
            out.stdout, out.stderr
        ));
        if out.exit_code == Some(0) {
            lines.push(format!("ok    {cmd}"));
        } else {
            lines.push(format!("FAIL  {cmd}"));
            failing = Some(cmd.clone());
            break;
        }
    }
    let log_path = RunRecord::log_path(&t.run.id, Stage::Red, t.run.attempt);
    rec.log = Some(log_path.rsplit('/').next().unwrap_or_default().to_owned());
    let log = (log_path, cap_log(&log, p.cfg.project.log_cap as usize));
    t.run.tests = lines;
    if let Some(cmd) = failing {
        rec.reasons = vec![format!(
            "`{cmd}` fails before the implementation, as it should"
        )];
        t.run.stages.push(rec);
        return implement_next(p, t, "red -> failing as expected", Some(log));
    }
    rec.outcome = "retry".into();
    rec.error_class = "code".into();
    rec.retryable = true;
    rec.reasons = vec!["every command passes before the implementation".into()];
    t.run.stages.push(rec);
    let mut reasons: Vec<String> = commands
        .iter()
        .map(|c| format!("`{c}` passed although nothing is implemented yet"))
        .collect();
    reasons.push(
        "a test written first must fail until the task is implemented: test the behaviour the \
         acceptance criteria describe, and make sure the acceptance commands run your tests"
            .into(),
    );
    let feedback = Feedback::Refused {
        what: "The new tests pass on unchanged code".into(),
        reasons,
    };
    let why = "the new tests pass on unchanged code";
    retry_or_fail(
        p,
        t,
        Stage::Red,
        "red:all-pass".into(),
        feedback,
        why,
        Some(log),
    )
}

/// The tests are red (or cannot be checked): the implementation starts with a fresh set
/// of attempts, the agent role's primary first.
fn implement_next(
    p: &Pipeline,
    t: &mut TaskCtx,
    summary: &str,
    log: Option<(String, String)>,
) -> anyhow::Result<Step> {
    let event = t.event(Stage::Red, summary, Actor::Tool);
    t.run.next = Stage::Implement;
    t.run.attempt = 1;
    t.run.agent_index = 0;
    t.run.failures.clear();
    t.run.feedback.clear();
    save(p, t, &event, |tx| {
        if let Some((path, text)) = &log {
            tx.put(path, text.clone());
        }
        Ok(())
    })?;
    Ok(Step::Continue)
}
