//! `pre-commit`: run the current task's acceptance commands (or `[project] quick_check`
//! when the task has none) in the worktree, and stop the commit when one fails.

use std::collections::BTreeMap;

use anyhow::Context as _;

use super::dispatch::Outcome;
use super::probe::Site;
use super::task;
use super::verdict::{self, Verification};
use crate::config::{self, Config};
use crate::ids::TaskId;
use crate::store::{Snapshot, Store, TasksFile, path};
use crate::ui::Ui;
use crate::{git, plan, process};

/// Lines of a failing command's output shown under the failure.
const TAIL_LINES: usize = 40;

/// Verifies the worktree before a commit; `Block` when a command failed.
pub fn run(site: &Site, ui: &Ui) -> anyhow::Result<Outcome> {
    let store = Store::discover(&site.top)?;
    let snap = store.find(&site.workstream)?;
    let tasks = store.tasks(&snap)?;
    let head = store.resolve("HEAD")?.unwrap_or_default();
    let Some(task) = task::current(&snap.ws, &tasks) else {
        verdict::record(&site.git_dir, Verification::None, &head)?;
        return Ok(Outcome::Proceed);
    };
    let mut commands = acceptance(&store, &snap, &tasks, &task)?;
    if !commands.is_empty() && crate::trust::require(&store, &snap).is_err() {
        // A plan from another machine runs nothing here until a person trusts it.
        ui.warn(format_args!(
            "git-aos: the acceptance commands of {task} were not run: the plan of `{}` is not trusted here (`git aos trust {0}`)",
            snap.ws.name
        ));
        commands.clear();
    }
    if commands.is_empty() {
        commands.extend(quick_check(&store)?);
    }
    for cmd in &commands {
        ui.status(format_args!("git-aos: {task}: running `{cmd}`"));
        let out = process::run_shell_without(cmd, &site.top, git::hooks::HOOK_ENV)?;
        if !out.success {
            verdict::record(&site.git_dir, Verification::Failed, &head)?;
            ui.diagnostic(format_args!(
                "git-aos: {} task {task} is not accepted: `{cmd}` exited {}",
                ui.paint("error:", "1;31"),
                out.code_text()
            ));
            let tail = out.tail(TAIL_LINES);
            if !tail.is_empty() {
                ui.diagnostic(tail);
            }
            ui.hint("fix it and commit again; `git commit --no-verify` commits without the check");
            return Ok(Outcome::Block);
        }
    }
    let outcome = if commands.is_empty() {
        Verification::None
    } else {
        Verification::Passed
    };
    verdict::record(&site.git_dir, outcome, &head)?;
    Ok(Outcome::Proceed)
}

/// Returns the acceptance commands of `task` from the plan in the state tree, with the
/// outputs of earlier tasks substituted.
fn acceptance(
    store: &Store,
    snap: &Snapshot,
    tasks: &TasksFile,
    task: &TaskId,
) -> anyhow::Result<Vec<String>> {
    let Some(bytes) = store.read_file(snap, path::PLAN)? else {
        return Ok(Vec::new());
    };
    let text = String::from_utf8(bytes).context("the plan in the state is not UTF-8")?;
    let checked = plan::check(&text, path::PLAN).map_err(|diagnostics| {
        let first = diagnostics
            .first()
            .map(ToString::to_string)
            .unwrap_or_default();
        anyhow::anyhow!("the plan in the state does not parse: {first}")
    })?;
    let Some(found) = checked.plan.try_find_task(task) else {
        return Ok(Vec::new());
    };
    let outputs: BTreeMap<TaskId, BTreeMap<String, String>> = tasks
        .tasks
        .iter()
        .map(|t| (t.id.clone(), t.outputs.clone()))
        .collect();
    found
        .commands()
        .map(|cmd| plan::substitute(cmd, &outputs).map_err(Into::into))
        .collect()
}

/// Returns `[project] quick_check`, if the project configures one.
fn quick_check(store: &Store) -> anyhow::Result<Option<String>> {
    let paths = store.paths();
    let Some(root) = paths.main_workdir.as_ref().or(paths.workdir.as_ref()) else {
        return Ok(None);
    };
    let cfg = Config::load(&root.join(config::FILE_NAME), &store.aos_config())?;
    Ok(cfg.project.quick_check)
}
