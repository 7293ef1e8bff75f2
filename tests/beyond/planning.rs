//! Planning from a brief: refused briefs, the plan gate, invalid plans sent back, and a
//! planner that never gets it right.

use crate::common::{self, Repo, stderr};
use crate::{APPROVE, AUTONOMOUS, Agents, IMPLEMENT, PLANNED, prompts, setup, status, tasks};

const BRIEF: &str = "# Brief: Friendly greeting\n\n## Feature / Change\nGreet people.\n\n## Context\nA tiny repository.\n\n## Constraints\n- no dependencies\n\n## Success Criteria\n- `T1.txt` exists\n";
const VALID_PLAN: &str = "# Plan: greeting\\n\\nSay hello.\\n\\n### [ ] T1: Greet\\nDepends: none\\n\\n#### Acceptance\\n- `test -f T1.txt`\\n- the greeting is friendly\\n";

fn write_plan(text: &str) -> String {
    format!("write plan.md {text}\n{PLANNED}")
}

#[test]
fn a_brief_without_constraints_is_refused_before_any_agent_starts() {
    let repo = Repo::new();
    let brief = BRIEF.replace("## Constraints\n- no dependencies\n\n", "");
    let agents = Agents {
        planner: &write_plan(VALID_PLAN),
        ..Agents::default()
    };
    setup(&repo, AUTONOMOUS, &agents, &[("brief.md", &brief)]);
    let before = repo.refs();
    let out = repo.aos(&["plan", "new", "--brief", "brief.md"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("`Constraints`"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("nothing was created"),
        "{}",
        stderr(&out)
    );
    assert!(prompts(&repo, "plan").is_empty(), "no agent may run");
    assert!(!repo.agent_io().join("calls.jsonl").exists());
    assert_eq!(repo.refs(), before, "nothing is written");
    assert!(!repo.worktree("friendly-greeting").exists());
}

#[test]
fn a_brief_becomes_a_reviewed_plan_that_waits_for_approval_then_runs() {
    let repo = Repo::new();
    let agents = Agents {
        planner: &write_plan(VALID_PLAN),
        implement: IMPLEMENT,
        review: APPROVE,
        ..Agents::default()
    };
    setup(&repo, AUTONOMOUS, &agents, &[("brief.md", BRIEF)]);
    let out = repo.aos(&["plan", "new", "--brief", "brief.md"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let wt = repo.worktree("friendly-greeting");
    let plan_file = wt.join("plan.md");
    assert_eq!(common::stdout(&out).trim(), plan_file.display().to_string());
    repo.aos_ok(&["plan", "check", plan_file.to_str().unwrap()]);
    let plan = prompts(&repo, "plan");
    assert_eq!(plan.len(), 1);
    assert!(plan[0].contains("Greet people."), "{}", plan[0]);
    let review = prompts(&repo, "review");
    assert_eq!(review.len(), 1, "the reviewer reads the plan");
    assert!(review[0].contains("### [ ] T1: Greet"), "{}", review[0]);

    let s = status(&repo, "friendly-greeting");
    assert_eq!(s["status"], "awaiting_review");
    assert_eq!(s["plan_path"], "plan.md");
    assert_eq!(
        tasks(&repo, "friendly-greeting"),
        [("T1".into(), "pending".into())]
    );
    let state_plan = repo.git(&["show", "refs/aos/ws/friendly-greeting:plan.md"]);
    assert!(state_plan.contains("### [ ] T1: Greet"), "{state_plan}");

    // Waiting for approval: run implements nothing.
    assert_eq!(
        repo.aos(&["run", "friendly-greeting"]).status.code(),
        Some(3)
    );
    assert!(prompts(&repo, "implement").is_empty());
    repo.aos_ok(&["approve", "friendly-greeting"]);
    let out = repo.aos(&["run", "friendly-greeting"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(prompts(&repo, "implement").len(), 1);
    assert_eq!(status(&repo, "friendly-greeting")["status"], "complete");
    let committed = repo.git(&["show", "aos/friendly-greeting:plan.md"]);
    assert!(committed.contains("### [x] T1: Greet"), "{committed}");
    // The report counts the planner and the plan's reviewer too.
    let out = repo.aos_ok(&["report", "friendly-greeting", "--json"]);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["invocations"]["plan"], 1, "{report}");
    assert_eq!(
        report["invocations"]["review"], 2,
        "plan and task: {report}"
    );
}

#[test]
fn an_invalid_plan_goes_back_to_the_planner_with_the_diagnostics() {
    let repo = Repo::new();
    let invalid = "# Plan: bad\\n\\n### [ ] T1: Greet\\nDepends: T9\\n\\n#### Acceptance\\n- `test -f T1.txt`\\n";
    let planner = format!("{}---\n{}", write_plan(invalid), write_plan(VALID_PLAN));
    let agents = Agents {
        planner: &planner,
        implement: IMPLEMENT,
        review: APPROVE,
        ..Agents::default()
    };
    setup(&repo, AUTONOMOUS, &agents, &[("brief.md", BRIEF)]);
    let out = repo.aos(&["plan", "new", "--brief", "brief.md", "--ws", "g"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let plan = prompts(&repo, "plan");
    assert_eq!(plan.len(), 2);
    assert!(!plan[0].contains("T9"), "{}", plan[0]);
    assert!(
        plan[1].contains("did not pass `git aos plan check`")
            && plan[1].contains("`T1` depends on `T9`, which is not in the plan"),
        "{}",
        plan[1]
    );
    assert_eq!(
        prompts(&repo, "review").len(),
        1,
        "only a valid plan is reviewed"
    );

    // Rejected: the planner hears the person at the next run.
    repo.aos_ok(&["reject", "g", "-f", "say hello twice"]);
    assert!(tasks(&repo, "g").is_empty());
    assert_eq!(repo.aos(&["run", "g"]).status.code(), Some(3));
    let plan = prompts(&repo, "plan");
    assert_eq!(plan.len(), 3);
    assert!(plan[2].contains("say hello twice"), "{}", plan[2]);
}

#[test]
fn a_planner_out_of_attempts_fails_and_a_fixed_plan_file_can_be_approved() {
    let repo = Repo::new();
    let invalid = "# Plan: bad\\n\\n### [ ] T1: Greet\\nDepends: T9\\n";
    let extra = format!("{AUTONOMOUS}max_attempts = 2\n");
    let agents = Agents {
        planner: &write_plan(invalid),
        review: APPROVE,
        ..Agents::default()
    };
    setup(&repo, &extra, &agents, &[("brief.md", BRIEF)]);
    let out = repo.aos(&["plan", "new", "--brief", "brief.md", "--ws", "g"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no valid plan in 2 attempts"),
        "{}",
        stderr(&out)
    );
    assert_eq!(status(&repo, "g")["status"], "failed");
    assert_eq!(
        repo.aos(&["run", "g"]).status.code(),
        Some(4),
        "it stays failed"
    );
    assert_eq!(prompts(&repo, "plan").len(), 2);
    assert!(prompts(&repo, "review").is_empty());

    let file = repo.worktree("g").join("plan.md");
    let fixed = std::fs::read_to_string(&file)
        .unwrap()
        .replace("Depends: T9", "Depends: none");
    std::fs::write(&file, fixed).unwrap();
    repo.aos_ok(&["approve", "g"]);
    assert_eq!(status(&repo, "g")["status"], "active");
    assert_eq!(tasks(&repo, "g"), [("T1".to_owned(), "pending".to_owned())]);
}
