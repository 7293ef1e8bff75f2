//! End to end: failures and the ways a person recovers from them without losing work —
//! alternating agents, deferred tasks and their dependents, fix tasks, halts with their
//! analysis in `memory/issues.md`, `retry`, `approve --force`, `skip`, and `max_duration`.
//! Agents are real programs: `command` agents and the built-in `shell` agent.

mod common;

use common::{Repo, stderr, stdout};
use serde_json::Value;

/// Agents the tests name: `crash` writes part of the work then dies without a result;
/// `good` finishes it; `a` and `b` write who they are; `missing` is not installed.
const AGENTS: &str = r#"[agents.crash]
adapter = "command"
command = ["sh", "-c", "echo part1 > part1.txt; exit 1"]

[agents.good]
adapter = "command"
command = ["sh", "-c", "echo part2 > part2.txt; echo fixed > fixed.txt; printf '%s' '{\"status\":\"done\",\"summary\":\"finished it\"}' > \"$AOS_RESULT\""]

[agents.a]
adapter = "command"
command = ["sh", "-c", "echo $AOS_AGENT > who.txt; printf '%s' '{\"status\":\"done\",\"summary\":\"wrote who\"}' > \"$AOS_RESULT\""]

[agents.b]
adapter = "command"
command = ["sh", "-c", "echo $AOS_AGENT > who.txt; printf '%s' '{\"status\":\"done\",\"summary\":\"wrote who\"}' > \"$AOS_RESULT\""]

[agents.missing]
adapter = "command"
command = ["no-such-agent-7f3a"]
"#;

/// Writes `aos.toml` (autonomous, no reviewer, the agents above, `implement` and the
/// profile's extra lines as given), the plan, commits both and creates workstream `w`.
fn setup(repo: &Repo, implement: &str, profile: &str, plan: &str) {
    let attempts = match profile.contains("max_attempts") {
        true => "",
        false => "max_attempts = 1\n",
    };
    let toml = format!(
        "[project]\nbase = \"main\"\n\n{AGENTS}\n[roles]\nimplement = {implement}\n\n[profiles.default]\nautonomy = \"autonomous\"\n{attempts}{profile}\n\n[notify]\ndesktop = false\n"
    );
    std::fs::write(repo.path("aos.toml"), toml).unwrap();
    std::fs::write(repo.path("plan.md"), plan).unwrap();
    repo.git(&["add", "."]);
    repo.git(&["commit", "-q", "-m", "aos"]);
    repo.aos_ok(&["new", "w", "--plan", "plan.md"]);
}

fn status(repo: &Repo) -> Value {
    serde_json::from_str(&repo.aos_ok(&["status", "w", "--json"])).unwrap()
}

fn task<'a>(status: &'a Value, id: &str) -> &'a Value {
    status["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("no task {id} in {status}"))
}

fn files_at(repo: &Repo, rev: &str) -> String {
    repo.git(&["ls-tree", "-r", "--name-only", rev])
}

#[test]
fn retries_alternate_through_the_implement_role_and_the_note_names_who_landed_it() {
    let repo = Repo::new();
    setup(
        &repo,
        "[\"a\", \"b\"]",
        "alternate = true\nmax_attempts = 2",
        "# Plan: who\n\n### [ ] T1: Write who\n\n#### Acceptance\n- `grep -q b who.txt`\n",
    );
    let out = repo.aos(&["run", "w"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let note = repo.git(&["notes", "--ref=aos", "show", "aos/w"]);
    assert!(
        note.contains("agent: b") && note.contains("attempt: 2"),
        "{note}"
    );
    let report: Value = serde_json::from_str(&repo.aos_ok(&["report", "w", "--json"])).unwrap();
    assert_eq!(report["tasks"][0]["agents"], serde_json::json!(["a", "b"]));
    assert_eq!(report["tasks"][0]["agent"], "b");
    assert_eq!(report["invocations"]["implement"], 2, "{report}");
}

#[test]
fn a_failed_task_defers_only_its_dependents_and_the_report_says_why() {
    let repo = Repo::new();
    let plan = "# Plan: defer\n\n### [ ] A: Never passes\nFiles: a.txt\n\n#### Acceptance\n- `test -f a.ok`\n\n#### Run\n```sh\necho a > a.txt\n```\n\n### [ ] B: Independent\nFiles: b.txt\n\n#### Acceptance\n- `test -f b.txt`\n\n#### Run\n```sh\necho b > b.txt\n```\n\n### [ ] C: Needs A\nDepends: A\n\n#### Acceptance\n- `true`\n\n#### Run\n```sh\necho c > c.txt\n```\n";
    setup(&repo, "[\"shell\"]", "", plan);
    let out = repo.aos(&["run", "w"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let s = status(&repo);
    assert_eq!(s["status"], "failed");
    assert_eq!(task(&s, "B")["status"], "done", "{s}");
    assert_eq!(task(&s, "A")["status"], "failed");
    assert_eq!(task(&s, "A")["fixed_by"], "FIX-1");
    assert_eq!(
        task(&s, "FIX-1")["status"],
        "failed",
        "the fix task failed too: halt"
    );
    assert_eq!(task(&s, "C")["status"], "pending");
    assert!(files_at(&repo, "aos/w").contains("b.txt"));
    let report: Value = serde_json::from_str(&repo.aos_ok(&["report", "w", "--json"])).unwrap();
    let deferred: Vec<(String, String)> = report["deferred"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["task"].as_str().unwrap().into(),
                d["why"].as_str().unwrap().into(),
            )
        })
        .collect();
    let why = |id: &str| &deferred.iter().find(|(t, _)| t == id).unwrap().1;
    assert!(
        why("A").contains("FIX-1 carries its work on"),
        "{deferred:?}"
    );
    assert!(why("FIX-1").contains("test -f a.ok"), "{deferred:?}");
    assert!(why("C").contains("waits for A (failed)"), "{deferred:?}");
    let md = repo.aos_ok(&["report", "w"]);
    assert!(
        md.contains("## Deferred") && md.contains("- C (pending): waits for A"),
        "{md}"
    );
    let issues = repo.git(&["show", "refs/aos/ws/w:memory/issues.md"]);
    assert!(issues.contains("FIX-1 halted"), "{issues}");
}

#[test]
fn a_fix_task_carries_the_failed_work_on_and_lands_it_for_both() {
    let repo = Repo::new();
    let plan = "# Plan: fix\n\n### [ ] A: Needs a second go\n\n#### Acceptance\n- `test -f a.ok`\n\n#### Run\n```sh\necho part >> a.txt\nif [ \"$AOS_TASK\" = FIX-1 ]; then echo ok > a.ok; fi\n```\n\n### [ ] C: After A\nDepends: A\n\n#### Acceptance\n- `test -f a.ok`\n\n#### Run\n```sh\necho c > c.txt\n```\n";
    setup(&repo, "[\"shell\"]", "", plan);
    let out = repo.aos(&["run", "w"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let s = status(&repo);
    assert_eq!(s["status"], "complete", "{s}");
    assert_eq!(task(&s, "A")["status"], "done");
    assert_eq!(task(&s, "A")["reason"], "done when FIX-1 landed");
    // The fix task started from A's work: A's line and its own are both there.
    assert_eq!(repo.git(&["show", "aos/w:a.txt"]), "part\npart\n");
    let plan = repo.git(&["show", "aos/w:plan.md"]);
    assert!(
        plan.contains("### [x] A:")
            && plan.contains("### [x] FIX-1:")
            && plan.contains("### [x] C:"),
        "{plan}"
    );
    let log = repo.git(&["log", "--format=%s", "main..aos/w"]);
    assert_eq!(log.lines().count(), 2, "one commit per landing: {log}");
}

#[test]
fn an_agent_that_keeps_crashing_halts_the_run_then_retry_with_another_agent_keeps_its_work() {
    let repo = Repo::new();
    setup(
        &repo,
        "[\"crash\"]",
        "",
        "# Plan: r\n\n### [ ] T1: Two parts\n\n#### Acceptance\n- `test -f part1.txt`\n- `test -f part2.txt`\n",
    );
    let out = repo.aos(&["run", "w"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let issues = repo.git(&["show", "refs/aos/ws/w:memory/issues.md"]);
    for field in [
        "T1 halted (agent)",
        "- category: agent",
        "- error: T1 failed at implement",
        "- retries: 1 attempt (agents: crash)",
        "- analysis: ",
        "- suggestion: ",
    ] {
        assert!(issues.contains(field), "{field} missing from {issues}");
    }
    let show = repo.aos_ok(&["show", "w", "T1"]);
    assert!(
        show.contains("git aos retry w T1") && show.contains("git aos approve --force w T1"),
        "{show}"
    );
    let wt = repo.worktree("w.tasks").join("T1");
    assert!(
        wt.join("part1.txt").exists(),
        "the crashed attempt's work stays"
    );
    repo.aos_ok(&[
        "retry",
        "w",
        "T1",
        "--agent",
        "good",
        "-f",
        "finish both parts",
    ]);
    let out = repo.aos(&["run", "w"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let files = files_at(&repo, "aos/w");
    assert!(
        files.contains("part1.txt") && files.contains("part2.txt"),
        "{files}"
    );
    let note = repo.git(&["notes", "--ref=aos", "show", "aos/w"]);
    assert!(note.contains("agent: good"), "{note}");
}

#[test]
fn a_missing_agent_is_an_environment_halt_with_a_dated_analysis() {
    let repo = Repo::new();
    setup(
        &repo,
        "[\"missing\"]",
        "",
        "# Plan: e\n\n### [ ] T1: Anything\n\n#### Acceptance\n- `true`\n",
    );
    let out = repo.aos(&["run", "w"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let issues = repo.git(&["show", "refs/aos/ws/w:memory/issues.md"]);
    assert!(issues.starts_with("## 20"), "dated: {issues}");
    assert!(
        issues.contains("T1 halted (env)")
            && issues.contains("- category: env")
            && issues.contains("no-such-agent-7f3a")
            && issues.contains("- suggestion: install it"),
        "{issues}"
    );
    let s = status(&repo);
    assert_eq!(s["status"], "failed");
    assert_eq!(
        task(&s, "T1")["status"],
        "running",
        "halted, not failed: run tries again"
    );
}

#[test]
fn approve_force_lands_a_failed_task_once_its_checks_pass_and_says_who_overrode_what() {
    let repo = Repo::new();
    setup(
        &repo,
        "[\"crash\"]",
        "",
        "# Plan: f\n\n### [ ] T1: Fixed by hand\n\n#### Acceptance\n- `test -f fixed.txt`\n",
    );
    assert_eq!(repo.aos(&["run", "w"]).status.code(), Some(4));
    let out = repo.aos(&["approve", "--force", "w", "T1"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("`test -f fixed.txt` fails"),
        "{}",
        stderr(&out)
    );
    std::fs::write(
        repo.worktree("w.tasks").join("T1").join("fixed.txt"),
        "by hand\n",
    )
    .unwrap();
    let out = repo.aos(&["approve", "--force", "w", "T1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let files = files_at(&repo, "aos/w");
    assert!(
        files.contains("part1.txt") && files.contains("fixed.txt"),
        "{files}"
    );
    let note = repo.git(&["notes", "--ref=aos", "show", "aos/w"]);
    assert!(
        note.contains("override: reviewer verdict `none` overridden by Ada Tester")
            && note.contains("override: T1 failed at implement")
            && note.contains("approved-by: Ada Tester"),
        "{note}"
    );
    assert!(repo.aos(&["run", "w"]).status.success());
    assert_eq!(status(&repo)["status"], "complete");
}

#[test]
fn skip_sets_a_task_aside_with_its_work_and_retry_brings_it_back_one_at_a_time() {
    let repo = Repo::new();
    let plan = "# Plan: s\n\n### [ ] A: Crashes first\n\n#### Acceptance\n- `test -f part1.txt`\n- `test -f part2.txt`\n\n### [ ] B: Independent\nAgent: good\n\n#### Acceptance\n- `test -f fixed.txt`\n\n### [ ] C: Needs A\nDepends: A\nAgent: shell\n\n#### Acceptance\n- `test -f part1.txt`\n\n#### Run\n```sh\necho c > c.txt\n```\n";
    setup(&repo, "[\"crash\"]", "parallel_tasks = 1", plan);
    assert_eq!(repo.aos(&["run", "w"]).status.code(), Some(4));
    let wt = repo.worktree("w");
    assert!(
        wt.join("part1.txt").exists(),
        "A's work is in the workstream's worktree"
    );
    repo.aos_ok(&["skip", "w", "A"]);
    assert!(
        !wt.join("part1.txt").exists(),
        "set aside, not mixed into B"
    );
    let rescued = repo.git(&["for-each-ref", "--format=%(refname)", "refs/aos/rescue/w/"]);
    assert_eq!(rescued.lines().count(), 1, "A's work is kept: {rescued}");
    let out = repo.aos(&["run", "w"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("C waits for A (skipped)"),
        "{}",
        stderr(&out)
    );
    let s = status(&repo);
    assert_eq!(task(&s, "B")["status"], "done");
    assert!(!files_at(&repo, "aos/w").contains("part1.txt"));
    repo.aos_ok(&["retry", "w", "A", "--agent", "good"]);
    let out = repo.aos(&["run", "w"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let files = files_at(&repo, "aos/w");
    assert!(
        files.contains("part1.txt") && files.contains("part2.txt"),
        "{files}"
    );
    assert_eq!(status(&repo)["status"], "complete");
}

#[test]
fn max_duration_stops_a_run_cleanly_at_a_stage_boundary_and_the_next_run_goes_on() {
    let repo = Repo::new();
    let step = |id: &str, dep: &str| {
        format!(
            "### [ ] {id}: Slow\n{dep}\n#### Acceptance\n- `test -f {id}.txt`\n\n#### Run\n```sh\nsleep 1\necho {id} > {id}.txt\n```\n\n"
        )
    };
    let plan = format!(
        "# Plan: slow\n\n{}{}{}",
        step("S1", ""),
        step("S2", "Depends: S1\n"),
        step("S3", "Depends: S2\n")
    );
    setup(&repo, "[\"shell\"]", "max_duration = \"1s\"", &plan);
    let out = repo.aos(&["run", "w"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("max_duration") && err.contains("goes on from there"),
        "{err}"
    );
    assert!(
        !err.contains("error:"),
        "a reached limit is no error: {err}"
    );
    let s = status(&repo);
    assert!(
        s["reason"].as_str().unwrap().starts_with("stopped: "),
        "{s}"
    );
    let done = s["progress"]["done"].as_u64().unwrap();
    assert!(done < 3, "{s}");
    repo.git(&["config", "aos.profiles.default.max-duration", "1h"]);
    let out = repo.aos(&["run", "w"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(status(&repo)["status"], "complete");
    assert!(stdout(&repo.aos(&["status", "w"])).contains("wave 3"));
}

#[test]
fn on_failure_halt_starts_nothing_else_until_the_failure_is_dealt_with() {
    let repo = Repo::new();
    let plan = "# Plan: halt\n\n### [ ] A: Never passes\n\n#### Acceptance\n- `test -f a.ok`\n\n#### Run\n```sh\necho a > a.txt\n```\n\n### [ ] B: Independent\n\n#### Acceptance\n- `test -f b.txt`\n\n#### Run\n```sh\necho b > b.txt\n```\n";
    setup(
        &repo,
        "[\"shell\"]",
        "on_failure = \"halt\"\nparallel_tasks = 1",
        plan,
    );
    let out = repo.aos(&["run", "w"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let s = status(&repo);
    assert_eq!(task(&s, "A")["status"], "failed");
    assert_eq!(
        task(&s, "FIX-1")["status"],
        "pending",
        "added, but the run halted"
    );
    assert_eq!(
        task(&s, "B")["status"],
        "pending",
        "halt: nothing else started"
    );
    // Setting the fix task aside leaves A's failure unhandled: still nothing starts.
    repo.aos_ok(&["skip", "w", "FIX-1"]);
    assert_eq!(repo.aos(&["run", "w"]).status.code(), Some(4));
    assert_eq!(task(&status(&repo), "B")["status"], "pending");
    repo.aos_ok(&["skip", "w", "A"]);
    let out = repo.aos(&["run", "w"]);
    assert_eq!(out.status.code(), Some(4), "A and FIX-1 stay skipped");
    assert_eq!(task(&status(&repo), "B")["status"], "done");
}
