//! A task's implement prompt built from its workstream's state: the plan and the outputs
//! recorded in the state tree, the memory files, and the project's directives.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::agent::Role;
use crate::agent::prompt::{Memory, PromptInput, implement_prompt};
use crate::error::UserError;
use crate::ids::TaskId;
use crate::plan;
use crate::store::{Snapshot, Store, path};

/// The memory files of a state tree.
const LEARNINGS: &str = "memory/learnings.md";
const DECISIONS: &str = "memory/decisions.md";
const ISSUES: &str = "memory/issues.md";

/// What an agent needs to implement one task of a workstream.
#[derive(Debug, Clone)]
pub struct TaskPrompt {
    /// The prompt.
    pub prompt: String,
    /// The task's `Run` script, for the built-in `shell` agent.
    pub run_script: Option<String>,
    /// The workstream's worktree, where the agent works.
    pub worktree: PathBuf,
    /// The attempt this prompt is for (attempts recorded so far, plus one).
    pub attempt: u32,
}

/// Returns the implement prompt of `task` as the workstream's state has it now, with
/// no feedback (a first look, not a retry of a run).
pub fn implement(
    store: &Store,
    snap: &Snapshot,
    task: &TaskId,
    directives: Vec<String>,
    result_file: &Path,
) -> anyhow::Result<TaskPrompt> {
    let name = &snap.ws.name;
    let text = read_text(store, snap, path::PLAN)?.ok_or_else(|| {
        UserError::with_hint(
            format!("workstream `{name}` has no plan"),
            "create the workstream with `git aos new <name> --plan FILE`",
        )
    })?;
    let plan = plan::check(&text, path::PLAN)
        .map_err(|diags| {
            let first = diags.iter().find(|d| d.is_error()).map(ToString::to_string);
            UserError::new(format!(
                "the plan of workstream `{name}` does not parse: {}",
                first.unwrap_or_default()
            ))
        })?
        .plan;
    let found = plan.find_task(task).map_err(|e| {
        UserError::with_hint(
            format!("workstream `{name}`: {e}"),
            format!("`git aos status {name}` lists its tasks"),
        )
    })?;
    let tasks = store.tasks(snap)?;
    let outputs: BTreeMap<TaskId, BTreeMap<String, String>> = tasks
        .tasks
        .iter()
        .filter(|t| !t.outputs.is_empty())
        .map(|t| (t.id.clone(), t.outputs.clone()))
        .collect();
    let attempt = tasks.get(task).map_or(0, |t| t.attempts) + 1;
    let memory = Memory {
        learnings: read_text(store, snap, LEARNINGS)?.unwrap_or_default(),
        decisions: read_text(store, snap, DECISIONS)?.unwrap_or_default(),
        issues: read_text(store, snap, ISSUES)?.unwrap_or_default(),
    };
    let prompt = implement_prompt(&PromptInput {
        role: Role::Implement,
        directives,
        plan_title: &plan.title,
        plan_context: &plan.context,
        task: found,
        outputs: &outputs,
        memory,
        feedback: Vec::new(),
        attempt,
        result_file,
    })
    .map_err(|e| UserError::new(format!("task `{task}` of workstream `{name}`: {e}")))?;
    Ok(TaskPrompt {
        prompt,
        run_script: found.run.clone(),
        worktree: super::worktree_path(store, &snap.ws),
        attempt,
    })
}

fn read_text(store: &Store, snap: &Snapshot, rela: &str) -> anyhow::Result<Option<String>> {
    let bytes = store
        .read_file(snap, rela)
        .with_context(|| format!("could not read `{rela}` of workstream `{}`", snap.ws.name))?;
    Ok(bytes.map(|b| String::from_utf8_lossy(&b).into_owned()))
}
