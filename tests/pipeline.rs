//! End to end: the pipeline with fake agents that print what the real CLIs print.

mod common;

use std::path::Path;

use common::{Repo, stderr, stdout};

/// A repository with `aos.toml` using fake claude agents, a plan, and a workstream `w`.
fn setup(repo: &Repo, autonomy: &str, implement: &str, review: &str, plan: &str) {
    let dir = repo.agent_io();
    std::fs::write(dir.join("impl.txt"), implement).unwrap();
    std::fs::write(dir.join("review.txt"), review).unwrap();
    let calls = dir.join("calls.jsonl");
    let toml = format!(
        r#"[project]
base = "main"
{allow}
[agents.claude]
adapter = "claude"
env = {{ FAKE_AGENT_SCENARIO = "{impl_}", FAKE_AGENT_RECORD = "{calls}" }}

[agents.critic]
adapter = "claude"
env = {{ FAKE_AGENT_SCENARIO = "{review}", FAKE_AGENT_RECORD = "{calls}" }}

[roles]
implement = ["claude"]
review = "critic"

[profiles.default]
autonomy = "{autonomy}"

[notify]
desktop = false
"#,
        impl_ = dir.join("impl.txt").display(),
        review = dir.join("review.txt").display(),
        calls = calls.display(),
        allow = repo.allow_agent_io(),
    );
    std::fs::write(repo.path("aos.toml"), toml).unwrap();
    std::fs::write(repo.path("plan.md"), plan).unwrap();
    repo.git(&["add", "."]);
    repo.git(&["commit", "-q", "-m", "aos"]);
    repo.aos_ok(&["new", "w", "--plan", "plan.md"]);
}

const IMPLEMENT: &str = "write ${AOS_TASK}.txt made by ${AOS_AGENT}\\n\nresult {\"status\":\"done\",\"summary\":\"wrote the file\",\"learnings\":[\"files are named after tasks\"]}\nemit success done\n";
const APPROVE: &str = "emit success ok\\n```aos-review\\n{\"verdict\":\"approve\",\"summary\":\"fine\",\"comments\":[]}\\n```\n";

const THREE_TASKS: &str = "# Plan: three\n\n### [ ] T1: First\n\n#### Acceptance\n- `test -f T1.txt`\n\n### [ ] T2: Second\nDepends: T1\n\n#### Acceptance\n- `test -f T2.txt`\n\n### [ ] T3: Third\nDepends: T2\n\n#### Acceptance\n- `test -f T3.txt`\n";

/// Returns the argv of every recorded call of the given role.
fn argvs(repo: &Repo, role: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(repo.agent_io().join("calls.jsonl")).unwrap_or_default();
    text.lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["env"]["AOS_ROLE"].as_str() == Some(role))
        .map(|v| {
            v["argv"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .collect()
}

/// Returns the prompts (stdin) of every recorded call of the given role.
fn prompts(repo: &Repo, role: &str) -> Vec<String> {
    let text = std::fs::read_to_string(repo.agent_io().join("calls.jsonl")).unwrap_or_default();
    text.lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["env"]["AOS_ROLE"].as_str() == Some(role))
        .map(|v| v["stdin"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn three_tasks_land_as_three_reviewed_commits_and_a_request_for_changes_is_retried() {
    let repo = Repo::new();
    let review = format!(
        "emit success changes\\n```aos-review\\n{{\"verdict\":\"request_changes\",\"summary\":\"needs work\",\"comments\":[{{\"severity\":\"high\",\"path\":\"T1.txt\",\"line\":1,\"message\":\"say hello in T1.txt\"}}]}}\\n```\n---\n{APPROVE}"
    );
    setup(&repo, "autonomous", IMPLEMENT, &review, THREE_TASKS);
    let out = repo.aos(&["run", "w"]);
    assert!(out.status.success(), "{}", stderr(&out));

    let log = repo.git(&[
        "log",
        "--format=%s%n%(trailers:key=Aos-Task,key=Aos-Workstream,key=Aos-Run)",
        "main..aos/w",
    ]);
    assert_eq!(log.matches("Aos-Workstream: w").count(), 3, "{log}");
    for t in ["T1", "T2", "T3"] {
        assert!(
            log.contains(&format!("{t}: ")) && log.contains(&format!("Aos-Task: {t}")),
            "{log}"
        );
    }
    let notes = repo.git(&["log", "--notes=aos", "--format=%N", "main..aos/w"]);
    assert_eq!(notes.matches("workstream: w").count(), 3, "{notes}");
    assert!(notes.contains("reviewer-verdict: approve"), "{notes}");
    let plan = std::fs::read_to_string(repo.worktree("w").join("plan.md")).unwrap();
    assert_eq!(plan.matches("### [x]").count(), 3, "{plan}");
    let committed_plan = repo.git(&["show", "aos/w:plan.md"]);
    assert_eq!(committed_plan.matches("### [x]").count(), 3);
    let status: serde_json::Value =
        serde_json::from_str(&repo.aos_ok(&["status", "w", "--json"])).unwrap();
    assert_eq!(status["status"], "complete");
    assert!(
        status["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["status"] == "done")
    );

    // Attempt 2 of T1 got the reviewer's comment; memory reached later prompts.
    let implement = prompts(&repo, "implement");
    assert_eq!(implement.len(), 4, "T1 twice, then T2 and T3");
    assert!(!implement[0].contains("say hello in T1.txt"));
    assert!(
        implement[1].contains("say hello in T1.txt"),
        "{}",
        implement[1]
    );
    assert!(
        implement[2].contains("files are named after tasks"),
        "{}",
        implement[2]
    );
    // The retry by the same agent resumes its session; a new task starts a fresh one.
    let argv = argvs(&repo, "implement");
    let resumes = |a: &Vec<String>| a.iter().any(|x| x == "--resume");
    assert!(!resumes(&argv[0]), "{:?}", argv[0]);
    assert!(resumes(&argv[1]), "{:?}", argv[1]);
    assert!(!resumes(&argv[2]), "{:?}", argv[2]);
    let history = repo.git(&["log", "--format=%s", "refs/aos/ws/w"]);
    assert!(
        history.contains("T1 review -> retry (attempt 1)"),
        "{history}"
    );
    repo.git(&["fsck", "--strict"]);
}

#[test]
fn a_question_blocks_until_answered_then_the_answer_reaches_the_agent() {
    let repo = Repo::new();
    let implement = format!("emit question Should the greeting be formal?\n---\n{IMPLEMENT}");
    setup(
        &repo,
        "autonomous",
        &implement,
        APPROVE,
        "# Plan: q\n\n### [ ] T1: Greet\n\n#### Acceptance\n- `test -f T1.txt`\n",
    );
    let out = repo.aos(&["run", "w"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let list = repo.aos_ok(&["clarify", "list", "--json"]);
    assert!(list.contains("Should the greeting be formal?"), "{list}");
    let status: serde_json::Value =
        serde_json::from_str(&repo.aos_ok(&["status", "w", "--json"])).unwrap();
    assert_eq!(status["status"], "blocked");
    // Still blocked: running again waits, it does not call the agent.
    assert_eq!(repo.aos(&["run", "w"]).status.code(), Some(3));
    repo.aos_ok(&["clarify", "answer", "w", "q1", "yes, formal please"]);
    let out = repo.aos(&["run", "w"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let implement = prompts(&repo, "implement");
    assert_eq!(implement.len(), 2);
    assert!(
        implement[1].contains("yes, formal please"),
        "{}",
        implement[1]
    );
    let q = repo.git(&["show", "refs/aos/ws/w:gates/clarify/q1.toml"]);
    assert!(
        q.contains("answer = \"yes, formal please\"") && q.contains("answered_by"),
        "{q}"
    );
}

#[test]
fn the_human_gate_approves_rejects_and_resets() {
    let repo = Repo::new();
    setup(
        &repo,
        "gatekeeper",
        IMPLEMENT,
        APPROVE,
        "# Plan: g\n\n### [ ] T1: Greet\n\n#### Acceptance\n- `test -f T1.txt`\n",
    );
    let out = repo.aos(&["run", "w"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        !err.contains("error:") && err.contains("waiting for a person"),
        "{err}"
    );
    let show = repo.aos_ok(&["show", "w"]);
    assert!(
        show.contains("git aos approve w") && show.contains("T1.txt"),
        "{show}"
    );

    repo.aos_ok(&["reject", "w", "-f", "use a capital letter"]);
    assert_eq!(repo.aos(&["run", "w"]).status.code(), Some(3));
    let implement = prompts(&repo, "implement");
    assert!(implement.last().unwrap().contains("use a capital letter"));

    repo.aos_ok(&["reset", "w"]);
    assert!(
        !repo.worktree("w").join("T1.txt").exists(),
        "reset discards the task's changes"
    );
    let tasks = repo.git(&["show", "refs/aos/ws/w:tasks.toml"]);
    assert!(
        tasks.contains("status = \"pending\"") && tasks.contains("attempts = 0"),
        "{tasks}"
    );

    assert_eq!(repo.aos(&["run", "w"]).status.code(), Some(3));
    repo.aos_ok(&["approve", "w"]);
    let log = repo.git(&["log", "--format=%s", "main..aos/w"]);
    assert_eq!(log.trim(), "T1: Greet");
    let note = repo.git(&["notes", "--ref=aos", "show", "aos/w"]);
    assert!(
        note.contains("approved-by: Ada Tester <ada@example.com>"),
        "{note}"
    );
    let out = repo.aos(&["run", "w"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&repo.aos(&["status", "w"])).contains("complete"));
    // Every invocation counts, the attempt the reset discarded too.
    let report: serde_json::Value =
        serde_json::from_str(&repo.aos_ok(&["report", "w", "--json"])).unwrap();
    assert_eq!(report["invocations"]["implement"], 3, "{report}");
    assert_eq!(report["invocations"]["review"], 3, "{report}");
    assert_eq!(report["tasks"][0]["runs"], 2, "{report}");
}

#[test]
fn a_failing_acceptance_is_retried_handed_to_a_fix_task_then_halts_with_exit_4() {
    let repo = Repo::new();
    setup(
        &repo,
        "autonomous",
        IMPLEMENT,
        APPROVE,
        "# Plan: f\n\n### [ ] T1: Never\n\n#### Acceptance\n- `test -f never.txt`\n",
    );
    let out = repo.aos(&["run", "w"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let status: serde_json::Value =
        serde_json::from_str(&repo.aos_ok(&["status", "w", "--json"])).unwrap();
    assert_eq!(status["status"], "failed");
    let reason = status["reason"].as_str().unwrap();
    assert!(reason.contains("test -f never.txt"), "{reason}");
    // The same failure three times stops early (plateau) — here max_attempts is 3 too;
    // a code failure then gets one fix task, which carries the work on and fails too.
    let implement = prompts(&repo, "implement");
    assert_eq!(implement.len(), 6);
    assert!(implement[2].contains("never.txt") && implement[3].contains("FIX-1"));
    let tasks = status["tasks"].as_array().unwrap();
    assert_eq!(
        (&tasks[0]["status"], &tasks[0]["fixed_by"]),
        (&"failed".into(), &"FIX-1".into())
    );
    assert_eq!(tasks[1]["status"], "failed", "a fix task that fails halts");
    let issues = repo.git(&["show", "refs/aos/ws/w:memory/issues.md"]);
    assert!(issues.contains("FIX-1 halted (code") && issues.contains("- retries: 3 attempts"));
    let plan = std::fs::read_to_string(repo.worktree("w").join("plan.md")).unwrap();
    assert!(plan.contains("### [ ] FIX-1: Finish T1: Never"), "{plan}");
    assert!(Path::new(&repo.worktree("w")).is_dir());
}

#[test]
fn eight_workstreams_run_in_parallel_and_all_complete() {
    let repo = Repo::new();
    setup(
        &repo,
        "autonomous",
        IMPLEMENT,
        APPROVE,
        "# Plan: p\n\n### [ ] T1: One\n\n#### Acceptance\n- `test -f T1.txt`\n",
    );
    for i in 2..=8 {
        repo.aos_ok(&["new", &format!("w{i}"), "--plan", "plan.md"]);
    }
    let out = repo.aos(&["run", "--loop", "--max-parallel", "4"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let list: serde_json::Value = serde_json::from_str(&repo.aos_ok(&["list", "--json"])).unwrap();
    let rows = list.as_array().unwrap();
    assert_eq!(rows.len(), 8);
    assert!(rows.iter().all(|r| r["status"] == "complete"), "{list}");
}

#[test]
fn stages_a_profile_leaves_out_are_skipped_and_say_so() {
    let repo = Repo::new();
    setup(
        &repo,
        "autonomous",
        IMPLEMENT,
        APPROVE,
        "# Plan: s\n\n### [ ] T1: One\n\n#### Acceptance\n- `false`\n",
    );
    let toml = std::fs::read_to_string(repo.path("aos.toml")).unwrap();
    let toml = toml.replace(
        "[profiles.default]\n",
        "[profiles.default]\nstages = [\"implement\", \"qa\", \"commit\"]\n",
    );
    std::fs::write(repo.path("aos.toml"), toml).unwrap();
    let out = repo.aos(&["run", "w"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        prompts(&repo, "review").is_empty(),
        "no review stage, no reviewer call"
    );
    let note = repo.git(&["notes", "--ref=aos", "show", "aos/w"]);
    assert!(
        note.contains("reviewer-verdict: skipped") && note.contains("no `test` stage"),
        "{note}"
    );
}

#[test]
fn secret_values_never_reach_any_object() {
    let repo = Repo::new();
    let implement = format!("print-env AOS_TEST_TOKEN\n{IMPLEMENT}");
    setup(
        &repo,
        "autonomous",
        &implement,
        APPROVE,
        "# Plan: s\n\n### [ ] T1: One\n\n#### Acceptance\n- `test -f T1.txt`\n",
    );
    let toml = std::fs::read_to_string(repo.path("aos.toml")).unwrap();
    std::fs::write(
        repo.path("aos.toml"),
        format!("{toml}\n[secrets]\nenv = [\"AOS_TEST_TOKEN\"]\n"),
    )
    .unwrap();
    let secret = "tok-9f8e7d6c5b4a";
    let mut cmd = std::process::Command::new("git");
    cmd.args(["aos", "run", "w"]).current_dir(&repo.root);
    common::hermetic(&mut cmd, repo.tmp.path());
    let out = cmd.env("AOS_TEST_TOKEN", secret).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    // The agent printed the secret; every stored log must have it masked.
    let log = repo.git(&["log", "--format=%H", "refs/aos/ws/w"]);
    assert!(!log.is_empty());
    let all = repo.cmd_in(
        &repo.root,
        "sh",
        &["-c", "git cat-file --batch-all-objects --batch"],
    );
    let objects = String::from_utf8_lossy(&all.stdout);
    assert!(
        objects.contains("AOS_TEST_TOKEN is ***"),
        "the masked line is stored"
    );
    assert!(
        !objects.contains(secret),
        "a secret value reached the object database"
    );
    let live = std::fs::read_to_string(repo.root.join(".git/aos/live/w.log")).unwrap_or_default();
    assert!(!live.contains(secret));
}

#[test]
fn a_task_committed_by_hand_whose_acceptance_passes_is_done_without_an_agent() {
    let repo = Repo::new();
    setup(&repo, "autonomous", IMPLEMENT, APPROVE, THREE_TASKS);
    repo.aos_ok(&["hooks", "install"]);
    let wt = repo.worktree("w");
    // T1 by hand (its acceptance passes); then work towards T2 that does not pass yet.
    std::fs::write(wt.join("T1.txt"), "by a person\n").unwrap();
    repo.cmd_in(&wt, "git", &["add", "T1.txt"]);
    let out = repo.cmd_in(&wt, "git", &["commit", "-q", "-m", "T1 by hand"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let manual = repo.git(&["rev-parse", "aos/w"]).trim().to_owned();
    std::fs::write(wt.join("notes.txt"), "thinking about T2\n").unwrap();
    repo.cmd_in(&wt, "git", &["add", "notes.txt"]);
    let out = repo.cmd_in(
        &wt,
        "git",
        &[
            "commit",
            "-q",
            "--no-verify",
            "-m",
            "T2 notes\n\nAos-Task: T2",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));

    let out = repo.aos(&["run", "w"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("T1 done by hand"), "{}", stderr(&out));
    // No agent ran for T1; T2, whose hand-made commit does not pass, went to the agent.
    let implement = prompts(&repo, "implement");
    assert_eq!(implement.len(), 2, "T2 and T3 only");
    let tasks: toml::Value =
        toml::from_str(&repo.git(&["show", "refs/aos/ws/w:tasks.toml"])).unwrap();
    assert_eq!(tasks["task"][0]["status"].as_str(), Some("done"));
    assert_eq!(tasks["task"][0]["commit"].as_str(), Some(manual.as_str()));
    assert_eq!(tasks["task"][1]["status"].as_str(), Some("done"));
    assert!(tasks["task"][1]["manual_commit"].as_str().is_some());
    assert_ne!(
        tasks["task"][1]["commit"].as_str(),
        tasks["task"][1]["manual_commit"].as_str()
    );
    let history = repo.git(&["log", "--format=%s", "refs/aos/ws/w"]);
    assert!(history.contains("T1 done by hand ->"), "{history}");
    let plan = repo.git(&["show", "refs/aos/ws/w:plan.md"]);
    assert!(plan.contains("### [x] T1"), "{plan}");
    let status: serde_json::Value =
        serde_json::from_str(&repo.aos_ok(&["status", "w", "--json"])).unwrap();
    assert_eq!(status["status"], "complete");
    repo.git(&["fsck", "--strict"]);
}
