//! Reviews of a whole rather than one task: a plan before any task runs, and the whole
//! branch after the last task (`final_review`). Both answer with the verdict contract.

use std::path::Path;

use super::directives;
use super::markdown::{Doc, cap, code};
use super::review::{DIFF_MAX, verdict_contract};

/// Everything a plan review prompt is built from.
#[derive(Debug, Clone)]
pub struct PlanReviewInput<'a> {
    /// Standing instructions, from [`super::load_directives`].
    pub directives: &'a [String],
    /// The brief the plan was made from.
    pub brief: &'a str,
    /// The plan as the planner wrote it.
    pub plan: &'a str,
    /// Where the plan is, in the reviewer's working directory.
    pub plan_file: &'a Path,
    /// Where the reviewer writes its verdict (the invocation's `AOS_RESULT`).
    pub result_file: &'a Path,
}

/// Returns the prompt that asks a reviewer whether a plan does what its brief asks, in
/// the order: preamble, directives, brief, plan, what to judge, verdict contract.
pub fn plan_review_prompt(input: &PlanReviewInput<'_>) -> String {
    let mut doc = Doc::new();
    doc.block(&format!(
        "You review a plan another agent wrote from a brief, before anyone implements it. \
         The plan is in {} in your working directory (a git worktree of the project); it \
         is also below. Do not change any file.",
        code(&input.plan_file.display().to_string())
    ));
    directives(&mut doc, input.directives);
    doc.section("Brief");
    doc.nested(input.brief, 3);
    doc.section("Plan");
    doc.fenced("markdown", input.plan);
    doc.section("What to judge");
    doc.bullets([
        "Every success criterion of the brief is covered by some task's acceptance.",
        "No task breaks a constraint of the brief.",
        "Each task is one reviewable commit, precise enough for someone new to the code, \
         and its dependencies come first.",
        "Acceptance commands really check the task and can pass once it is done.",
    ]);
    verdict_contract(&mut doc, input.result_file);
    doc.finish()
}

/// Everything a final review prompt is built from.
#[derive(Debug, Clone)]
pub struct BranchReviewInput<'a> {
    /// Standing instructions, from [`super::load_directives`].
    pub directives: &'a [String],
    /// The plan the branch implements, as stored (tasks ticked).
    pub plan: &'a str,
    /// The branch and what it started from, e.g. `aos/limits` from `main`.
    pub range: &'a str,
    /// `git diff --stat` of the whole branch.
    pub diff_stat: &'a str,
    /// The whole branch as one unified diff (capped at [`DIFF_MAX`] here).
    pub diff: &'a str,
    /// Where the reviewer writes its verdict (the invocation's `AOS_RESULT`).
    pub result_file: &'a Path,
}

/// Returns the prompt that asks a reviewer for one verdict on a whole branch after its
/// last task, in the order: preamble, directives, plan, what to judge, diff, verdict.
pub fn final_review_prompt(input: &BranchReviewInput<'_>) -> String {
    let mut doc = Doc::new();
    doc.block(&format!(
        "You review a whole branch ({}) after its last task landed: each task was reviewed \
         on its own already, so judge the result as one change. Your working directory is a \
         git worktree with the branch checked out. Do not change any file.",
        input.range
    ));
    directives(&mut doc, input.directives);
    doc.section("Plan");
    doc.fenced("markdown", input.plan);
    doc.section("What to judge");
    doc.bullets([
        "The branch does what the plan set out to do, and the parts fit together.",
        "Nothing was left half done: no stray debugging, dead code or TODO that matters.",
        "The change is consistent in naming, error handling and tests across tasks.",
    ]);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_review_carries_brief_plan_and_verdict_contract() {
        let prompt = plan_review_prompt(&PlanReviewInput {
            directives: &[],
            brief: "# Brief: x\n\n## Context\nweb app\n",
            plan: "# Plan: x\n\n### [ ] T1: Do\n",
            plan_file: Path::new("plan.md"),
            result_file: Path::new("/r/result.json"),
        });
        assert!(prompt.contains("### Brief: x"), "{prompt}");
        assert!(prompt.contains("### [ ] T1: Do"), "{prompt}");
        assert!(prompt.contains("## Verdict"), "{prompt}");
    }

    #[test]
    fn the_final_review_shows_the_whole_diff() {
        let prompt = final_review_prompt(&BranchReviewInput {
            directives: &["Keep it small.".to_owned()],
            plan: "# Plan: x\n",
            range: "`aos/x` since `main`",
            diff_stat: " a | 1 +\n",
            diff: "+a\n",
            result_file: Path::new("/r/result.json"),
        });
        assert!(prompt.contains("Keep it small."), "{prompt}");
        assert!(prompt.contains("```diff\n+a\n```"), "{prompt}");
        assert!(prompt.contains("\"verdict\""), "{prompt}");
    }
}
