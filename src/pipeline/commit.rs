//! COMMIT: one commit on the workstream branch with the task's trailers and its plan
//! checkbox ticked, a provenance note on it, and the task marked done.
//!
//! Idempotent across crashes: if the branch tip already carries this run's `Aos-Run`
//! trailer, the commit happened before the crash and is adopted, never made twice.

use crate::git;
use crate::plan;
use crate::store::{Actor, Event, TaskRecord, TaskStatus, WsStatus, path, trailer};

use super::Pipeline;
use super::record::{RunStatus, Stage};
use super::stage::{Step, TaskCtx, fail, save};

/// Lands the task.
pub(super) fn run(p: &Pipeline, t: &mut TaskCtx) -> anyhow::Result<Step> {
    let head_msg = git::change::head_message(&t.worktree)?;
    let sha = if trailer(&head_msg, "Aos-Run") == Some(t.run.id.as_str()) {
        git::change::head(&t.worktree)?
    } else {
        tick_plan(p, t)?;
        git::change::stage_all(&t.worktree)?;
        if git::change::staged_files(&t.worktree)?.is_empty() {
            return fail(
                p,
                t,
                Stage::Commit,
                "nothing to commit: the worktree has no changes",
                None,
            );
        }
        let agent = t.run.agent.clone().unwrap_or_else(|| "git-aos".into());
        let who = git::change::Identity {
            author_name: &format!("{agent} via git-aos"),
            author_email: "aos@localhost",
        };
        match git::change::commit(&t.worktree, &message(t), &who) {
            Ok(sha) => sha,
            Err(e) => return fail(p, t, Stage::Commit, &format!("{e:#}"), None),
        }
    };
    p.store.note_set(&sha, &note(t))?;
    t.run.commit = Some(sha.clone());
    t.run.status = RunStatus::Done;
    t.run.ended_at = Some(crate::store::now_rfc3339());
    let event = t
        .event(
            Stage::Commit,
            format!("commit -> {}", &sha[..12]),
            Actor::Tool,
        )
        .trailer("Aos-Commit", &sha);
    let attempts = t.run.attempt;
    // Outputs the plan declares and the agent did not record keep the plan's value.
    let declared: Vec<(String, String)> = t
        .task
        .outputs
        .iter()
        .map(|o| (o.name.clone(), o.value.clone()))
        .collect();
    save_done(p, t, &event, &sha, |task| {
        for (name, value) in &declared {
            task.outputs
                .entry(name.clone())
                .or_insert_with(|| value.clone());
        }
        task.attempts = attempts;
    })?;
    p.ui.status(format_args!(
        "{}: {} committed as {}",
        t.name,
        t.task.id,
        &sha[..12]
    ));
    // The run's prompts and result files served their purpose; keep the disk tidy.
    if let Err(e) = std::fs::remove_dir_all(p.scratch_of_run(&t.name, &t.run.id)) {
        tracing::debug!("could not remove the run's scratch directory: {e}");
    }
    Ok(Step::TaskDone)
}

/// Returns the commit message: the task title, the agent's summary, the trailers.
fn message(t: &TaskCtx) -> String {
    let mut msg = format!("{}: {}\n", t.task.id, t.task.title);
    if !t.run.agent_summary.trim().is_empty() {
        msg.push_str(&format!("\n{}\n", t.run.agent_summary.trim()));
    }
    msg.push_str(&format!(
        "\nAos-Workstream: {}\nAos-Task: {}\nAos-Run: {}\n",
        t.name, t.task.id, t.run.id
    ));
    msg
}

/// Returns the provenance note: one `key: value` per line.
fn note(t: &TaskCtx) -> String {
    let mut lines = vec![
        format!("workstream: {}", t.name),
        format!("task: {}", t.task.id),
        format!("run: {}", t.run.id),
        format!("attempt: {}", t.run.attempt),
        format!("agent: {}", t.run.agent.as_deref().unwrap_or("none")),
        format!(
            "reviewer-verdict: {}",
            t.run.verdict.as_deref().unwrap_or("none")
        ),
    ];
    for test in &t.run.tests {
        lines.push(format!("acceptance: {test}"));
    }
    lines.push(format!(
        "approved-by: {}",
        t.run.approved_by.as_deref().unwrap_or("autonomous")
    ));
    lines.extend(super::confinement::note_lines(&t.run));
    let (tokens_in, tokens_out, cost) = t.run.usage();
    if tokens_in + tokens_out > 0 || cost > 0.0 {
        lines.push(format!(
            "usage: {tokens_in} in, {tokens_out} out, ${cost:.4}"
        ));
    }
    lines.join("\n") + "\n"
}

/// Ticks the task in the branch's plan file (writing the file if the branch lacks it).
fn tick_plan(p: &Pipeline, t: &TaskCtx) -> anyhow::Result<()> {
    let Some(rel) = &t.ws.plan_path else {
        return Ok(());
    };
    let file = t.worktree.join(rel);
    let text = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(_) => String::from_utf8_lossy(
            &p.store
                .read_file(&p.store.find(&t.name)?, path::PLAN)?
                .unwrap_or_default(),
        )
        .into_owned(),
    };
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    // A kill between truncating and writing would leave an empty plan for the resumed run.
    crate::atomic_file::replace(&file, plan::tick(&text, &t.task.id)?, None)
}

/// Saves the run with its task done as `sha` (`more` sets the task's other fields), the
/// task ticked in the state's plan, and the workstream ready for its next task.
pub(super) fn save_done(
    p: &Pipeline,
    t: &TaskCtx,
    event: &Event,
    sha: &str,
    more: impl Fn(&mut TaskRecord),
) -> anyhow::Result<()> {
    let plan_text = plan_in_state(p, t)?;
    save(p, t, event, |tx| {
        let mut tasks = tx.tasks()?;
        if let Some(task) = tasks.get_mut(&t.task.id) {
            task.status = TaskStatus::Done;
            task.commit = Some(sha.to_owned());
            more(task);
        }
        tx.set_tasks(&tasks)?;
        if let Some(text) = &plan_text {
            tx.put(path::PLAN, text.clone());
        }
        let ws = tx.ws_mut();
        ws.current_task = None;
        ws.status = WsStatus::Running;
        ws.reason = None;
        Ok(())
    })
}

/// Returns the state's plan with the task ticked, so state and branch agree.
fn plan_in_state(p: &Pipeline, t: &TaskCtx) -> anyhow::Result<Option<String>> {
    let snap = p.store.find(&t.name)?;
    let Some(bytes) = p.store.read_file(&snap, path::PLAN)? else {
        return Ok(None);
    };
    Ok(plan::tick(&String::from_utf8_lossy(&bytes), &t.task.id).ok())
}
