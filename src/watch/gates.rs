//! What a workstream waits for, read from its state tree: the one place the dashboard
//! reads gates (a task's change, the plan, the final review, questions, user acceptance).

use crate::gate::final_review::{FinalReview, FinalState};
use crate::gate::{clarify, final_review, plan, review, uat};
use crate::store::{Snapshot, Store};

use super::board::{Gate, Waiting};

/// Returns every open gate of a workstream, the human gate first.
pub fn open(store: &Store, snap: &Snapshot) -> anyhow::Result<Vec<Waiting>> {
    let mut out = Vec::new();
    // One per task at the gate: several can wait while others run.
    for g in review::all(store, snap)? {
        let files = match g.files.len() {
            1 => "1 file".to_owned(),
            n => format!("{n} files"),
        };
        let tests = if g.tests.iter().any(|t| t.starts_with("FAIL")) {
            "tests failing"
        } else {
            "tests pass"
        };
        let text = match g.conflicts.len() {
            0 => format!("review: {} · {tests} · {files}", g.verdict),
            n => format!(
                "conflicts with what landed in {n} file{}: resolve in its worktree",
                if n == 1 { "" } else { "s" }
            ),
        };
        out.push(Waiting {
            gate: Gate::Change,
            task: Some(g.task.to_string()),
            text,
            question: None,
        });
    }
    if let Some(g) = store.read_toml::<plan::PlanGate>(snap, plan::PATH)? {
        out.push(Waiting {
            gate: Gate::Plan,
            task: None,
            text: format!("plan {} waits for approval", g.state.as_str()),
            question: None,
        });
    }
    if let Some(r) = store.read_toml::<FinalReview>(snap, final_review::PATH)?
        && r.state == FinalState::Concerns
    {
        out.push(Waiting {
            gate: Gate::FinalReview,
            task: None,
            text: "final review raised concerns".into(),
            question: None,
        });
    }
    for file in store.list_dir(snap, clarify::DIR)? {
        let path = format!("{}/{file}", clarify::DIR);
        if let Some(q) = store.read_toml::<clarify::Clarification>(snap, &path)?
            && q.is_open()
        {
            out.push(Waiting {
                gate: Gate::Question,
                task: q.task.map(|t| t.to_string()),
                text: q.question,
                question: Some(q.id),
            });
        }
    }
    for file in store.list_dir(snap, uat::DIR)? {
        let path = format!("{}/{file}", uat::DIR);
        if let Some(u) = store.read_toml::<uat::UatGate>(snap, &path)?
            && u.is_open()
        {
            out.push(Waiting {
                gate: Gate::Uat,
                task: None,
                text: format!(
                    "user acceptance {}: `git aos uat pass|fail {}`",
                    u.id, snap.ws.name
                ),
                question: None,
            });
        }
    }
    Ok(out)
}
