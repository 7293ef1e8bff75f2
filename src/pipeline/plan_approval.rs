//! The person's side of the plan gate: `approve` adopts the plan file as it is in the
//! worktree (a person may have edited it); `reject -f` sends a plan back to the planner,
//! or rewords a task added to an approved plan.

use crate::agent::prompt::Feedback;
use crate::error::UserError;
use crate::gate::plan::{PATH, PlanGate, PlanOrigin, PlanState};
use crate::ids::{TaskId, WorkstreamName};
use crate::lock;
use crate::plan::{self, Plan};
use crate::store::{Actor, Event, TaskStatus, TasksFile, WsStatus, path};
use crate::workstream::plan_file::task_records;

use super::{Pipeline, amend};

/// Returns the plan gate, or why `verb` has nothing to act on.
fn open_gate(p: &Pipeline, name: &WorkstreamName, verb: &str) -> anyhow::Result<PlanGate> {
    let snap = p.store.find(name)?;
    let gate: PlanGate = p
        .store
        .read_toml(&snap, PATH)?
        .ok_or_else(|| UserError::new(format!("no plan of `{name}` waits for approval")))?;
    if gate.state == PlanState::Drafting {
        return Err(UserError::with_hint(
            format!("the planner of `{name}` has not finished; there is no plan to {verb} yet"),
            format!("`git aos run {name}` drafts it"),
        )
        .into());
    }
    Ok(gate)
}

/// Approves the plan: the plan file as it is in the worktree now (a person may have
/// edited it) is checked and becomes the workstream's plan. Returns the number of tasks.
pub fn approve(p: &Pipeline, name: &WorkstreamName) -> anyhow::Result<usize> {
    let _lock = lock::lock_workstream(&p.store.paths().common_dir, name)?;
    open_gate(p, name, "approve")?;
    let snap = p.store.find(name)?;
    let rel = snap
        .ws
        .plan_path
        .clone()
        .unwrap_or_else(|| "plan.md".into());
    let file = crate::workstream::worktree_path(&p.store, &snap.ws).join(&rel);
    let text = std::fs::read_to_string(&file).map_err(|e| {
        UserError::new(format!(
            "cannot read the plan file `{}`: {e}",
            file.display()
        ))
    })?;
    let checked = plan::check(&text, &rel).map_err(|d| {
        let shown: Vec<String> = d.iter().map(|d| format!("  {d}")).collect();
        UserError::with_hint(
            format!("the plan file does not validate:\n{}", shown.join("\n")),
            format!(
                "fix `{}`, or `git aos reject {name} -f TEXT` to have the planner rewrite it",
                file.display()
            ),
        )
    })?;
    let tasks = merge(&p.store.tasks(&snap)?, &checked.plan)?;
    let total = tasks.tasks.len();
    let event =
        Event::new("plan", format!("plan approved by {}", p.store.person())).by(Actor::Person);
    p.store.update(name, &event, |tx| {
        tx.remove(PATH);
        tx.put(path::PLAN, text.clone());
        tx.set_tasks(&tasks)?;
        let ws = tx.ws_mut();
        ws.status = WsStatus::Active;
        ws.reason = None;
        Ok(())
    })?;
    Ok(total)
}

/// Returns the task records for an approved plan: the existing record of each task the
/// plan keeps, a new one for each task it adds. A done task cannot leave the plan.
fn merge(existing: &TasksFile, plan: &Plan) -> anyhow::Result<TasksFile> {
    let fresh = task_records(plan);
    for old in &existing.tasks {
        if old.status == TaskStatus::Done && plan.try_find_task(&old.id).is_none() {
            return Err(UserError::new(format!(
                "task `{}` is done and cannot leave the plan; put it back",
                old.id
            ))
            .into());
        }
    }
    let tasks = fresh
        .tasks
        .into_iter()
        .map(|new| match existing.get(&new.id) {
            Some(old) => crate::store::TaskRecord {
                title: new.title,
                depends: new.depends,
                ..old.clone()
            },
            None => new,
        })
        .collect();
    Ok(TasksFile { tasks })
}

/// What a rejection of the plan did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanRejected {
    /// The planner rewrites the plan with the feedback at the next `run`.
    Replan,
    /// The added task was reworded with the feedback; the plan still waits.
    Refined(TaskId),
}

/// Rejects the plan with `text`: a plan from a brief goes back to the planner (fresh
/// attempts); an added task takes the words into its body and waits again.
pub fn reject(p: &Pipeline, name: &WorkstreamName, text: &str) -> anyhow::Result<PlanRejected> {
    let _lock = lock::lock_workstream(&p.store.paths().common_dir, name)?;
    let mut gate = open_gate(p, name, "reject")?;
    let snap = p.store.find(name)?;
    let by = p.store.person();
    let event = Event::new("plan", format!("plan rejected by {by}")).by(Actor::Person);
    if let PlanOrigin::Amendment { task, .. } = &gate.origin {
        let id = task.id.clone();
        let worktree = crate::workstream::worktree_path(&p.store, &snap.ws);
        p.store.update(name, &event, |tx| {
            let mut g = gate.clone();
            g.origin = amend::refine(&worktree, &snap, tx, &gate.origin, &by, text)?;
            tx.put_toml(PATH, &g)?;
            tx.ws_mut().reason = Some(format!(
                "the plan changed ({id} reworded) and awaits approval"
            ));
            Ok(())
        })?;
        return Ok(PlanRejected::Refined(id));
    }
    gate.state = PlanState::Drafting;
    gate.attempt = 0;
    gate.feedback.push(Feedback::Rejection {
        by: by.clone(),
        text: text.to_owned(),
    });
    p.store.update(name, &event, |tx| {
        tx.put_toml(PATH, &gate)?;
        tx.remove(path::PLAN);
        tx.set_tasks(&TasksFile::default())?;
        let ws = tx.ws_mut();
        ws.status = WsStatus::Active;
        ws.reason = Some(format!("plan rejected by {by}: {text}"));
        Ok(())
    })?;
    Ok(PlanRejected::Replan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::TaskRecord;

    fn plan(text: &str) -> Plan {
        plan::check(text, "plan.md").unwrap().plan
    }

    #[test]
    fn an_edited_plan_keeps_the_history_of_the_tasks_it_keeps() {
        let mut done = TaskRecord::pending("T1".parse().unwrap(), "One", vec![]);
        done.status = TaskStatus::Done;
        done.attempts = 2;
        let existing = TasksFile { tasks: vec![done] };
        let edited = plan("# Plan: p\n\n### [x] T1: First\n\n### [ ] T2: Two\nDepends: T1\n");
        let merged = merge(&existing, &edited).unwrap();
        assert_eq!(merged.tasks.len(), 2);
        assert_eq!(merged.tasks[0].title, "First");
        assert_eq!(merged.tasks[0].attempts, 2);
        assert_eq!(merged.tasks[1].status, TaskStatus::Pending);
        let without = plan("# Plan: p\n\n### [ ] T2: Two\n");
        let err = merge(&existing, &without).unwrap_err().to_string();
        assert!(err.contains("`T1` is done"), "{err}");
    }
}
