//! Refusals that keep work safe: merge never overwrites ignored files, a stale index lock
//! is found and cleared, a closed stderr never panics, reviewers do not review their own
//! attempt, and malformed input is refused before it reaches a run.

use std::process::{Command, Stdio};

use super::common::{Repo, hermetic, stderr, stdout};
use super::{plan, setup, tip, tip_note};

#[test]
fn merge_refuses_to_overwrite_an_ignored_file_in_the_checkout_of_base() {
    let repo = Repo::new();
    std::fs::write(repo.path(".gitignore"), ".env\n").unwrap();
    // The workstream stops ignoring `.env` and adds one of its own.
    let script = "printf 'TOKEN=placeholder\\n' > .env\nprintf '' > .gitignore";
    setup(&repo, "", &plan(script, "test -f .env", None));
    std::fs::write(repo.path(".env"), "TOKEN=the-real-secret\n").unwrap();
    assert!(repo.aos(&["run", "w"]).status.success());
    let main = tip(&repo, "main");
    let out = repo.aos(&["merge", "w"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("would overwrite files git ignores"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains(".env"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(repo.path(".env")).unwrap(),
        "TOKEN=the-real-secret\n"
    );
    assert_eq!(tip(&repo, "main"), main);
    // Moved away, the merge goes through.
    std::fs::rename(repo.path(".env"), repo.tmp.path().join("saved.env")).unwrap();
    let out = repo.aos(&["merge", "w"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_stale_index_lock_is_reported_then_cleared_when_nothing_runs() {
    let repo = Repo::new();
    setup(&repo, "", &plan("echo a > a.txt", "test -f a.txt", None));
    let lock = repo.root.join(".git/worktrees/w/index.lock");
    std::fs::write(&lock, "").unwrap();
    let fsck = repo.aos(&["fsck"]);
    assert_eq!(fsck.status.code(), Some(1), "{}", stderr(&fsck));
    assert!(stdout(&fsck).contains("stale_index_lock") || stderr(&fsck).contains("index.lock"));
    let doctor = repo.aos(&["doctor"]);
    assert!(stdout(&doctor).contains("index.lock") || stderr(&doctor).contains("index.lock"));
    let out = repo.aos(&["run", "w"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("left by a git command that was killed"),
        "{}",
        stderr(&out)
    );
    assert!(!lock.exists());
}

#[test]
fn a_closed_or_full_stderr_never_panics_not_even_in_a_hook() {
    let repo = Repo::new();
    setup(&repo, "", &plan("echo a > a.txt", "test -f a.txt", None));
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_git-aos"));
    cmd.args(["status", "nosuch"])
        .current_dir(&repo.root)
        .stderr(full());
    hermetic(&mut cmd, repo.tmp.path());
    assert_eq!(
        cmd.status().unwrap().code(),
        Some(1),
        "an error, not a panic"
    );
    let mut cmd = Command::new("sh");
    cmd.args(["-c", "git-aos list 2>&-"])
        .current_dir(&repo.root);
    hermetic(&mut cmd, repo.tmp.path());
    assert_eq!(cmd.status().unwrap().code(), Some(0));
    // Inside a hook: a person's commit in the worktree goes through.
    repo.aos_ok(&["hooks", "install"]);
    let wt = repo.worktree("w");
    std::fs::write(wt.join("mine.txt"), "mine\n").unwrap();
    repo.cmd_in(&wt, "git", &["add", "mine.txt"]);
    let mut cmd = Command::new("git");
    cmd.args(["commit", "-q", "--no-verify", "-m", "by hand"])
        .current_dir(&wt)
        .stderr(full())
        .stdout(Stdio::null());
    hermetic(&mut cmd, repo.tmp.path());
    assert!(cmd.status().unwrap().success());
}

/// A repository whose implement role is `claude` then `codex` (fakes), where claude
/// fails and codex implements; `review` as given.
fn fallback(repo: &Repo, review: &str) {
    let dir = repo.agent_io();
    let claude = dir.join("claude.txt");
    let codex = dir.join("codex.txt");
    // Reviewers run read-only: their verdict is their final message.
    std::fs::write(&claude, "emit is_error boom\n---\nemit success {\"verdict\":\"approve\",\"summary\":\"claude approves\",\"comments\":[]}\n").unwrap();
    std::fs::write(&codex, "write T1.txt made by codex\nresult {\"status\":\"done\",\"summary\":\"wrote it\"}\nemit success done\n---\nemit success {\"verdict\":\"approve\",\"summary\":\"codex approves\",\"comments\":[]}\n").unwrap();
    let calls = dir.join("calls.jsonl");
    let toml = format!(
        "[project]\nbase = \"main\"\n{}\n[agents.claude]\nadapter = \"claude\"\nenv = {{ FAKE_AGENT_SCENARIO = \"{}\", FAKE_AGENT_RECORD = \"{}\" }}\n\n[agents.codex]\nadapter = \"codex\"\nenv = {{ FAKE_AGENT_SCENARIO = \"{}\", FAKE_AGENT_RECORD = \"{}\" }}\n\n[roles]\nimplement = [\"claude\", \"codex\"]\nreview = {review}\n\n[profiles.default]\nautonomy = \"autonomous\"\n\n[notify]\ndesktop = false\n",
        repo.allow_agent_io(),
        claude.display(),
        calls.display(),
        codex.display(),
        calls.display()
    );
    std::fs::write(repo.path("aos.toml"), toml).unwrap();
    std::fs::write(
        repo.path("plan.md"),
        "# Plan: p\n\n### [ ] T1: One\n\n#### Acceptance\n- `test -f T1.txt`\n",
    )
    .unwrap();
    repo.git(&["add", "."]);
    repo.git(&["commit", "-q", "-m", "aos"]);
    repo.aos_ok(&["new", "w", "--plan", "plan.md"]);
}

/// Returns (agent, role) of every recorded call.
fn calls(repo: &Repo) -> Vec<(String, String)> {
    std::fs::read_to_string(repo.agent_io().join("calls.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|v| {
            (
                v["env"]["AOS_AGENT"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                v["env"]["AOS_ROLE"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[test]
fn the_fallback_agent_does_not_review_its_own_attempt_when_another_reviewer_is_named() {
    let repo = Repo::new();
    fallback(&repo, "[\"codex\", \"claude\"]");
    let out = repo.aos(&["run", "w"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let reviews: Vec<String> = calls(&repo)
        .into_iter()
        .filter(|(_, role)| role == "review")
        .map(|(agent, _)| agent)
        .collect();
    assert_eq!(reviews, ["claude"]);
    let note = tip_note(&repo);
    assert!(note.contains("agent: codex"), "{note}");
    assert!(!note.contains("self-review"), "{note}");
}

#[test]
fn an_agent_that_is_the_only_reviewer_reviews_itself_in_a_fresh_session_and_says_so() {
    let repo = Repo::new();
    fallback(&repo, "\"codex\"");
    let out = repo.aos(&["run", "w"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let note = tip_note(&repo);
    assert!(note.contains("review: self-review"), "{note}");
    let reviews: Vec<String> = calls(&repo)
        .into_iter()
        .filter(|(_, role)| role == "review")
        .map(|(agent, _)| agent)
        .collect();
    assert_eq!(reviews, ["codex"]);
}

#[test]
fn malformed_input_is_refused_before_it_reaches_a_run() {
    let repo = Repo::new();
    std::fs::write(repo.path("aos.toml"), "[project]\nbase = \"main\"\n").unwrap();
    let bad = [
        ("glob.md", "Files: src/[\n", "not a valid path or glob"),
        ("agent.md", "Agent: nosuch\n", "does not define"),
        ("deps.md", "Depends: T0, , T0\n", "empty entry"),
    ];
    for (file, key, says) in bad {
        let text = format!(
            "# Plan: bad\n\n### [ ] T0: Zero\n\n#### Acceptance\n- `true`\n\n### [ ] T1: One\n{key}\n#### Acceptance\n- `true`\n"
        );
        std::fs::write(repo.path(file), text).unwrap();
        let out = repo.aos(&["plan", "check", file]);
        assert_eq!(out.status.code(), Some(1), "{file}");
        assert!(stderr(&out).contains(says), "{file}: {}", stderr(&out));
        let out = repo.aos(&["new", "x", "--plan", file]);
        assert_eq!(out.status.code(), Some(1), "{file}");
        assert!(stderr(&out).contains(says), "{file}: {}", stderr(&out));
    }
    std::fs::write(
        repo.path("nul.md"),
        "# Plan: n\n\n### [ ] T1: One\n\n#### Acceptance\n- `echo a\0b`\n",
    )
    .unwrap();
    let out = repo.aos(&["plan", "check", "nul.md"]);
    assert!(stderr(&out).contains("NUL byte"), "{}", stderr(&out));
    for name in ["nul", "con", "com1"] {
        let out = repo.aos(&["new", name]);
        assert_eq!(out.status.code(), Some(1), "{name}");
        assert!(stderr(&out).contains("device name"), "{}", stderr(&out));
    }
    assert!(
        repo.git(&["for-each-ref", "refs/aos/"]).is_empty(),
        "nothing was created"
    );
    repo.aos_ok(&["new", "w"]);
    let out = repo.aos(&["clarify", "ask", "w", ""]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let out = repo.aos(&["run", "w", "--max-parallel", "0"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("at least 1"), "{}", stderr(&out));
}
