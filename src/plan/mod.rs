//! Plans and briefs (DESIGN §5.2, §5.3): Markdown parsed into tasks, validated with
//! every problem reported at once, ordered for scheduling, outputs substituted,
//! checkboxes ticked.

mod brief;
mod checkbox;
mod diagnostic;
mod heading;
mod keys;
mod order;
mod parse;
mod reference;
pub mod scope;
mod section;
mod source;
mod validate;

#[cfg(test)]
mod parse_tests;
#[cfg(test)]
mod proptests;

use std::collections::BTreeSet;

use serde::Serialize;

use crate::ids::TaskId;

pub use brief::{Brief, BriefSection, check_brief};
pub use checkbox::{NewTask, append_task, tick, with_tasks_of};
pub use diagnostic::{Diagnostic, Severity};
pub use parse::parse;
pub use reference::substitute;

/// Errors of the operations on a plan's text and on task outputs.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A `${ID.outputs.name}` whose task recorded no such output.
    #[error(
        "`${{{task}.outputs.{name}}}` is not resolved: task `{task}` recorded no output `{name}`"
    )]
    UnresolvedOutput {
        /// The task the reference names.
        task: TaskId,
        /// The output the reference names.
        name: String,
    },
    /// A `${…}` that mentions `.outputs.` but is not `${ID.outputs.name}`.
    #[error("`{reference}` is not a valid output reference: write `${{ID.outputs.name}}`")]
    MalformedReference {
        /// The reference as written.
        reference: String,
    },
    /// The plan has no task with this id.
    #[error("task `{0}` is not in the plan")]
    UnknownTask(TaskId),
    /// The plan declares this id more than once, so it is unclear which task is meant.
    #[error("task `{0}` is declared more than once in the plan")]
    DuplicateTask(TaskId),
    /// The task's heading has no `[ ]` where the parser expected it.
    #[error("the heading of task `{0}` has no `[ ]` checkbox to tick")]
    NoCheckbox(TaskId),
    /// A task could not be appended to the plan.
    #[error("task `{id}` cannot be appended to the plan: {reason}")]
    CannotAppend {
        /// The id of the task being appended.
        id: TaskId,
        /// Why not.
        reason: String,
    },
}

/// A parsed plan: its title, the context shared by every task, and the tasks in order.
///
/// Where DESIGN is silent, the format reads as follows:
/// - Key lines are the paragraph right after a task heading. On the very next line any
///   `Word: value` is a key, so an unknown one is an error; after a blank line only the
///   known keys are read and `Goal: fast` stays prose. A known key further down is a
///   warning. `Timeout` takes `90s`, `20m`, `1h30m`, `2d`.
/// - Sections other than the six known ones are kept in the body, with a warning.
///   A fenced block under `Acceptance` is not run (warning); commands are code spans.
/// - `${ID.outputs.name}` must name a declared output of a task the referencing task
///   depends on, directly or not; it is an error in the plan context. `${VAR}` without
///   `.outputs.` is left to the shell.
/// - `[X]` counts as done. A task heading at level 2 or 4, or one with a bad box, id or
///   colon, is an error; one inside a list or quote is a warning.
/// - A level-2 heading (or a later level-1) starts a phase; text under a phase heading
///   before its first task belongs to no task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// The title from `# Plan: title` (the whole level-1 heading if it has no `Plan:`).
    pub title: String,
    /// The free text before the first task, given to every task's prompt.
    pub context: String,
    /// The tasks, in plan order.
    pub tasks: Vec<Task>,
    /// The file the plan was read from, as the user named it.
    pub source: String,
}

/// One task of a plan: a level-3 heading `### [ ] ID: Title` and what follows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Task {
    /// The task's id.
    pub id: TaskId,
    /// The title after `ID:`.
    pub title: String,
    /// Whether the checkbox is ticked (`[x]`).
    pub done: bool,
    /// The 1-based line of the heading.
    pub line: usize,
    /// The level-2 heading the task sits under, if any (grouping only).
    pub phase: Option<String>,
    /// Tasks that must be done first (`Depends:`).
    pub depends: Vec<TaskId>,
    /// The declared scope (`Files:`).
    pub files: Vec<String>,
    /// The agent that implements this task instead of the `implement` role (`Agent:`).
    pub agent: Option<String>,
    /// The agent's time limit as written, e.g. `20m` (`Timeout:`).
    pub timeout: Option<String>,
    /// The prose of the task: everything that is not a key line or a known section.
    pub body: String,
    /// Commands aos runs and criteria the reviewer judges (`#### Acceptance`).
    pub acceptance: Vec<Acceptance>,
    /// Outputs the task promises to record (`#### Outputs`).
    pub outputs: Vec<Output>,
    /// Things the agent must not do (`#### Must not`).
    pub must_not: Vec<String>,
    /// Suggested steps (`#### Steps`).
    pub steps: Vec<String>,
    /// Pointers for the agent: docs, files, links (`#### References`).
    pub references: Vec<String>,
    /// The script the built-in `shell` agent runs (`#### Run`).
    pub run: Option<String>,
    #[serde(skip)]
    pub(crate) meta: TaskMeta,
}

/// Where things are in the source, for diagnostics and edits; not part of the data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TaskMeta {
    /// Line of the `Depends:` key, or of the heading when there is none.
    pub depends_line: usize,
    /// Line of the `Agent:` key, when there is one.
    pub agent_line: usize,
    /// Byte offset of the character between the checkbox brackets.
    pub checkbox_at: usize,
    /// Every `${…outputs…}` in the task's text, with its line.
    pub output_refs: Vec<(reference::Found, usize)>,
}

/// One entry of a task's `#### Acceptance` section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Acceptance {
    /// A code span: a shell command aos runs itself; it must exit 0.
    Command {
        /// The command line.
        cmd: String,
        /// Its 1-based line.
        line: usize,
    },
    /// A list item without a code span: a criterion the reviewer judges.
    Criterion {
        /// The criterion as written.
        text: String,
        /// Its 1-based line.
        line: usize,
    },
}

/// One `name: value` entry of a task's `#### Outputs` section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Output {
    /// The name other tasks use in `${ID.outputs.name}`.
    pub name: String,
    /// The value as written in the plan (what the author expects).
    pub value: String,
    /// Its 1-based line.
    pub line: usize,
}

/// A plan that passed validation, with the warnings found on the way.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The plan.
    pub plan: Plan,
    /// Warnings, sorted by line.
    pub warnings: Vec<Diagnostic>,
}

/// Parses and validates a plan, reporting every problem at once.
///
/// Returns the plan and its warnings, or every diagnostic (errors and warnings,
/// sorted by line) when there is at least one error. `source` names the file in
/// diagnostics.
pub fn check(text: &str, source: &str) -> Result<Checked, Vec<Diagnostic>> {
    check_with(text, source, None)
}

/// Like [`check`], and when `agents` is given (the agents `aos.toml` defines), every
/// `Agent:` must name one of them.
pub fn check_with(
    text: &str,
    source: &str,
    agents: Option<&[String]>,
) -> Result<Checked, Vec<Diagnostic>> {
    let (plan, mut diagnostics) = parse(text, source);
    diagnostics.extend(plan.validate());
    if let Some(known) = agents {
        diagnostics.extend(plan.check_agents(known));
    }
    let mut nul = diagnostic::Diagnostics::new(source);
    for (i, line) in text.lines().enumerate().filter(|(_, l)| l.contains('\0')) {
        let at = line.find('\0').unwrap_or(0) + 1;
        nul.error(
            i + 1,
            format!("a NUL byte at column {at}: a plan is text, and no command can carry one"),
        );
    }
    diagnostics.extend(nul.into_sorted());
    diagnostics.sort_by_key(|d| (d.line, d.severity));
    if diagnostics.iter().any(Diagnostic::is_error) {
        Err(diagnostics)
    } else {
        Ok(Checked {
            plan,
            warnings: diagnostics,
        })
    }
}

impl Plan {
    /// Returns an error for every `Agent:` that names no agent in `known` (the agents
    /// `aos.toml` defines), so a plan is refused before a run reaches that task.
    pub fn check_agents(&self, known: &[String]) -> Vec<Diagnostic> {
        let mut diags = diagnostic::Diagnostics::new(&self.source);
        for task in &self.tasks {
            if let Some(agent) = &task.agent
                && !known.iter().any(|k| k == agent)
            {
                diags.error(
                    task.meta.agent_line.max(task.line),
                    format!(
                        "task `{}` names agent `{agent}`, which aos.toml does not define (agents: {})",
                        task.id,
                        known.join(", ")
                    ),
                );
            }
        }
        diags.into_sorted()
    }

    /// Returns the task with this id, if the plan has one.
    pub fn try_find_task(&self, id: &TaskId) -> Option<&Task> {
        self.tasks.iter().find(|t| &t.id == id)
    }

    /// Returns the task with this id, or an error naming it.
    pub fn find_task(&self, id: &TaskId) -> Result<&Task, Error> {
        self.try_find_task(id)
            .ok_or_else(|| Error::UnknownTask(id.clone()))
    }

    /// Returns the ids of the tasks whose checkbox is ticked.
    pub fn ticked(&self) -> BTreeSet<TaskId> {
        self.tasks
            .iter()
            .filter(|t| t.done)
            .map(|t| t.id.clone())
            .collect()
    }

    /// Returns `prefix-N` for the smallest `N >= 1` no task uses (for tasks added later).
    pub fn next_id(&self, prefix: &str) -> Result<TaskId, crate::ids::InvalidId> {
        let taken = |id: &TaskId| self.tasks.iter().any(|t| &t.id == id);
        let mut n = 1usize;
        loop {
            let id: TaskId = format!("{prefix}-{n}").parse()?;
            if !taken(&id) {
                return Ok(id);
            }
            n += 1;
        }
    }
}

impl Task {
    /// Returns the acceptance commands, in order.
    pub fn commands(&self) -> impl Iterator<Item = &str> {
        self.acceptance.iter().filter_map(|a| match a {
            Acceptance::Command { cmd, .. } => Some(cmd.as_str()),
            Acceptance::Criterion { .. } => None,
        })
    }

    /// Returns the acceptance criteria the reviewer judges, in order.
    pub fn criteria(&self) -> impl Iterator<Item = &str> {
        self.acceptance.iter().filter_map(|a| match a {
            Acceptance::Criterion { text, .. } => Some(text.as_str()),
            Acceptance::Command { .. } => None,
        })
    }
}
