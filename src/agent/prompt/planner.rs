//! The planner's prompt: turn a brief (DESIGN §5.3) into a plan in the Markdown format
//! of DESIGN §5.2, written to a given file.

use std::path::Path;

use super::directives;
use super::feedback::{self, Feedback};
use super::markdown::{Doc, code};
use super::result::{self, Outputs};

/// Everything a planning prompt is built from.
#[derive(Debug, Clone)]
pub struct PlanInput<'a> {
    /// Standing instructions, from [`super::load_directives`].
    pub directives: &'a [String],
    /// The brief, as its author wrote it (already checked with `plan::check_brief`).
    pub brief: &'a str,
    /// Where the planner writes the plan.
    pub plan_file: &'a Path,
    /// Where the planner writes its result (the invocation's `AOS_RESULT`).
    pub result_file: &'a Path,
    /// What was wrong with earlier plans (check diagnostics, a reviewer's or a person's
    /// request), oldest first; empty on the first attempt.
    pub feedback: &'a [Feedback],
}

/// The plan format, shown to the planner as an example.
const EXAMPLE: &str = "# Plan: rate limiting

Context every task needs, in prose: what exists, where, and the approach.

### [ ] T1: Add the limiter module
Depends: none
Files: src/limiter.rs, src/lib.rs

What to build, in prose, precise enough for someone new to the code.

#### Acceptance
- `cargo test limiter`
- the limiter is documented

#### Outputs
- limiter_path: src/limiter.rs

#### Must not
- add dependencies

### [ ] T2: Use the limiter in the middleware
Depends: T1
Files: src/middleware.rs

Import it from ${T1.outputs.limiter_path}.

#### Acceptance
- `cargo test middleware`
";

/// Returns the prompt that asks an agent to turn a brief into a plan file, in the order:
/// preamble, directives, brief, plan format, rules, feedback on earlier plans (when
/// there is any), result contract.
pub fn plan_prompt(input: &PlanInput<'_>) -> String {
    let plan_file = code(&input.plan_file.display().to_string());
    let mut doc = Doc::new();
    doc.block(&format!(
        "You plan a change. Read the brief below and the code in your working directory, \
         then write a plan to {plan_file} that other agents will implement one task at a \
         time. Change no file but the plan."
    ));
    directives(&mut doc, input.directives);
    doc.section("Brief");
    doc.nested(input.brief, 3);

    doc.section("Plan format");
    doc.block("Write Markdown in exactly this shape:");
    doc.fenced("markdown", EXAMPLE);
    doc.bullets([
        "A task is a level-3 heading `### [ ] ID: Title`; ids match `[A-Za-z][A-Za-z0-9_-]*` \
         and are unique.",
        "Right under the heading, `Depends:` (ids, comma-separated, or `none`) and `Files:` \
         (the files the task may change). Dependencies must not form a cycle.",
        "`#### Acceptance` lists what must hold when the task is done: a list item with a \
         code span is a shell command git aos runs itself (it must exit 0); one without is a \
         criterion a reviewer judges. Give every task at least one command.",
        "`#### Outputs` lists `name: value` pairs a later task can use as \
         `${ID.outputs.name}`; only a task that depends on ID may use them, and never the \
         plan context.",
        "`#### Must not`, `#### Steps` and `#### References` are optional lists.",
    ]);

    doc.section("Rules");
    doc.bullets([
        "Each task is one reviewable commit that leaves the tests passing.",
        "Order tasks so each one's dependencies come first.",
        "Cover every success criterion of the brief with an acceptance item.",
        "Respect every constraint of the brief; repeat the ones a task could break under its \
         `Must not`.",
    ]);

    if !input.feedback.is_empty() {
        doc.section("Feedback on earlier plans");
        doc.block(&format!(
            "The plan in {plan_file} was sent back. Rewrite it so that none of this applies:"
        ));
        feedback::render(&mut doc, input.feedback);
    }

    result::contract(
        &mut doc,
        input.result_file,
        Outputs::None,
        "The plan in a few sentences.",
    );
    doc.block(
        "If the brief leaves something open that changes the plan, do not guess: ask a \
         question with status `blocked` instead.",
    );
    doc.finish()
}
