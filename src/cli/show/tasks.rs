//! Which task `show` is about, its run, and the lines about each task that needs a
//! person.

use crate::ctx::Ctx;
use crate::gate::review;
use crate::ids::TaskId;
use crate::pipeline::record::RunRecord;
use crate::store::{Snapshot, TasksFile};
use crate::ui::Ui;

use super::{ShowView, options};

/// Returns the task to show in detail: the one named, else the only one waiting at its
/// gate, else the workstream's current one, else the only one that needs a person.
pub(super) fn pick_task(
    snap: &Snapshot,
    tasks: &TasksFile,
    gates: &[review::ReviewGate],
    needs: &[options::TaskOptions],
    named: Option<TaskId>,
) -> anyhow::Result<Option<TaskId>> {
    if let Some(id) = named {
        if tasks.get(&id).is_none() {
            return Err(crate::error::UserError::with_hint(
                format!("`{}` has no task `{id}`", snap.ws.name),
                format!("`git aos status {}` lists its tasks", snap.ws.name),
            )
            .into());
        }
        return Ok(Some(id));
    }
    if let [one] = gates {
        return Ok(Some(one.task.clone()));
    }
    if let Some(current) = &snap.ws.current_task {
        return Ok(Some(current.clone()));
    }
    Ok(match needs {
        [one] => one.id.parse().ok(),
        _ => None,
    })
}

/// Returns the latest run of the task shown, if any.
pub(super) fn run_of(
    ctx: &Ctx,
    snap: &Snapshot,
    tasks: &TasksFile,
    task: Option<&TaskId>,
) -> anyhow::Result<Option<RunRecord>> {
    let Some(run) = task
        .and_then(|t| tasks.get(t))
        .and_then(|t| t.last_run.clone())
    else {
        return Ok(None);
    };
    ctx.store.read_toml(snap, &RunRecord::path(&run))
}

/// Prints the tasks that need a person: the one shown in detail, or a line each.
pub(super) fn render_tasks(ui: &Ui, view: &ShowView, run: Option<&RunRecord>) {
    for n in &view.tasks {
        let detailed = view.task.as_deref() == Some(n.id.as_str());
        if !detailed && view.task.is_some() {
            continue;
        }
        ui.data(format_args!(
            "\ntask {} is {}{}",
            n.id,
            n.status,
            n.reason
                .as_deref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default()
        ));
        if !detailed || view.gate.is_some() {
            // The gate below shows the task in full.
            continue;
        }
        if let Some(r) = run {
            if let Some(wt) = &r.worktree {
                ui.data(format_args!("  its work is in {wt}"));
            }
            if let Some(c) = &r.carry {
                ui.data(format_args!(
                    "  its work is set aside as {} (`git aos retry` brings it back)",
                    &c[..c.len().min(12)]
                ));
            }
            for t in &r.tests {
                ui.data(format_args!("  {t}"));
            }
            if let Some(last) = r.stages.last()
                && let Some(log) = &last.log
            {
                ui.data(format_args!(
                    "  log: `git show refs/aos/ws/{}:runs/{}/{log}`",
                    view.name, r.id
                ));
            }
        }
    }
}
