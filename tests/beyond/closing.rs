//! After the last task: user acceptance and the final review, and how what they find
//! comes back as a fix task.

use crate::common::{Repo, stderr};
use crate::{APPROVE, AUTONOMOUS, Agents, IMPLEMENT, prompts, setup, status, tasks};

const PLAN: &str = "# Plan: u\n\n### [ ] T1: Greet\n\n#### Acceptance\n- `test -f T1.txt`\n- the greeting is friendly\n";
const CONCERNS: &str = "emit success changes\\n```aos-review\\n{\"verdict\":\"request_changes\",\"summary\":\"the branch forgets logging\",\"comments\":[{\"severity\":\"high\",\"path\":null,\"line\":null,\"message\":\"log it too\"}]}\\n```\n";

fn pair(a: &str, b: &str) -> (String, String) {
    (a.to_owned(), b.to_owned())
}

#[test]
fn user_acceptance_blocks_completion_and_a_failure_becomes_a_fix_task() {
    let repo = Repo::new();
    let extra = format!("{AUTONOMOUS}\n[uat]\nscenarios = [\"greet a new user\"]\n");
    let agents = Agents {
        implement: IMPLEMENT,
        review: APPROVE,
        ..Agents::default()
    };
    setup(&repo, &extra, &agents, &[("plan.md", PLAN)]);
    repo.aos_ok(&["new", "w", "--plan", "plan.md"]);
    let out = repo.aos(&["run", "w"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("`git aos uat pass w`"),
        "{}",
        stderr(&out)
    );
    assert_eq!(status(&repo, "w")["status"], "awaiting_uat");
    let out = repo.aos(&["run", "w"]);
    assert_eq!(out.status.code(), Some(3), "pending UAT blocks completion");
    assert!(
        stderr(&out).contains("git aos uat pass|fail w"),
        "{}",
        stderr(&out)
    );

    let list: serde_json::Value =
        serde_json::from_str(&repo.aos_ok(&["uat", "list", "--json"])).unwrap();
    assert_eq!(list[0]["workstream"], "w");
    assert_eq!(list[0]["id"], "u1");
    let req = &list[0]["requirements"][0];
    assert_eq!(req["task"], "T1");
    assert_eq!(req["criteria"][0], "the greeting is friendly");
    assert_eq!(list[0]["scenarios"][0], "greet a new user");
    let show = repo.aos_ok(&["uat", "show", "w"]);
    assert!(show.contains("- the greeting is friendly"), "{show}");

    repo.aos_ok(&["uat", "fail", "w", "--issues", "the greeting is rude"]);
    let plan = std::fs::read_to_string(repo.worktree("w").join("plan.md")).unwrap();
    assert!(
        plan.contains("### [ ] UAT-1: Fix what user acceptance found\nDepends: T1"),
        "{plan}"
    );
    assert!(plan.contains("> the greeting is rude"), "{plan}");
    assert_eq!(
        tasks(&repo, "w"),
        [pair("T1", "done"), pair("UAT-1", "pending")]
    );
    let human = repo.aos_ok(&["status", "w"]);
    assert!(
        human.contains("UAT-1: Fix what user acceptance found"),
        "{human}"
    );

    let out = repo.aos(&["run", "w"]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "a new UAT request after the fix"
    );
    let implement = prompts(&repo, "implement");
    assert_eq!(implement.len(), 2);
    assert!(
        implement[1].contains("the greeting is rude"),
        "{}",
        implement[1]
    );
    repo.aos_ok(&["uat", "pass", "w"]);
    assert_eq!(status(&repo, "w")["status"], "complete");
    let log = repo.git(&["log", "--format=%s", "main..aos/w"]);
    assert!(
        log.contains("UAT-1: Fix what user acceptance found"),
        "{log}"
    );
    let committed = repo.git(&["show", "aos/w:plan.md"]);
    assert!(committed.contains("### [x] UAT-1"), "{committed}");
    let u1 = repo.git(&["show", "refs/aos/ws/w:gates/uat/u1.toml"]);
    assert!(
        u1.contains("outcome = \"failed\"") && u1.contains("fix_task = \"UAT-1\""),
        "{u1}"
    );
    let u2 = repo.git(&["show", "refs/aos/ws/w:gates/uat/u2.toml"]);
    assert!(u2.contains("outcome = \"passed\""), "{u2}");
}

#[test]
fn the_final_review_reads_the_branch_once_and_its_concerns_become_a_fix_task() {
    let repo = Repo::new();
    let extra = "[profiles.default]\nautonomy = \"autonomous\"\nfinal_review = true\n";
    let review = format!("{APPROVE}---\n{CONCERNS}---\n{APPROVE}---\n{CONCERNS}");
    let agents = Agents {
        implement: IMPLEMENT,
        review: &review,
        ..Agents::default()
    };
    setup(&repo, extra, &agents, &[("plan.md", PLAN)]);
    repo.aos_ok(&["new", "w", "--plan", "plan.md"]);
    let out = repo.aos(&["run", "w"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let reviews = prompts(&repo, "review");
    assert_eq!(reviews.len(), 2, "T1, then the branch");
    let finals: Vec<&String> = reviews
        .iter()
        .filter(|r| r.contains("whole branch"))
        .collect();
    assert_eq!(finals.len(), 1);
    assert!(finals[0].contains("+++ b/T1.txt"), "{}", finals[0]);
    let s = status(&repo, "w");
    assert_eq!(s["status"], "awaiting_review");
    assert!(
        s["reason"].as_str().unwrap().contains("forgets logging"),
        "{s}"
    );
    assert!(
        repo.aos_ok(&["show", "w"])
            .contains("final review by critic")
    );

    repo.aos_ok(&["reject", "w", "-f", "also log the greeting"]);
    assert_eq!(
        tasks(&repo, "w"),
        [pair("T1", "done"), pair("FIX-1", "pending")]
    );
    let plan = std::fs::read_to_string(repo.worktree("w").join("plan.md")).unwrap();
    assert!(
        plan.contains("### [ ] FIX-1: Address the final review"),
        "{plan}"
    );

    let out = repo.aos(&["run", "w"]);
    assert_eq!(out.status.code(), Some(3), "the new tip is reviewed again");
    let implement = prompts(&repo, "implement");
    assert_eq!(implement.len(), 2);
    assert!(
        implement[1].contains("log it too") && implement[1].contains("also log the greeting"),
        "{}",
        implement[1]
    );
    repo.aos_ok(&["approve", "w"]);
    let out = repo.aos(&["run", "w"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(status(&repo, "w")["status"], "complete");
    assert_eq!(
        prompts(&repo, "review").len(),
        4,
        "no review after acceptance"
    );
}

#[test]
fn supervised_plan_changes_wait_at_the_plan_gate() {
    let repo = Repo::new();
    let extra = "[profiles.default]\nautonomy = \"supervised\"\n\n[uat]\n";
    let agents = Agents {
        implement: IMPLEMENT,
        review: APPROVE,
        ..Agents::default()
    };
    setup(&repo, extra, &agents, &[("plan.md", PLAN)]);
    repo.aos_ok(&["new", "w", "--plan", "plan.md"]);
    assert_eq!(repo.aos(&["run", "w"]).status.code(), Some(3));
    repo.aos_ok(&["approve", "w"]);
    assert_eq!(repo.aos(&["run", "w"]).status.code(), Some(3));
    repo.aos_ok(&["uat", "fail", "w", "--issues", "too loud"]);
    assert_eq!(status(&repo, "w")["status"], "awaiting_review");
    assert_eq!(repo.aos(&["run", "w"]).status.code(), Some(3));
    assert_eq!(
        prompts(&repo, "implement").len(),
        1,
        "the changed plan waits"
    );

    repo.aos_ok(&["reject", "w", "-f", "whisper instead"]);
    let plan = std::fs::read_to_string(repo.worktree("w").join("plan.md")).unwrap();
    assert!(
        plan.contains("> too loud") && plan.contains("adds: whisper instead"),
        "{plan}"
    );
    assert_eq!(plan.matches("UAT-1").count(), 1, "{plan}");
    repo.aos_ok(&["approve", "w"]);
    assert_eq!(
        repo.aos(&["run", "w"]).status.code(),
        Some(3),
        "UAT-1 at the human gate"
    );
    let implement = prompts(&repo, "implement");
    assert!(implement[1].contains("whisper instead"), "{}", implement[1]);
    repo.aos_ok(&["approve", "w"]);
    assert_eq!(repo.aos(&["run", "w"]).status.code(), Some(3), "UAT again");
    repo.aos_ok(&["uat", "pass", "w"]);
    assert_eq!(status(&repo, "w")["status"], "complete");
}
