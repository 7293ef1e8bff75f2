//! Prompts: what an agent is told for each role, built from the plan, the task, the
//! project's directives, the workstream's memory and what went wrong before.
//!
//! A task prompt (`implement_prompt`, `tests_prompt`) has a fixed section order, each
//! section left out when it has nothing to say except the task and the result contract:
//!
//! 1. a short preamble: the role, the worktree rules, the attempt number;
//! 2. `Directives`: `[project] directives`, then `AGENTS.md` at the repository root;
//! 3. `Plan context`: the free text before the plan's first task;
//! 4. `Task`: title, body (outputs of earlier tasks substituted), files in scope,
//!    steps, references;
//! 5. `Acceptance`: the commands aos runs itself, then the criteria the reviewer judges;
//! 6. `Must not`;
//! 7. `Memory`: learnings, decisions, open issues of the workstream;
//! 8. `Feedback from previous attempts`, in the order it arrived;
//! 9. `Result`: where to write the `AOS_RESULT` JSON, the fenced `aos-result`
//!    alternative, and "ask, do not guess".

mod feedback;
mod markdown;
mod planner;
mod result;
mod review;
#[cfg(test)]
mod tests;
mod whole_review;

use std::collections::BTreeMap;
use std::path::Path;

pub use feedback::{Feedback, trim_test_output};
pub use planner::{PlanInput, plan_prompt};
pub use review::{DIFF_MAX, ReviewInput, review_prompt};
pub use whole_review::{
    BranchReviewInput, PlanReviewInput, final_review_prompt, plan_review_prompt,
};

use super::spec::Role;
use crate::ids::TaskId;
use crate::plan::{self, Task, substitute};
use markdown::{Doc, code};
use result::Outputs;

/// File at the repository root whose text joins the directives of every prompt.
pub const AGENTS_FILE: &str = "AGENTS.md";
/// Most bytes of `AGENTS.md` put in a prompt.
const AGENTS_MAX: usize = 32 * 1024;
/// The example summary of a result.
const CHANGED: &str = "What you changed and why, in a few sentences.";
/// The last line of every prompt that expects a result.
const ASK: &str =
    "If anything is unclear, do not guess: ask a question with status `blocked` instead.";

/// The workstream's memory, as the Markdown files of its state tree hold it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Memory {
    /// `memory/learnings.md`: facts about the codebase learnt by earlier tasks.
    pub learnings: String,
    /// `memory/decisions.md`: choices later work must respect.
    pub decisions: String,
    /// `memory/issues.md`: problems noticed and left open.
    pub issues: String,
}

/// Everything a task prompt is built from.
#[derive(Debug, Clone)]
pub struct PromptInput<'a> {
    /// `Implement` or `Tests` (the tdd stage that writes failing tests first); any other
    /// role gets the implementer's prompt.
    pub role: Role,
    /// Standing instructions, from [`load_directives`].
    pub directives: Vec<String>,
    /// The plan's title.
    pub plan_title: &'a str,
    /// The plan's free text before the first task.
    pub plan_context: &'a str,
    /// The task.
    pub task: &'a Task,
    /// Outputs recorded by earlier tasks, for `${ID.outputs.name}`.
    pub outputs: &'a BTreeMap<TaskId, BTreeMap<String, String>>,
    /// The workstream's memory.
    pub memory: Memory,
    /// What went wrong in earlier attempts, oldest first.
    pub feedback: Vec<Feedback>,
    /// This attempt's number, from 1.
    pub attempt: u32,
    /// Where the agent writes its result (the invocation's `AOS_RESULT`).
    pub result_file: &'a Path,
}

/// Returns the directives of every prompt: the configured ones (blank ones dropped),
/// then the text of `AGENTS.md` at `repo_root` when there is one (capped at 32 KiB).
///
/// An `AGENTS.md` that cannot be read is skipped with a warning in the log: directives
/// help an agent, and their absence must not stop a run.
pub fn load_directives(repo_root: &Path, configured: &[String]) -> Vec<String> {
    let mut out: Vec<String> = configured
        .iter()
        .map(|d| d.trim().to_owned())
        .filter(|d| !d.is_empty())
        .collect();
    let path = repo_root.join(AGENTS_FILE);
    match std::fs::read(&path) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            if !text.trim().is_empty() {
                out.push(markdown::cap(text.trim(), AGENTS_MAX));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => tracing::warn!("could not read `{}`: {e}", path.display()),
    }
    out
}

/// Returns the prompt that asks an agent to implement a task (or, for role `Tests`, to
/// write its failing tests); the section order is in the module docs.
///
/// An `${ID.outputs.name}` in the task with no recorded value is an error: a prompt
/// never carries a silent gap.
pub fn implement_prompt(input: &PromptInput<'_>) -> Result<String, plan::Error> {
    render(input, input.role == Role::Tests)
}

/// Returns the prompt of the tdd `tests` stage: write tests for the task's acceptance
/// criteria that fail until the task is implemented. Same sections as
/// [`implement_prompt`], whatever `input.role` says.
pub fn tests_prompt(input: &PromptInput<'_>) -> Result<String, plan::Error> {
    render(input, true)
}

fn render(input: &PromptInput<'_>, tests: bool) -> Result<String, plan::Error> {
    let task = input.task;
    let sub = |text: &str| substitute(text, input.outputs);
    let mut doc = Doc::new();
    preamble(&mut doc, input, tests);
    directives(&mut doc, &input.directives);
    if !input.plan_context.trim().is_empty() {
        doc.section("Plan context");
        doc.nested(input.plan_context, 3);
    }

    doc.section(&format!("Task {}: {}", task.id, sub(&task.title)?));
    doc.block(&sub(&task.body)?);
    if !task.files.is_empty() {
        let files: Vec<String> = task.files.iter().map(|f| code(f)).collect();
        doc.block(&format!(
            "Files in scope: {}. Change other files only when the task cannot be done \
             without it, and say why in your summary.",
            files.join(", ")
        ));
    }
    if !task.steps.is_empty() {
        doc.block("Suggested steps:");
        doc.numbered(collect(task.steps.iter(), sub)?);
    }
    if !task.references.is_empty() {
        doc.block("References:");
        doc.bullets(collect(task.references.iter(), sub)?);
    }

    let commands = collect(task.commands(), sub)?;
    let criteria = collect(task.criteria(), sub)?;
    if !commands.is_empty() || !criteria.is_empty() {
        doc.section("Acceptance");
    }
    if !commands.is_empty() {
        doc.block(if tests {
            "After the implementation, git aos runs these commands itself; each must exit 0. \
             Until then, the tests you write must make them fail:"
        } else {
            "When you are done, git aos runs these commands itself; each must exit 0:"
        });
        doc.bullets(commands.iter().map(|c| code(c)));
    }
    if !criteria.is_empty() {
        doc.block("A reviewer judges the change against these criteria:");
        doc.bullets(criteria);
    }
    if !task.must_not.is_empty() {
        doc.section("Must not");
        doc.bullets(collect(task.must_not.iter(), sub)?);
    }
    memory(&mut doc, &input.memory);
    if !input.feedback.is_empty() {
        doc.section("Feedback from previous attempts");
        feedback::render(&mut doc, &input.feedback);
    }
    let outputs = if tests {
        Outputs::NotThisStage
    } else {
        Outputs::Promised(&task.outputs)
    };
    result::contract(&mut doc, input.result_file, outputs, CHANGED);
    doc.block(ASK);
    Ok(doc.finish())
}

fn preamble(doc: &mut Doc, input: &PromptInput<'_>, tests: bool) {
    let (id, plan) = (&input.task.id, input.plan_title);
    doc.block(&if tests {
        format!(
            "You write the tests for task {id} of the plan \"{plan}\" before it is \
             implemented (test first). Write tests that check the acceptance criteria below \
             and fail now, because the feature does not exist yet. Do not implement the feature."
        )
    } else {
        format!("You implement task {id} of the plan \"{plan}\".")
    });
    doc.block(
        "Your working directory is a git worktree made for this work. Change files there \
         only. Do not commit, switch branches or rewrite history: git aos runs the checks, \
         has the diff reviewed and commits it itself.",
    );
    if input.attempt > 1 {
        doc.block(&format!(
            "This is attempt {}. Read \"Feedback from previous attempts\" first and fix what \
             it names; the worktree still holds the previous attempt's changes.",
            input.attempt
        ));
    }
}

fn directives(doc: &mut Doc, directives: &[String]) {
    if directives.is_empty() {
        return;
    }
    doc.section("Directives");
    doc.block("Follow these project rules in everything you do:");
    let (short, long): (Vec<&String>, Vec<&String>) =
        directives.iter().partition(|d| !d.contains('\n'));
    doc.bullets(short);
    for text in long {
        doc.nested(text, 3);
    }
}

fn memory(doc: &mut Doc, memory: &Memory) {
    let parts = [
        ("Learnings", &memory.learnings),
        ("Decisions", &memory.decisions),
        ("Open issues", &memory.issues),
    ];
    if parts.iter().all(|(_, text)| text.trim().is_empty()) {
        return;
    }
    doc.section("Memory");
    doc.block("What earlier tasks of this workstream recorded:");
    for (title, text) in parts {
        if !text.trim().is_empty() {
            doc.sub(title);
            doc.nested(text, 4);
        }
    }
}

/// Returns a prompt for a one-off request (`git aos agent try --prompt`): the text as
/// given, then the result contract, so a real agent can show the whole loop works.
pub fn adhoc_prompt(text: &str, result_file: &Path) -> String {
    let mut doc = Doc::new();
    doc.block(text);
    result::contract(&mut doc, result_file, Outputs::None, CHANGED);
    doc.block(ASK);
    doc.finish()
}

/// Returns every item with output references substituted, or the first error.
fn collect<'t>(
    items: impl Iterator<Item = impl AsRef<str> + 't>,
    sub: impl Fn(&str) -> Result<String, plan::Error>,
) -> Result<Vec<String>, plan::Error> {
    items.map(|i| sub(i.as_ref())).collect()
}
