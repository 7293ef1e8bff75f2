//! TEST: aos itself runs the quick check, the project test and the task's acceptance
//! commands in the worktree. What the agent claimed does not count here.

use crate::agent::prompt::Feedback;
use crate::store::Actor;

use super::record::Stage;
use super::stage::{Step, TaskCtx, cap_log, retry_or_fail, save, stage_record};
use super::{Pipeline, agents};

/// Runs every check; the first failure goes back to IMPLEMENT with its output.
pub(super) async fn run(p: &Pipeline, t: &mut TaskCtx) -> anyhow::Result<Step> {
    let mut commands: Vec<String> = Vec::new();
    commands.extend(p.cfg.project.quick_check.clone());
    commands.extend(p.cfg.project.test.clone());
    match t.acceptance() {
        Ok(acceptance) => commands.extend(acceptance),
        Err(e) => return super::stage::fail(p, t, Stage::Test, &e.to_string(), None),
    }
    p.ui.progress(
        t.name.as_str(),
        format_args!("{} test ({} commands)", t.task.id, commands.len()),
    );
    let started = crate::store::now_precise();
    let mut lines = Vec::new();
    let mut log = String::new();
    let mut failure = None;
    for (i, cmd) in commands.iter().enumerate() {
        let scratch = p.scratch(&t.name, &t.run.id, &format!("test-{}-{i}", t.run.attempt));
        let out = agents::run_command(p, cmd, &t.worktree, &scratch).await?;
        let text = format!("{}{}", out.stdout, out.stderr);
        log.push_str(&format!(
            "$ {cmd}\n{text}\n[exit {}]\n\n",
            out.exit_code.map_or("signal".into(), |c| c.to_string())
        ));
        if out.exit_code == Some(0) {
            lines.push(format!("ok    {cmd}"));
        } else {
            lines.push(format!("FAIL  {cmd}"));
            failure = Some((cmd.clone(), out.exit_code, text));
            break;
        }
    }
    let log_path = super::record::RunRecord::log_path(&t.run.id, Stage::Test, t.run.attempt);
    let log = (
        log_path.clone(),
        cap_log(&log, p.cfg.project.log_cap as usize),
    );
    let mut rec = stage_record(Stage::Test, t.run.attempt, started);
    rec.log = Some(log_path.rsplit('/').next().unwrap_or_default().to_owned());
    t.run.tests = lines;
    match failure {
        None => {
            t.run.stages.push(rec);
            t.run.tests_passed = true;
            t.run.next = Stage::Review;
            let event = t.event(Stage::Test, "test -> passed", Actor::Tool);
            save(p, t, &event, |tx| {
                tx.put(&log.0, log.1.clone());
                Ok(())
            })?;
            Ok(Step::Continue)
        }
        Some((cmd, code, output)) => {
            rec.outcome = "retry".into();
            rec.error_class = "code".into();
            rec.retryable = true;
            rec.exit_code = code;
            rec.reasons = vec![format!("`{cmd}` failed")];
            t.run.stages.push(rec);
            t.run.tests_passed = false;
            let tail: String = output.lines().rev().take(20).collect::<Vec<_>>().join("\n");
            let signature = format!("test:{cmd}:{code:?}:{tail}");
            let feedback = Feedback::TestFailure {
                command: cmd.clone(),
                exit_code: code,
                output,
            };
            retry_or_fail(
                p,
                t,
                Stage::Test,
                signature,
                feedback,
                &format!("`{cmd}` failed"),
                Some(log),
            )
        }
    }
}
