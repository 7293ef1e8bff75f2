//! What a person can do about each task that needs them, with the exact commands.

use serde::Serialize;

use crate::gate::review::ReviewGate;
use crate::ids::WorkstreamName;
use crate::store::{TaskRecord, TaskStatus, TasksFile};

/// A task that needs a person (or waits on one), and the commands that apply to it.
#[derive(Debug, Clone, Serialize)]
pub struct TaskOptions {
    /// The task.
    pub id: String,
    /// Its status.
    pub status: String,
    /// Why it is where it is.
    pub reason: Option<String>,
    /// The commands that apply, most likely first.
    pub commands: Vec<String>,
}

/// Returns the options of every task that needs a person: waiting at its gate, blocked,
/// failed, halted or skipped.
pub fn all(name: &WorkstreamName, tasks: &TasksFile, gates: &[ReviewGate]) -> Vec<TaskOptions> {
    tasks
        .tasks
        .iter()
        .filter_map(|t| of(name, t, tasks, gates.iter().find(|g| g.task == t.id)))
        .collect()
}

/// Returns the options of one task, or `None` when nothing applies (it runs, waits for
/// its dependencies or is done).
pub fn of(
    name: &WorkstreamName,
    t: &TaskRecord,
    tasks: &TasksFile,
    gate: Option<&ReviewGate>,
) -> Option<TaskOptions> {
    let id = &t.id;
    let retry = format!("git aos retry {name} {id}");
    let skip = format!("git aos skip {name} {id}");
    let reset = format!("git aos reset {name} {id}");
    let commands = match t.status {
        TaskStatus::AwaitingReview if gate.is_some_and(|g| !g.conflicts.is_empty()) => vec![
            format!(
                "git aos approve {name} {id}   # after resolving the conflicts in its worktree"
            ),
            format!("{retry}   # the agent resolves them"),
            skip,
            reset,
        ],
        TaskStatus::AwaitingReview => vec![
            format!("git aos approve {name} {id}"),
            format!("git aos reject {name} {id} -f \"what must change\""),
            format!("git aos approve --force {name} {id}   # land it whatever the reviewer said"),
            skip,
            reset,
        ],
        TaskStatus::Blocked => vec![
            format!("git aos clarify answer {name} <id> \"answer\"   # `git aos clarify list`"),
            skip,
            reset,
        ],
        TaskStatus::Failed => match t.fixed_by.as_ref().and_then(|f| tasks.get(f)) {
            Some(fix) if fix.status == TaskStatus::Pending || fix.status == TaskStatus::Running => {
                vec![
                    format!("git aos run {name}   # {} carries its work on", fix.id),
                    format!("git aos show {name} {}", fix.id),
                ]
            }
            Some(fix) => vec![format!(
                "git aos show {name} {}   # its work went to {0}, which is {}",
                fix.id, fix.status
            )],
            None => vec![
                format!("{retry} [--agent AGENT] [-f \"what to do differently\"]"),
                format!(
                    "git aos approve --force {name} {id}   # after fixing its worktree; the checks run first"
                ),
                skip,
                format!("{reset}   # discards its work"),
            ],
        },
        TaskStatus::Running if t.reason.is_some() => vec![
            format!("git aos run {name}   # once the environment is fixed"),
            format!("{retry} --agent OTHER"),
            format!("git aos approve --force {name} {id}"),
            skip,
            format!("{reset}   # discards its work"),
        ],
        TaskStatus::Skipped => vec![
            format!("{retry}   # brings it back with its work"),
            format!("{reset}   # discards its work"),
        ],
        _ => return None,
    };
    Some(TaskOptions {
        id: id.to_string(),
        status: t.status.to_string(),
        reason: t.reason.clone(),
        commands,
    })
}
