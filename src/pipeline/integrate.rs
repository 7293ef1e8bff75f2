//! Landing a task that ran in its own worktree: one task at a time, under the
//! workstream's integration lock. Fast-forward when the task's base is the tip; else its
//! change (base → tested tree) is merged in memory onto the tip, and the task's
//! acceptance commands and `quick_check` run on the merged tree (in the task's worktree,
//! moved to it).
//! Only then the landing is journaled in the state, the branch moves by compare-and-swap
//! (one commit per task, its parent the tip: history stays linear) and the workstream's
//! worktree follows, never over local edits.
//!
//! A conflict goes to the `[merge] resolvers`, then back to the task's agent on the new
//! tip with the conflict as feedback (markers in the files, a new attempt), then to a
//! person. A merge that breaks the checks goes the same way. A landing is exactly once:
//! a crash after the branch moved is finished from the journal, and a commit carrying
//! the run's `Aos-Run` trailer is adopted, never made twice.

use std::path::Path;

use crate::agent::prompt::Feedback;
use crate::ids::WorkstreamName;
use crate::plan;
use crate::store::{Actor, Event, Integrating, MergeResult, path, trailer};

use super::record::{RunRecord, RunStatus, Stage};
use super::stage::{Step, TaskCtx, TaskStop, fail, save};
use super::{Pipeline, agents, commit, custody, load, resolvers, worktrees};

/// Why a task's change did not land as it was.
enum Clash {
    /// These files conflict with what landed.
    Conflict(Vec<String>),
    /// The merge was clean (or resolved) into `tree` but broke a check.
    Broken {
        tree: String,
        command: String,
        exit_code: Option<i32>,
        output: String,
    },
}

/// COMMIT for a task in its own worktree: lands it on the workstream branch.
pub(super) async fn land(p: &Pipeline, t: &mut TaskCtx) -> anyhow::Result<Step> {
    let heads = custody::watch(p)?;
    let who = format!("{} commit", t.task.id);
    let report = custody::after_agent(p, &t.place(), &heads, &who)?;
    t.run.custody.extend(report.lines);
    if let Some(why) = report.stop {
        return fail(p, t, Stage::Commit, &why, None);
    }
    let tested = match commit::settle_tree(p, t)? {
        Ok(tree) => tree,
        Err(why) => return fail(p, t, Stage::Commit, &why, None),
    };
    let (common, name) = (p.store.paths().common_dir.clone(), t.name.clone());
    let lock = tokio::task::spawn_blocking(move || crate::lock::lock_integration(&common, &name))
        .await??;
    if let Some(sha) = adopted(p, t)? {
        finish(p, t, &sha)?;
        return Ok(Step::TaskDone);
    }
    for _ in 0..5 {
        let tip = p
            .store
            .branch_tip(&t.ws.branch)?
            .ok_or_else(|| anyhow::anyhow!("the branch `{}` is gone", t.ws.branch))?;
        let base = t.base().to_owned();
        let merged = match tip == base {
            true => tested.clone(),
            false => match p.store.merge_trees(&base, &tip, &tested)? {
                MergeResult::Clean(tree) => tree,
                MergeResult::Conflicts(files) => {
                    match resolvers::resolve(p, t, &base, &tip, &tested, &files).await? {
                        Some(tree) => tree,
                        None => return clash(p, t, &tip, &tested, Clash::Conflict(files)),
                    }
                }
            },
        };
        let tree = plan_tree(p, t, &merged)?;
        let agent = t.run.agent.clone().unwrap_or_else(|| "git-aos".into());
        let sha = p
            .store
            .write_task_commit(&tree, &tip, &commit::message(t), &agent)?;
        if tip != base
            && let Some((command, exit_code, output)) = checks(p, t, &tested, &tree).await?
        {
            let broken = Clash::Broken {
                tree: merged,
                command,
                exit_code,
                output,
            };
            return clash(p, t, &tip, &tested, broken);
        }
        journal(
            p,
            t,
            Some(Integrating {
                task: t.task.id.clone(),
                run: t.run.id.clone(),
                from: tip.clone(),
                to: sha.clone(),
            }),
        )?;
        crash_point("after-landing-journal");
        let why = format!("{} {}", t.name, t.task.id);
        if p.store.move_branch(&t.ws.branch, &sha, &tip, &why)? {
            crash_point("after-landing-cas");
            record(p, t, &sha)?;
            drop(lock);
            tidy(p, t);
            return Ok(Step::TaskDone);
        }
        // Something moved the branch under the lock (a person's commit): merge again.
        journal(p, t, None)?;
    }
    fail(
        p,
        t,
        Stage::Commit,
        "the branch kept moving while the task was landing",
        None,
    )
}

/// Test hook: `AOS_CRASH_AT=<point>` ends the process there (exit 99, no cleanup), so
/// tests can check that a crash at each step of a landing lands the task exactly once.
fn crash_point(point: &str) {
    if std::env::var("AOS_CRASH_AT").is_ok_and(|v| v == point) {
        std::process::exit(99);
    }
}

/// Returns the commit of this run already on the branch (a landing a crash interrupted
/// after the branch moved), if there is one.
fn adopted(p: &Pipeline, t: &TaskCtx) -> anyhow::Result<Option<String>> {
    let Some(tip) = p.store.branch_tip(&t.ws.branch)? else {
        return Ok(None);
    };
    if tip == t.base() {
        return Ok(None);
    }
    for c in p.store.commits_between(t.base(), &tip)?.iter().rev() {
        let msg = p.store.commit_message(&c.id)?;
        if trailer(&msg, "Aos-Run") == Some(t.run.id.as_str()) {
            return Ok(Some(c.id.clone()));
        }
    }
    Ok(None)
}

/// Records (or clears) the landing in progress.
fn journal(p: &Pipeline, t: &TaskCtx, landing: Option<Integrating>) -> anyhow::Result<()> {
    let summary = match &landing {
        Some(l) => format!(
            "landing {} -> {}",
            custody::short(&l.from),
            custody::short(&l.to)
        ),
        None => "landing dropped: the branch moved".to_owned(),
    };
    let event = t.event(Stage::Commit, summary, Actor::Tool);
    p.store.update(&t.name, &event, |tx| {
        tx.ws_mut().integrating = landing.clone();
        Ok(())
    })?;
    Ok(())
}

/// Returns `tree` with the branch's plan file carrying every task of the state's plan,
/// and this task (and those done with it) ticked.
fn plan_tree(p: &Pipeline, t: &TaskCtx, tree: &str) -> anyhow::Result<String> {
    let Some(rel) = &t.ws.plan_path else {
        return Ok(tree.to_owned());
    };
    let snap = p.store.find(&t.name)?;
    let state = String::from_utf8_lossy(&p.store.read_file(&snap, path::PLAN)?.unwrap_or_default())
        .into_owned();
    let text = match p.store.file_in(tree, rel)? {
        Some(bytes) => plan::with_tasks_of(&String::from_utf8_lossy(&bytes), &state),
        None => state,
    };
    let mut ticked = plan::tick(&text, &t.task.id)?;
    for other in commit::also_done(t) {
        ticked = plan::tick(&ticked, &other).unwrap_or(ticked);
    }
    p.store.tree_with_file(tree, rel, ticked.as_bytes())
}

/// Runs `quick_check` and the task's acceptance commands on the landing's `tree`, in the
/// task's own worktree moved to that tree (its ignored files — build output, say — stay,
/// so a check need not start cold); returns the first failure.
async fn checks(
    p: &Pipeline,
    t: &TaskCtx,
    tested: &str,
    tree: &str,
) -> anyhow::Result<Option<(String, Option<i32>, String)>> {
    let mut commands: Vec<String> = p.cfg.project.quick_check.iter().cloned().collect();
    commands.extend(t.acceptance()?);
    if commands.is_empty() {
        return Ok(None);
    }
    // The worktree and its index hold the tested tree (COMMIT staged it): only what
    // landed meanwhile is written.
    if crate::git::change::update(&t.checkout, tested, tree).is_err() {
        t.checkout.restore_tree(tree)?;
    }
    p.ui.progress(
        t.name.as_str(),
        format_args!("{} landing: checks on the merged tree", t.task.id),
    );
    for (i, cmd) in commands.iter().enumerate() {
        let scratch = p.scratch(&t.name, &t.run.id, &format!("land-{}-{i}", t.run.attempt));
        let out = agents::run_command(p, cmd, &t.worktree, &scratch).await?;
        if out.exit_code != Some(0) {
            let output = format!("{}{}", out.stdout, out.stderr);
            return Ok(Some((cmd.clone(), out.exit_code, output)));
        }
    }
    Ok(None)
}

/// Returns the feedback an agent gets when its change conflicts with what landed.
pub(super) fn conflict_feedback(files: &[String]) -> Feedback {
    let mut reasons: Vec<String> = files
        .iter()
        .map(|f| format!("`{f}` conflicts: it holds conflict markers now"))
        .collect();
    reasons.push(
        "other tasks landed changes to the same lines meanwhile; your worktree is on the new \
         tip with both sides in the files: keep both intents, remove every conflict marker"
            .into(),
    );
    Feedback::Refused {
        what: "Your change conflicts with work that landed meanwhile".into(),
        reasons,
    }
}

/// The change did not land as it was: the task's worktree moves to the tip with the
/// merge in its files; the first time the agent gets a new attempt with the clash as
/// feedback, after that a person decides.
fn clash(
    p: &Pipeline,
    t: &mut TaskCtx,
    tip: &str,
    tested: &str,
    why: Clash,
) -> anyhow::Result<Step> {
    let merged = match &why {
        Clash::Broken { tree, .. } => tree.clone(),
        Clash::Conflict(_) => p.store.merge_trees_marked(t.base(), tip, tested)?.0,
    };
    t.checkout.restore_tree(&merged)?;
    t.checkout.detach_head(tip)?;
    t.checkout.reset_index(tip)?;
    t.run.base = Some(tip.to_owned());
    t.run.expected_head = Some(tip.to_owned());
    t.run.tree = None;
    let (feedback, files, said) = match why {
        Clash::Conflict(files) => {
            let said = format!("conflicts with what landed in {}", files.join(", "));
            (conflict_feedback(&files), files, said)
        }
        Clash::Broken {
            command,
            exit_code,
            output,
            ..
        } => {
            let said = format!("merged onto what landed, fails `{command}`");
            let fb = Feedback::TestFailure {
                command,
                exit_code,
                output,
            };
            (fb, Vec::new(), said)
        }
    };
    t.run.feedback.push(feedback);
    if t.run.conflicts == 0 {
        t.run.conflicts += 1;
        t.run.attempt += 1;
        t.run.next = Stage::Implement;
        let event = t.event(
            Stage::Commit,
            format!("commit -> {said}; back to the agent on the new tip"),
            Actor::Tool,
        );
        save(p, t, &event, |_| Ok(()))?;
        p.ui.progress(
            t.name.as_str(),
            format_args!(
                "{} {said}; attempt {} on the new tip",
                t.task.id, t.run.attempt
            ),
        );
        return Ok(Step::Continue);
    }
    let reason = format!(
        "{} {said}; resolve it in `{}`, then `git aos approve {} {}`",
        t.task.id,
        t.worktree.display(),
        t.name,
        t.task.id
    );
    super::decide::wait_for_person(p, t, &reason, files)?;
    Ok(Step::Stop(TaskStop::Gate(reason)))
}

/// The landing commit is on the branch: note it, record the task done, bring the
/// workstream's worktree along and leave the task's idle.
pub(super) fn finish(p: &Pipeline, t: &mut TaskCtx, sha: &str) -> anyhow::Result<()> {
    record(p, t, sha)?;
    tidy(p, t);
    Ok(())
}

/// What a landing records while it holds the integration lock: the note, the task done
/// (and the tip the branch is at), the workstream's worktree brought along.
fn record(p: &Pipeline, t: &mut TaskCtx, sha: &str) -> anyhow::Result<()> {
    p.store.note_set(sha, &commit::note(t))?;
    p.store.drop_rescues(&t.name, Some(&t.run.id))?;
    let snap = p.store.find(&t.name)?;
    let from = p
        .store
        .parent_of(sha)?
        .unwrap_or_else(|| t.base().to_owned());
    if let Some(line) = worktrees::follow(p, &snap.ws, &from, sha)? {
        p.ui.warn(format_args!("{}: {line}", t.name));
    }
    commit::record_done(p, t, sha)?;
    p.ui.status(format_args!(
        "{}: {} landed as {}",
        t.name,
        t.task.id,
        &sha[..12]
    ));
    Ok(())
}

/// What can wait until the integration lock is free: the task's worktree left idle for
/// the next task, its scratch files removed.
fn tidy(p: &Pipeline, t: &TaskCtx) {
    worktrees::retire(p, &t.worktree, t.profile.parallel_tasks as usize);
    if let Err(e) = std::fs::remove_dir_all(p.scratch_of_run(&t.name, &t.run.id)) {
        tracing::debug!("could not remove the run's scratch directory: {e}");
    }
}

/// Finishes or drops the landing a crash interrupted: landed (the branch has the
/// journaled commit) — it is recorded done; not landed — the journal goes, and the
/// task's run lands it again from its COMMIT stage.
pub(super) async fn recover(p: &Pipeline, name: &WorkstreamName) -> anyhow::Result<()> {
    let snap = p.store.find(name)?;
    let Some(j) = snap.ws.integrating.clone() else {
        return Ok(());
    };
    let tip = p.store.branch_tip(&snap.ws.branch)?;
    let landed = match &tip {
        Some(tip) => p.store.is_ancestor(&j.to, tip)?,
        None => false,
    };
    let run: Option<RunRecord> = p.store.read_toml(&snap, &RunRecord::path(&j.run))?;
    let Some(run) = run.filter(|r| landed && r.status != RunStatus::Done) else {
        let event = Event::new(
            "land",
            format!("{}: an interrupted landing did not land", j.task),
        )
        .by(Actor::Tool)
        .task(&j.task);
        p.store.update(name, &event, |tx| {
            tx.ws_mut().integrating = None;
            Ok(())
        })?;
        return Ok(());
    };
    p.ui.status(format_args!(
        "{name}: finishing the landing of {} ({}) a crash interrupted",
        j.task,
        custody::short(&j.to)
    ));
    if let Some(wt) = &run.worktree {
        let base = run.base.clone().unwrap_or_else(|| j.from.clone());
        worktrees::ensure(p, Path::new(wt), &base, run.tree.as_deref())?;
    }
    let plan = load::plan(p, &snap)?;
    let mut t = load::ctx(p, &snap, plan, p.store.tasks(&snap)?, run)?;
    finish(p, &mut t, &j.to)
}
