//! Snapshots of every prompt on the full plan fixture, and the rules around them:
//! unresolved outputs, directives from `AGENTS.md`.

use std::collections::BTreeMap;
use std::path::Path;

use super::*;
use crate::agent::{ReviewComment, ReviewVerdict, Severity, Verdict};
use crate::plan::{Plan, check};

const FULL: &str = include_str!("../../../tests/fixtures/plans/valid-full.md");
const RESULT: &str = "/scratch/run-1/result.json";

fn plan() -> Plan {
    check(FULL, "plan.md").unwrap().plan
}

fn id(s: &str) -> TaskId {
    s.parse().unwrap()
}

fn outputs() -> BTreeMap<TaskId, BTreeMap<String, String>> {
    let pairs = |p: &[(&str, &str)]| {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    BTreeMap::from([
        (
            id("T1"),
            pairs(&[("limiter_path", "src/limiter.rs"), ("type_name", "Limiter")]),
        ),
        (
            id("COMMIT-TF-001"),
            pairs(&[("config_key", "limits.per_minute")]),
        ),
    ])
}

fn input<'a>(
    plan: &'a Plan,
    task: &str,
    outputs: &'a BTreeMap<TaskId, BTreeMap<String, String>>,
) -> PromptInput<'a> {
    PromptInput {
        role: Role::Implement,
        directives: Vec::new(),
        plan_title: &plan.title,
        plan_context: &plan.context,
        task: plan.find_task(&id(task)).unwrap(),
        outputs,
        memory: Memory::default(),
        feedback: Vec::new(),
        attempt: 1,
        result_file: Path::new(RESULT),
    }
}

#[test]
fn a_first_attempt_has_only_the_sections_it_needs() {
    let (plan, outputs) = (plan(), BTreeMap::new());
    let prompt = implement_prompt(&input(&plan, "T4", &outputs)).unwrap();
    insta::assert_snapshot!(prompt);
}

#[test]
fn a_retry_carries_every_section_in_order() {
    let (plan, outputs) = (plan(), outputs());
    let mut input = input(&plan, "T2", &outputs);
    input.directives = vec![
        "Run `cargo fmt` before you stop.".into(),
        "# Agents\n\nKeep files under 300 lines.".into(),
    ];
    input.memory = Memory {
        learnings: "- the middleware stack is in `src/middleware.rs`\n".into(),
        decisions: "- limits are per API key\n".into(),
        issues: String::new(),
    };
    input.attempt = 3;
    input.feedback = vec![
        Feedback::TestFailure {
            command: "cargo test middleware".into(),
            exit_code: Some(101),
            output: "running 2 tests\ntest over_limit ... FAILED\n```\nassertion failed: status == 429\n".into(),
        },
        Feedback::Review(ReviewVerdict {
            verdict: Verdict::RequestChanges,
            summary: "The limiter is created per request.".into(),
            comments: vec![
                ReviewComment {
                    severity: Severity::High,
                    path: Some("src/middleware.rs".into()),
                    line: Some(14),
                    message: "Build the limiter once, in `new`.".into(),
                },
                ReviewComment {
                    severity: Severity::Low,
                    path: None,
                    line: None,
                    message: "Name the constant.".into(),
                },
            ],
        }),
        Feedback::Clarification {
            question: "Per key or per IP?".into(),
            answer: "Per API key.".into(),
            answered_by: "Ada Tester".into(),
        },
        Feedback::Qa {
            reasons: vec!["`src/server.rs` is outside the declared files".into()],
        },
        Feedback::Rejection {
            by: "Ada Tester".into(),
            text: "Return a `Retry-After` header too.".into(),
        },
    ];
    let prompt = implement_prompt(&input).unwrap();
    insta::assert_snapshot!(prompt);
}

#[test]
fn the_tests_stage_asks_for_failing_tests() {
    let (plan, outputs) = (plan(), BTreeMap::new());
    let mut input = input(&plan, "T1", &outputs);
    input.role = Role::Tests;
    let prompt = implement_prompt(&input).unwrap();
    assert_eq!(tests_prompt(&input).unwrap(), prompt);
    insta::assert_snapshot!(prompt);
}

#[test]
fn an_unresolved_output_is_an_error_naming_it() {
    let plan = plan();
    let mut partial = outputs();
    partial.remove(&id("COMMIT-TF-001"));
    let err = implement_prompt(&input(&plan, "T2", &partial)).unwrap_err();
    assert!(
        matches!(&err, plan::Error::UnresolvedOutput { name, .. } if name == "config_key"),
        "{err}"
    );
}

#[test]
fn the_review_prompt_asks_for_the_verdict_json() {
    let (plan, outputs) = (plan(), outputs());
    let task = plan.find_task(&id("T2")).unwrap();
    let criteria: Vec<String> = task.criteria().map(str::to_owned).collect();
    let directives = vec!["Run `cargo fmt` before you stop.".to_owned()];
    let prompt = review_prompt(&ReviewInput {
        directives: &directives,
        plan_title: &plan.title,
        task,
        outputs: &outputs,
        diff_stat: " src/middleware.rs | 3 ++-\n 1 file changed, 2 insertions(+), 1 deletion(-)\n",
        diff: "diff --git a/src/middleware.rs b/src/middleware.rs\n--- a/src/middleware.rs\n+++ b/src/middleware.rs\n@@ -1,2 +1,3 @@\n-use a;\n+use crate::limiter::Limiter;\n+use a;\n",
        test_summary: "- `cargo test` passed\n- `cargo test middleware` passed",
        criteria: &criteria,
        result_file: Path::new(RESULT),
    });
    insta::assert_snapshot!(prompt);
}

#[test]
fn a_huge_diff_is_capped() {
    let plan = plan();
    let outputs = BTreeMap::new();
    let diff = "+line\n".repeat(DIFF_MAX);
    let prompt = review_prompt(&ReviewInput {
        directives: &[],
        plan_title: &plan.title,
        task: plan.find_task(&id("T4")).unwrap(),
        outputs: &outputs,
        diff_stat: "",
        diff: &diff,
        test_summary: "",
        criteria: &[],
        result_file: Path::new(RESULT),
    });
    assert!(prompt.len() < DIFF_MAX + 8 * 1024, "{}", prompt.len());
    assert!(prompt.contains("more lines,"));
}

#[test]
fn the_plan_prompt_shows_the_format_and_the_brief() {
    let brief = include_str!("../../../tests/fixtures/briefs/valid.md");
    let prompt = plan_prompt(&PlanInput {
        directives: &[],
        brief,
        plan_file: Path::new("/repo/plan.md"),
        result_file: Path::new(RESULT),
        feedback: &[],
    });
    insta::assert_snapshot!(prompt);
}

#[test]
fn the_plan_prompt_carries_feedback_on_earlier_plans_before_the_result() {
    let brief = include_str!("../../../tests/fixtures/briefs/valid.md");
    let feedback = [Feedback::Refused {
        what: "The plan did not pass `git aos plan check`".into(),
        reasons: vec!["plan.md:9: error: task `T2` depends on `T9`".into()],
    }];
    let prompt = plan_prompt(&PlanInput {
        directives: &[],
        brief,
        plan_file: Path::new("/repo/plan.md"),
        result_file: Path::new(RESULT),
        feedback: &feedback,
    });
    let at = |s: &str| {
        prompt
            .find(s)
            .unwrap_or_else(|| panic!("no `{s}` in {prompt}"))
    };
    assert!(at("## Feedback on earlier plans") < at("### The plan did not pass"));
    assert!(at("- plan.md:9: error: task `T2` depends on `T9`") < at("## Result"));
}

#[test]
fn directives_come_from_the_config_then_agents_md() {
    let dir = tempfile::tempdir().unwrap();
    let configured = vec!["  use tabs ".to_owned(), " ".to_owned()];
    assert_eq!(load_directives(dir.path(), &configured), ["use tabs"]);
    std::fs::write(dir.path().join(AGENTS_FILE), "# Rules\n\nNo unwrap.\n").unwrap();
    assert_eq!(
        load_directives(dir.path(), &configured),
        ["use tabs", "# Rules\n\nNo unwrap."]
    );
}

#[test]
fn an_adhoc_prompt_is_the_text_then_the_result_contract() {
    let prompt = adhoc_prompt("Say hello.", Path::new(RESULT));
    assert!(prompt.starts_with("Say hello.\n\n## Result\n"), "{prompt}");
    assert!(prompt.contains("`outputs`: nothing is promised; leave it empty."));
    assert!(prompt.ends_with("with status `blocked` instead.\n"));
}
