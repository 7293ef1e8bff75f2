//! A run resumed on another machine than the one that stopped: what that runner had done
//! since its last commit (the agent's files) stayed in its worktree, so the task's run
//! starts its attempt over from the first stage here — keeping attempts and feedback.

use crate::store::{Actor, Event, Snapshot, TaskStatus, WsStatus};
use crate::ui::Ui;

use super::Pipeline;
use super::record::{RunRecord, RunStatus};

/// Moves the cursor of each of the workstream's interrupted runs back to its first stage,
/// when it had gone past it; a run in a task worktree of its own gets this machine's path
/// for it (made afresh when the run starts).
pub fn restart(p: &Pipeline, snap: &Snapshot) -> anyhow::Result<()> {
    if snap.ws.status != WsStatus::Running {
        return Ok(());
    }
    let profile = p.cfg.profile(&snap.ws.profile)?;
    let first = super::tests_first::first_stage(&profile);
    let tasks = p.store.tasks(snap)?;
    for task in tasks
        .tasks
        .iter()
        .filter(|t| t.status == TaskStatus::Running)
    {
        let Some(run_id) = task.last_run.clone() else {
            continue;
        };
        let Some(run) = p
            .store
            .read_toml::<RunRecord>(snap, &RunRecord::path(&run_id))?
        else {
            continue;
        };
        if run.status != RunStatus::Running {
            continue;
        }
        let local = run.worktree.as_ref().map(|_| {
            super::worktrees::task_path(p, &snap.ws.name, &task.id)
                .display()
                .to_string()
        });
        if run.next == first && run.worktree == local {
            continue;
        }
        let from = run.next;
        let event = Event::new(
            "resume",
            format!(
                "{} restarts at {} here ({} stopped elsewhere)",
                task.id,
                first.as_str(),
                from.as_str()
            ),
        )
        .by(Actor::Tool)
        .task(&task.id)
        .run(&run_id);
        p.store.update(&snap.ws.name, &event, |tx| {
            if let Some(mut run) = RunRecord::load(tx, &run_id)? {
                run.next = first;
                // The tested tree and the files stayed on the other machine.
                run.tree = None;
                run.worktree = local.clone();
                run.save(tx)?;
            }
            Ok(())
        })?;
        if from != first {
            note(
                &p.ui,
                &snap.ws.name,
                &task.id,
                from.as_str(),
                first.as_str(),
            );
        }
    }
    Ok(())
}

fn note(
    ui: &Ui,
    name: &crate::ids::WorkstreamName,
    task: &crate::ids::TaskId,
    from: &str,
    first: &str,
) {
    ui.status(format_args!(
        "{name}: {task} was at {from} on the machine that stopped; its files stayed there, so it restarts at {first} here"
    ));
}
