//! Whether a workstream is ready for review on a forge: it is when it is `complete` — every
//! task done, the final review settled, user acceptance passed. Anything else (a gate
//! waiting for a person, a question, tasks still to do, a failure) keeps its request a
//! draft, and `git aos pr` without `--draft` refuses it.

use crate::gate::final_review::{FinalReview, FinalState};
use crate::gate::plan::{PlanGate, PlanState};
use crate::gate::{clarify, final_review, plan, review, uat};
use crate::store::{Snapshot, Store, TaskStatus, WsStatus};

/// Returns what keeps the workstream from being ready for review, one reason per line;
/// empty when it is complete.
pub fn open_gates(store: &Store, snap: &Snapshot) -> anyhow::Result<Vec<String>> {
    let mut reasons = Vec::new();
    for g in review::all(store, snap)? {
        reasons.push(format!("{} waits at the human gate", g.task));
    }
    if let Some(g) = store.read_toml::<PlanGate>(snap, plan::PATH)?
        && g.state == PlanState::Waiting
    {
        reasons.push("the plan waits for approval".to_owned());
    }
    if store
        .read_toml::<FinalReview>(snap, final_review::PATH)?
        .is_some_and(|r| r.state == FinalState::Concerns)
    {
        reasons.push("the final review raised concerns".to_owned());
    }
    let mut open_questions = Vec::new();
    for file in store.list_dir(snap, clarify::DIR)? {
        let path = format!("{}/{file}", clarify::DIR);
        if let Some(c) = store.read_toml::<clarify::Clarification>(snap, &path)?
            && c.is_open()
        {
            open_questions.push(c.id);
        }
    }
    if !open_questions.is_empty() {
        reasons.push(format!(
            "unanswered question{} {}",
            if open_questions.len() == 1 { "" } else { "s" },
            open_questions.join(", ")
        ));
    }
    for file in store.list_dir(snap, uat::DIR)? {
        let path = format!("{}/{file}", uat::DIR);
        if let Some(g) = store.read_toml::<uat::UatGate>(snap, &path)?
            && g.is_open()
        {
            reasons.push(format!("user acceptance {} waits for a verdict", g.id));
        }
    }
    if snap.ws.status == WsStatus::Complete {
        return Ok(reasons);
    }
    let tasks = store.tasks(snap)?;
    let failed: Vec<String> = tasks
        .tasks
        .iter()
        .filter(|t| t.status == TaskStatus::Failed)
        .map(|t| t.id.to_string())
        .collect();
    if !failed.is_empty() {
        reasons.push(format!("failed: {}", failed.join(", ")));
    }
    let (done, total) = tasks.progress();
    if done < total {
        reasons.push(format!("{} of {total} tasks not done", total - done));
    }
    if reasons.is_empty() {
        reasons.push(format!("the workstream is {}", snap.ws.status));
    }
    Ok(reasons)
}
