//! A task a person did by hand. The `post-commit` hook records a person's commit in a
//! workstream as the task's `manual_commit`; when a fresh run of that task starts and
//! the task's acceptance commands pass in the worktree, the task is done with that
//! commit and no agent runs. When they fail (or the task has none, so nothing proves the
//! work), the run goes on as usual and the agent builds on what the person left.

use crate::store::Actor;

use super::record::{RunStatus, Stage};
use super::stage::{Step, TaskCtx};
use super::{Pipeline, agents};

/// Finishes a fresh run of a task done by hand when its acceptance passes; `None` lets
/// the run go on through its stages.
pub(super) async fn adopt(p: &Pipeline, t: &mut TaskCtx) -> anyhow::Result<Option<Step>> {
    let fresh = t.run.stages.is_empty() && t.run.attempt <= 1 && t.run.commit.is_none();
    let manual = t
        .tasks
        .get(&t.task.id)
        .and_then(|r| r.manual_commit.clone());
    let Some(manual) = manual.filter(|_| fresh) else {
        return Ok(None);
    };
    let on_branch = match p.store.branch_tip(&t.ws.branch)? {
        Some(tip) => p.store.is_ancestor(&manual, &tip).unwrap_or(false),
        None => false,
    };
    let Ok(commands) = t.acceptance() else {
        return Ok(None);
    };
    if !on_branch || commands.is_empty() {
        return Ok(None);
    }
    let short = &manual[..manual.len().min(12)];
    p.ui.progress(
        t.name.as_str(),
        format_args!(
            "{} was committed by hand ({short}); checking its acceptance",
            t.task.id
        ),
    );
    let mut lines = Vec::new();
    for (i, cmd) in commands.iter().enumerate() {
        let scratch = p.scratch(&t.name, &t.run.id, &format!("by-hand-{i}"));
        let out = agents::run_command(p, cmd, &t.worktree, &scratch).await?;
        if out.exit_code != Some(0) {
            p.ui.status(format_args!(
                "{}: {} by hand does not pass `{cmd}` yet; the agent takes it from there",
                t.name, t.task.id
            ));
            return Ok(None);
        }
        lines.push(format!("ok    {cmd}"));
    }
    t.run.tests = lines;
    t.run.tests_passed = true;
    t.run.commit = Some(manual.clone());
    t.run.status = RunStatus::Done;
    t.run.approved_by = Some("by hand".into());
    t.run.ended_at = Some(crate::store::now_rfc3339());
    let event = t
        .event(
            Stage::Commit,
            format!("done by hand -> {short} (acceptance passed)"),
            Actor::Tool,
        )
        .trailer("Aos-Commit", &manual);
    super::commit::save_done(p, t, &event, &manual, |_| {})?;
    p.ui.status(format_args!(
        "{}: {} done by hand in {short}; its acceptance passes",
        t.name, t.task.id
    ));
    Ok(Some(Step::TaskDone))
}
