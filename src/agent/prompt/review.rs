//! The reviewer's prompt: the task, what aos's own tests said, the diff, and the
//! verdict contract of DESIGN §6.1.

use std::collections::BTreeMap;
use std::path::Path;

use super::directives;
use super::markdown::{Doc, cap, code, fenced};
use crate::ids::TaskId;
use crate::plan::{Task, substitute};

/// Most bytes of the diff put in a review prompt; the rest is left out with a note,
/// and the reviewer can read the files in the worktree.
pub const DIFF_MAX: usize = 96 * 1024;

/// Everything a review prompt is built from.
#[derive(Debug, Clone)]
pub struct ReviewInput<'a> {
    /// Standing instructions, from [`super::load_directives`].
    pub directives: &'a [String],
    /// The plan's title.
    pub plan_title: &'a str,
    /// The task whose change is reviewed.
    pub task: &'a Task,
    /// Outputs recorded by earlier tasks; references without a value are left as written.
    pub outputs: &'a BTreeMap<TaskId, BTreeMap<String, String>>,
    /// `git diff --stat` of the change.
    pub diff_stat: &'a str,
    /// The change as a unified diff (capped at [`DIFF_MAX`] here).
    pub diff: &'a str,
    /// What aos's own test and acceptance runs said, for people (one line each).
    pub test_summary: &'a str,
    /// The criteria to judge, usually the task's `criteria()` with outputs substituted.
    pub criteria: &'a [String],
    /// Where the reviewer writes its verdict (the invocation's `AOS_RESULT`).
    pub result_file: &'a Path,
}

/// Returns the prompt that asks a reviewer for a verdict on a task's diff, in the
/// order: preamble, directives, task, criteria, must not, tests, diff, verdict contract.
pub fn review_prompt(input: &ReviewInput<'_>) -> String {
    let task = input.task;
    let sub = |text: &str| lenient(text, input.outputs);
    let mut doc = Doc::new();
    doc.block(&format!(
        "You review the change another agent made for task {} of the plan \"{}\". Read the \
         diff below (and the files in your working directory, a git worktree holding the \
         change) and decide whether it can land. Do not change any file.",
        task.id, input.plan_title
    ));
    directives(&mut doc, input.directives);

    doc.section(&format!("Task {}: {}", task.id, sub(&task.title)));
    doc.block(&sub(&task.body));
    if !task.files.is_empty() {
        let files: Vec<String> = task.files.iter().map(|f| code(f)).collect();
        doc.block(&format!("Files in scope: {}.", files.join(", ")));
    }
    if !input.criteria.is_empty() {
        doc.section("Criteria to judge");
        doc.bullets(input.criteria);
    }
    if !task.must_not.is_empty() {
        doc.section("Must not");
        doc.bullets(task.must_not.iter().map(|m| sub(m)));
    }
    doc.section("Tests");
    doc.block(if input.test_summary.trim().is_empty() {
        "git aos ran no tests for this change."
    } else {
        input.test_summary
    });
    doc.block("git aos runs the tests itself: judge the code, not whether it compiles.");

    doc.section("Diff");
    if input.diff.trim().is_empty() {
        doc.block("The diff is empty.");
    } else {
        doc.fenced("text", input.diff_stat);
        doc.fenced("diff", &cap(input.diff, DIFF_MAX));
    }
    verdict_contract(&mut doc, input.result_file);
    doc.finish()
}

/// Returns `text` with output references substituted. Review runs after the
/// implementation used the same outputs, so a reference cannot be unresolved here in
/// practice; if one is, the reviewer sees it as written.
fn lenient(text: &str, outputs: &BTreeMap<TaskId, BTreeMap<String, String>>) -> String {
    substitute(text, outputs).unwrap_or_else(|_| text.to_owned())
}

/// Adds the `Verdict` section: the verdict JSON, its fields, and where it goes — the
/// final message first, because the claude and codex reviewers run read-only and
/// cannot write files; the result file for reviewers that can.
pub(super) fn verdict_contract(doc: &mut Doc, result_file: &Path) {
    doc.section("Verdict");
    doc.block(
        "Answer with your verdict as JSON. You review read-only: do not try to write any \
         file. End your final message with the verdict in a fenced block whose info string \
         is `aos-review`:",
    );
    doc.block(&fenced(
        "aos-review",
        "{\n  \"verdict\": \"request_changes\",\n  \"summary\": \"Why, in a few sentences.\",\n  \
         \"comments\": [\n    {\"severity\": \"high\", \"path\": \"src/a.rs\", \"line\": 12, \
         \"message\": \"What is wrong and what to do.\"}\n  ]\n}",
    ));
    doc.bullets([
        "`verdict`: `approve` when the change does the task, meets the criteria and breaks \
         none of the rules; `request_changes` when the implementer must fix something first \
         (each thing a comment); `block` when the change must not land at all and a person \
         has to decide.",
        "`severity`: `high` must be fixed, `medium` should be, `low` could be. Request \
         changes when any comment is `high`.",
        "`path` and `line` point into the new version of the file; use `null` for a remark \
         on the whole change.",
    ]);
    doc.block(&format!(
        "(A reviewer that runs as a script rather than a chat may write the same JSON to {} \
         instead; the path is also in the environment variable `AOS_RESULT`.)",
        code(&result_file.display().to_string())
    ));
}
