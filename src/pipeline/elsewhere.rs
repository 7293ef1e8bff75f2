//! A run resumed on another machine than the one that stopped: what that runner had done
//! since its last commit (the agent's files) stayed in its worktree, so the task's run
//! starts its attempt over from the first stage here — keeping attempts and feedback.

use crate::store::{Actor, Event, Snapshot, WsStatus};
use crate::ui::Ui;

use super::Pipeline;
use super::record::{RunRecord, RunStatus};

/// Moves the cursor of the workstream's interrupted run back to its first stage, when it
/// had gone past it; nothing otherwise.
pub fn restart(p: &Pipeline, snap: &Snapshot) -> anyhow::Result<()> {
    if snap.ws.status != WsStatus::Running {
        return Ok(());
    }
    let Some(task) = &snap.ws.current_task else {
        return Ok(());
    };
    let Some(run_id) = p
        .store
        .tasks(snap)?
        .get(task)
        .and_then(|t| t.last_run.clone())
    else {
        return Ok(());
    };
    let Some(run) = p
        .store
        .read_toml::<RunRecord>(snap, &RunRecord::path(&run_id))?
    else {
        return Ok(());
    };
    let profile = p.cfg.profile(&snap.ws.profile)?;
    let first = super::tests_first::first_stage(&profile);
    if run.status != RunStatus::Running || run.next == first {
        return Ok(());
    }
    let from = run.next;
    let event = Event::new(
        "resume",
        format!(
            "{task} restarts at {} here ({} stopped elsewhere)",
            first.as_str(),
            from.as_str()
        ),
    )
    .by(Actor::Tool)
    .task(task)
    .run(&run_id);
    p.store.update(&snap.ws.name, &event, |tx| {
        if let Some(mut run) = RunRecord::load(tx, &run_id)? {
            run.next = first;
            run.save(tx)?;
        }
        Ok(())
    })?;
    note(&p.ui, &snap.ws.name, task, from.as_str(), first.as_str());
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
