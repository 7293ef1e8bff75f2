//! `git aos agent try` end to end with the fake claude and codex: a prompt in a scratch
//! worktree, a workstream's task, a failing agent, and secrets kept out of the live log.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{Repo, hermetic, stderr, stdout};
use git_aos::ids::{TaskId, WorkstreamName};
use git_aos::store::{Event, Store};

const PLAN: &str = "# Plan: greet

Say hello politely.

### [ ] T1: Write the greeting
Files: hello.txt

Write a greeting to `hello.txt`.

#### Acceptance
- `test -f hello.txt`

#### Outputs
- file: hello.txt

### [ ] T2: Shout it
Depends: T1

Print ${T1.outputs.file} in capitals.

#### Acceptance
- the greeting is loud
";

/// Runs `git aos …` hermetically with extra environment variables.
fn aos_env(repo: &Repo, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new("git");
    cmd.arg("aos").args(args).current_dir(&repo.root);
    hermetic(&mut cmd, repo.tmp.path());
    cmd.envs(env.iter().copied());
    cmd.output().unwrap()
}

/// Returns the calls the fakes recorded, one JSON object each.
fn records(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Returns a repository whose `aos.toml` defines the fake claude (and `extra`).
fn repo_with_claude(extra: &str) -> Repo {
    let repo = Repo::new();
    let allow = repo.allow_agent_io();
    std::fs::write(
        repo.path("aos.toml"),
        format!("[project]\n{allow}\n[agents.claude]\n{extra}"),
    )
    .unwrap();
    repo
}

fn scenario(repo: &Repo, text: &str) -> String {
    let file = repo.agent_io().join("scenario.txt");
    std::fs::write(&file, text).unwrap();
    file.display().to_string()
}

#[test]
fn a_prompt_runs_in_a_scratch_worktree_that_is_removed_afterwards() {
    let repo = repo_with_claude("");
    let record = repo.agent_io().join("record.jsonl");
    let record_env = record.display().to_string();
    let env = [("FAKE_AGENT_RECORD", record_env.as_str())];
    let out = aos_env(
        &repo,
        &["agent", "try", "claude", "--prompt", "Say hi."],
        &env,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("outcome   proceed (error class: none)"),
        "{text}"
    );
    assert!(text.contains("result    done"), "{text}");
    assert!(text.contains("summary   fake agent did nothing"), "{text}");

    let calls = records(&record);
    assert_eq!(calls.len(), 1);
    let cwd = calls[0]["cwd"].as_str().unwrap();
    assert_ne!(Path::new(cwd), repo.root);
    assert!(!Path::new(cwd).exists(), "the scratch worktree is gone");
    let stdin = calls[0]["stdin"].as_str().unwrap();
    assert!(stdin.starts_with("Say hi.\n\n## Result\n"), "{stdin}");
    assert_eq!(
        repo.git(&["worktree", "list", "--porcelain"])
            .matches("worktree ")
            .count(),
        1,
        "git forgot the scratch worktree"
    );
    let log = std::fs::read_to_string(repo.path(".git/aos/live/try.log")).unwrap();
    assert!(
        log.starts_with("# git-aos: claude (claude, implement)"),
        "{log}"
    );
}

#[test]
fn json_prints_the_normalized_outcome_of_codex() {
    let repo = Repo::new();
    std::fs::write(repo.path("aos.toml"), "[agents.codex]\n").unwrap();
    let out = repo.aos(&["agent", "try", "codex", "--prompt", "Say hi.", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["next_action"], "proceed");
    assert_eq!(json["error_class"], "none");
    assert_eq!(json["result"]["status"], "done");
    assert_eq!(json["usage"]["output_tokens"], 122);
    assert!(json["session_id"].is_string());
}

#[test]
fn an_agent_that_fails_exits_1_with_its_reason() {
    let repo = repo_with_claude("");
    let file = scenario(&repo, "emit is_error the model refused\n");
    let env = [("FAKE_AGENT_SCENARIO", file.as_str())];
    let out = aos_env(&repo, &["agent", "try", "claude", "--prompt", "x"], &env);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("outcome   retry (error class: agent)"));
    let err = stderr(&out);
    assert!(
        err.contains("error: agent `claude` gave no usable result: `claude` exited with code 1"),
        "{err}"
    );
    assert!(err.contains("hint: read what it printed in"), "{err}");
}

#[test]
fn a_task_gets_its_implement_prompt_in_the_workstream_worktree() {
    let repo = repo_with_claude("");
    let plan = repo.tmp.path().join("plan.md");
    std::fs::write(&plan, PLAN).unwrap();
    repo.aos_ok(&["new", "demo", "--plan", plan.to_str().unwrap()]);
    let record = repo.agent_io().join("record.jsonl");
    let record_env = record.display().to_string();
    let file = scenario(
        &repo,
        "write hello.txt hello\nresult {\"status\":\"done\",\"summary\":\"wrote it\",\"outputs\":{\"file\":\"hello.txt\"}}\nemit success ok\n",
    );
    let env = [
        ("FAKE_AGENT_RECORD", record_env.as_str()),
        ("FAKE_AGENT_SCENARIO", file.as_str()),
    ];

    // T2 needs T1's output, which no run has recorded yet.
    let out = aos_env(
        &repo,
        &["agent", "try", "claude", "--ws", "demo", "--task", "T2"],
        &env,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("`${T1.outputs.file}` is not resolved"),
        "{}",
        stderr(&out)
    );

    let out = aos_env(
        &repo,
        &["agent", "try", "claude", "--ws", "demo", "--task", "T1"],
        &env,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("summary   wrote it"));
    let worktree = repo.worktree("demo");
    assert_eq!(
        std::fs::read_to_string(worktree.join("hello.txt")).unwrap(),
        "hello"
    );
    let calls = records(&record);
    let call = calls.last().unwrap();
    assert_eq!(Path::new(call["cwd"].as_str().unwrap()), worktree);
    assert_eq!(call["env"]["AOS_TASK"], "T1");
    let stdin = call["stdin"].as_str().unwrap();
    assert!(
        stdin.starts_with("You implement task T1 of the plan \"greet\"."),
        "{stdin}"
    );
    assert!(stdin.contains("## Task T1: Write the greeting"), "{stdin}");

    // With T1's output and some memory in the state, T2's prompt carries both.
    let store = Store::discover(&repo.root).unwrap();
    let name: WorkstreamName = "demo".parse().unwrap();
    let t1: TaskId = "T1".parse().unwrap();
    store
        .update(&name, &Event::new("test", "record T1"), |tx| {
            let mut tasks = tx.tasks()?;
            if let Some(t) = tasks.get_mut(&t1) {
                t.outputs.insert("file".into(), "hello.txt".into());
            }
            tx.set_tasks(&tasks)?;
            tx.put("memory/learnings.md", "- greetings go in text files\n");
            Ok(())
        })
        .unwrap();
    let out = aos_env(
        &repo,
        &["agent", "try", "claude", "--ws", "demo", "--task", "T2"],
        &env,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let calls = records(&record);
    let stdin = calls.last().unwrap()["stdin"].as_str().unwrap();
    assert!(stdin.contains("Print hello.txt in capitals."), "{stdin}");
    assert!(stdin.contains("## Memory"), "{stdin}");
    assert!(stdin.contains("- greetings go in text files"), "{stdin}");
}

#[test]
fn secrets_never_reach_the_live_log() {
    let repo = repo_with_claude("[secrets]\nenv = [\"DEMO_TOKEN\"]\n");
    let file = scenario(&repo, "print-env DEMO_TOKEN\nemit success done\n");
    let env = [
        ("FAKE_AGENT_SCENARIO", file.as_str()),
        ("DEMO_TOKEN", "tok-1234567890"),
    ];
    let out = aos_env(&repo, &["agent", "try", "claude", "--prompt", "x"], &env);
    // The scenario writes no result: the run counts as failed, but it ran.
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let log = std::fs::read_to_string(repo.path(".git/aos/live/try.log")).unwrap();
    assert!(log.contains("DEMO_TOKEN is ***"), "{log}");
    assert!(!log.contains("tok-1234567890"), "{log}");
    assert!(!stdout(&out).contains("tok-1234567890"));
}
