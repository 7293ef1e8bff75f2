//! COMMIT: one commit on the workstream branch with the task's trailers and its plan
//! checkbox ticked, a provenance note on it, and the task marked done.
//!
//! The commit is written in-process from the tree TEST tested and REVIEW reviewed (plus
//! the plan's tick), on top of the run's base, and the branch moves to it by
//! compare-and-swap: nothing an agent did to HEAD, the index or other branches can put
//! anything else on any branch. The worktree is hashed once more first; files changed
//! since review by anyone but a person at the gate (who `approve` re-tests) are put back.
//!
//! Idempotent across crashes: if the branch tip already carries this run's `Aos-Run`
//! trailer, the commit happened before the crash and is adopted, never made twice.

use crate::git;
use crate::plan;
use crate::store::{Actor, Event, TaskRecord, TaskStatus, path, trailer};

use super::Pipeline;
use super::custody;
use super::record::{RunStatus, Stage};
use super::stage::{Step, TaskCtx, fail, save};

/// Lands the task.
pub(super) fn run(p: &Pipeline, t: &mut TaskCtx) -> anyhow::Result<Step> {
    let tip = p.store.branch_tip(&t.ws.branch)?;
    let adopted = match &tip {
        Some(tip) if tip != t.base() => {
            let msg = p.store.commit_message(tip)?;
            (trailer(&msg, "Aos-Run") == Some(t.run.id.as_str())).then(|| tip.clone())
        }
        _ => None,
    };
    let sha = match adopted {
        Some(sha) => {
            sync_plan_file(p, t, &sha)?;
            git::change::index_to_head(&t.checkout)?;
            sha
        }
        None => {
            // Whatever moved HEAD or the branch since the last agent stage is undone
            // (and kept) before anything lands.
            let heads = custody::watch(p)?;
            let report =
                custody::after_agent(p, &t.place(), &heads, &format!("{} commit", t.task.id))?;
            t.run.custody.extend(report.lines);
            if let Some(why) = report.stop {
                return fail(p, t, Stage::Commit, &why, None);
            }
            match write(p, t)? {
                Ok(sha) => sha,
                Err(why) => return fail(p, t, Stage::Commit, &why, None),
            }
        }
    };
    p.store.note_set(&sha, &note(t))?;
    p.store.drop_rescues(&t.name, Some(&t.run.id))?;
    record_done(p, t, &sha)?;
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

/// Records the task done as `sha`: the run ended, the outputs the plan declares and the
/// agent did not record kept at the plan's value, the task (and the failed task a fix
/// task carried on) ticked in the state's plan, the branch tip known.
pub(super) fn record_done(p: &Pipeline, t: &mut TaskCtx, sha: &str) -> anyhow::Result<()> {
    t.run.commit = Some(sha.to_owned());
    t.run.status = RunStatus::Done;
    t.run.ended_at = Some(crate::store::now_rfc3339());
    let event = t
        .event(
            Stage::Commit,
            format!("commit -> {}", &sha[..12]),
            Actor::Tool,
        )
        .trailer("Aos-Commit", sha);
    let attempts = t.run.attempt;
    let declared: Vec<(String, String)> = t
        .task
        .outputs
        .iter()
        .map(|o| (o.name.clone(), o.value.clone()))
        .collect();
    save_done(p, t, &event, sha, |task| {
        for (name, value) in &declared {
            task.outputs
                .entry(name.clone())
                .or_insert_with(|| value.clone());
        }
        task.attempts = attempts;
    })
}

/// Returns the tree that lands: the one TEST tested and REVIEW reviewed. Files changed
/// since by anyone but a person at the gate (whose edit `approve` re-tested, making it
/// the tested tree) are put back first. `Err(why)` when the change is empty.
pub(super) fn settle_tree(p: &Pipeline, t: &mut TaskCtx) -> anyhow::Result<Result<String, String>> {
    let now = t.checkout.write_tree()?;
    let tree = match t.run.tree.clone() {
        Some(tree) => tree,
        None => now.clone(),
    };
    if now != tree {
        let files = p.store.changed_between(&tree, &now)?;
        t.checkout.restore_tree(&tree)?;
        let line = format!(
            "{} commit: files changed after they were tested and reviewed ({}); they were put \
             back, and what lands is what was tested and reviewed",
            t.task.id,
            files.join(", ")
        );
        p.ui.warn(&line);
        t.run.custody.push(line);
    }
    if p.store.tree_of_any(t.base())? == tree {
        return Ok(Err("nothing to commit: the worktree has no changes".into()));
    }
    Ok(Ok(tree))
}

/// Writes the task's commit and moves the branch to it. `Err(why)` when nothing may land.
fn write(p: &Pipeline, t: &mut TaskCtx) -> anyhow::Result<Result<String, String>> {
    let tree = match settle_tree(p, t)? {
        Ok(tree) => tree,
        Err(why) => return Ok(Err(why)),
    };
    let base = t.base().to_owned();
    let tree = tick_plan(p, t, &tree)?;
    let agent = t.run.agent.clone().unwrap_or_else(|| "git-aos".into());
    let sha = p
        .store
        .write_task_commit(&tree, &base, &message(t), &agent)?;
    if !p.store.move_branch(
        &t.ws.branch,
        &sha,
        &base,
        &format!("{} {}", t.name, t.task.id),
    )? {
        return Ok(Err(format!(
            "`{}` moved away from the run's base {} while the task was being committed; \
             nothing landed",
            t.ws.branch,
            custody::short(&base)
        )));
    }
    // HEAD follows the branch; the worktree's plan gets its tick, the index follows HEAD.
    sync_plan_file(p, t, &sha)?;
    git::change::index_to_head(&t.checkout)?;
    Ok(Ok(sha))
}

/// Returns the other tasks that are done when this one lands: the failed task it carries
/// on (it is a fix task), and its own fix task when that never started (a person
/// landed the task with `approve --force`).
pub(super) fn also_done(t: &TaskCtx) -> Vec<crate::ids::TaskId> {
    let Some(me) = t.tasks.get(&t.task.id) else {
        return Vec::new();
    };
    let unstarted = me.fixed_by.clone().filter(|f| {
        t.tasks
            .get(f)
            .is_some_and(|r| r.status == TaskStatus::Pending)
    });
    me.fixes.clone().into_iter().chain(unstarted).collect()
}

/// Returns the commit message: the task title, the agent's summary, the trailers.
pub(super) fn message(t: &TaskCtx) -> String {
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
pub(super) fn note(t: &TaskCtx) -> String {
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
    if t.run.self_review {
        lines.push("review: self-review".to_owned());
    }
    if let Some(tree) = &t.run.tree {
        lines.push(format!("tested-tree: {tree}"));
    }
    for test in &t.run.tests {
        lines.push(format!("acceptance: {test}"));
    }
    for line in &t.run.custody {
        lines.push(format!("custody: {}", line.replace('\n', " ")));
    }
    for line in &t.run.overrides {
        lines.push(format!("override: {}", line.replace('\n', " ")));
    }
    if t.run.conflicts > 0 {
        lines.push(format!(
            "conflicts: {} (merged onto what landed meanwhile)",
            t.run.conflicts
        ));
    }
    lines.push(format!(
        "approved-by: {}",
        t.run.approved_by.as_deref().unwrap_or("autonomous")
    ));
    lines.extend(super::confinement::note_lines(&t.run));
    // Each agent call counted once (a resumed session's running totals are split into
    // calls); a cost no agent reported is `unknown`, never `$0.0000`.
    // Runs whose agents call no model (the built-in shell agent) get neither line.
    let spend = t.run.spend();
    if spend.input_tokens + spend.output_tokens > 0 {
        lines.push(format!("usage: {}", spend.tokens_text()));
    }
    if spend.cost_unknown_calls > 0 || spend.cost_usd.is_some_and(|c| c > 0.0) {
        lines.push(format!("cost: {}", spend.cost_text()));
    }
    lines.join("\n") + "\n"
}

/// Returns `tree` with the task ticked in the branch's plan file (written from the
/// state's plan if the tree lacks it).
fn tick_plan(p: &Pipeline, t: &TaskCtx, tree: &str) -> anyhow::Result<String> {
    let Some(rel) = &t.ws.plan_path else {
        return Ok(tree.to_owned());
    };
    let text = match p.store.file_in(tree, rel)? {
        Some(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        None => String::from_utf8_lossy(
            &p.store
                .read_file(&p.store.find(&t.name)?, path::PLAN)?
                .unwrap_or_default(),
        )
        .into_owned(),
    };
    let mut ticked = plan::tick(&text, &t.task.id)?;
    for other in also_done(t) {
        ticked = plan::tick(&ticked, &other).unwrap_or(ticked);
    }
    p.store.tree_with_file(tree, rel, ticked.as_bytes())
}

/// Writes the worktree's plan file as the landed commit has it (with the task's tick).
fn sync_plan_file(p: &Pipeline, t: &TaskCtx, commit: &str) -> anyhow::Result<()> {
    let Some(rel) = &t.ws.plan_path else {
        return Ok(());
    };
    let Some(bytes) = p.store.file_in(commit, rel)? else {
        return Ok(());
    };
    let file = t.worktree.join(rel);
    if std::fs::read(&file).is_ok_and(|b| b == bytes) {
        return Ok(());
    }
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    // A kill between truncating and writing would leave an empty plan for the resumed run.
    crate::atomic_file::replace(&file, bytes, None)
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
    let others = also_done(t);
    let plan_text = plan_in_state(p, t, &others)?;
    let own = t.in_own_worktree();
    save(p, t, event, |tx| {
        let mut tasks = tx.tasks()?;
        if let Some(task) = tasks.get_mut(&t.task.id) {
            task.status = TaskStatus::Done;
            task.commit = Some(sha.to_owned());
            task.reason = None;
            more(task);
        }
        for other in &others {
            if let Some(task) = tasks.get_mut(other) {
                task.status = TaskStatus::Done;
                task.commit = Some(sha.to_owned());
                task.reason = Some(format!("done when {} landed", t.task.id));
            }
        }
        tx.set_tasks(&tasks)?;
        if let Some(text) = &plan_text {
            tx.put(path::PLAN, text.clone());
        }
        let ws = tx.ws_mut();
        if !own {
            ws.current_task = None;
        }
        ws.tip = Some(sha.to_owned());
        ws.integrating = None;
        Ok(())
    })
}

/// Returns the state's plan with the task (and those done with it) ticked, so state and
/// branch agree.
fn plan_in_state(
    p: &Pipeline,
    t: &TaskCtx,
    others: &[crate::ids::TaskId],
) -> anyhow::Result<Option<String>> {
    let snap = p.store.find(&t.name)?;
    let Some(bytes) = p.store.read_file(&snap, path::PLAN)? else {
        return Ok(None);
    };
    let Ok(mut text) = plan::tick(&String::from_utf8_lossy(&bytes), &t.task.id) else {
        return Ok(None);
    };
    for other in others {
        text = plan::tick(&text, other).unwrap_or(text);
    }
    Ok(Some(text))
}
