//! TEST: aos itself runs the quick check, the project test and the task's acceptance
//! commands in the worktree. What the agent claimed does not count here. The tree the
//! checks passed on is recorded: review reads it and COMMIT writes it.

use crate::agent::prompt::Feedback;
use crate::store::Actor;

use super::record::Stage;
use super::stage::{Step, TaskCtx, cap_log, retry_or_fail, save, stage_record};
use super::{Pipeline, agents};

/// What running the checks found.
pub(super) struct Checks {
    /// One line per command run: `ok    cmd` / `FAIL  cmd`.
    pub lines: Vec<String>,
    /// Every command's output, as `$ cmd` blocks.
    pub log: String,
    /// The first failing command, its exit code and its output.
    pub failure: Option<(String, Option<i32>, String)>,
}

/// Runs the quick check, the project test and the task's acceptance commands in the
/// worktree until one fails; `what` names the scratch directories.
pub(super) async fn checks(p: &Pipeline, t: &TaskCtx, what: &str) -> anyhow::Result<Checks> {
    let mut commands: Vec<String> = Vec::new();
    commands.extend(p.cfg.project.quick_check.clone());
    commands.extend(p.cfg.project.test.clone());
    commands.extend(t.acceptance()?);
    p.ui.progress(
        t.name.as_str(),
        format_args!("{} test ({} commands)", t.task.id, commands.len()),
    );
    let mut checks = Checks {
        lines: Vec::new(),
        log: String::new(),
        failure: None,
    };
    for (i, cmd) in commands.iter().enumerate() {
        let scratch = p.scratch(&t.name, &t.run.id, &format!("{what}-{}-{i}", t.run.attempt));
        let out = agents::run_command(p, cmd, &t.worktree, &scratch).await?;
        let text = format!("{}{}", out.stdout, out.stderr);
        checks.log.push_str(&format!(
            "$ {cmd}\n{text}\n[exit {}]\n\n",
            out.exit_code.map_or("signal".into(), |c| c.to_string())
        ));
        if out.exit_code == Some(0) {
            checks.lines.push(format!("ok    {cmd}"));
        } else {
            checks.lines.push(format!("FAIL  {cmd}"));
            checks.failure = Some((cmd.clone(), out.exit_code, text));
            break;
        }
    }
    Ok(checks)
}

/// Runs every check; the first failure goes back to IMPLEMENT with its output.
pub(super) async fn run(p: &Pipeline, t: &mut TaskCtx) -> anyhow::Result<Step> {
    let started = crate::store::now_precise();
    let checks = match checks(p, t, "test").await {
        Ok(checks) => checks,
        Err(e) => match e.downcast_ref::<crate::plan::Error>() {
            Some(e) => return super::stage::fail(p, t, Stage::Test, &e.to_string(), None),
            None => return Err(e),
        },
    };
    let log_path = super::record::RunRecord::log_path(&t.run.id, Stage::Test, t.run.attempt);
    let log = (
        log_path.clone(),
        cap_log(&checks.log, p.cfg.project.log_cap as usize),
    );
    let mut rec = stage_record(Stage::Test, t.run.attempt, started);
    rec.log = Some(log_path.rsplit('/').next().unwrap_or_default().to_owned());
    t.run.tests = checks.lines;
    match checks.failure {
        None => {
            // What the tests passed on (with whatever they wrote) is what review reads
            // and COMMIT writes.
            t.run.tree = Some(t.checkout.write_tree()?);
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
