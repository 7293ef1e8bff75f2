//! kill -9 at many moments of a run: the next run finishes the plan with exactly one
//! commit per task, and git's own fsck stays clean.

mod common;

use std::process::{Command, Stdio};
use std::time::Instant;

use common::{Repo, hermetic, stderr};

const PLAN: &str = "# Plan: k\n\n### [ ] A: First\n\n#### Acceptance\n- `test -f a.txt`\n\n#### Run\n```sh\necho a > a.txt\n```\n\n### [ ] B: Second\nDepends: A\n\n#### Acceptance\n- `test -f b.txt`\n\n#### Run\n```sh\necho b > b.txt\n```\n\n### [ ] C: Third\nDepends: B\n\n#### Acceptance\n- `grep -q a a.txt`\n\n#### Run\n```sh\necho c > c.txt\n```\n";

fn run_direct(repo: &Repo, name: &str) -> std::process::Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_git-aos"));
    cmd.args(["run", name])
        .current_dir(&repo.root)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    hermetic(&mut cmd, repo.tmp.path());
    cmd.spawn().unwrap()
}

#[test]
fn kill_9_at_twenty_moments_never_commits_a_task_twice() {
    let repo = Repo::new();
    std::fs::write(
        repo.path("aos.toml"),
        "[project]\nbase = \"main\"\n\n[profiles.default]\nautonomy = \"autonomous\"\n\n[notify]\ndesktop = false\n",
    )
    .unwrap();
    std::fs::write(repo.path("plan.md"), PLAN).unwrap();
    repo.git(&["add", "."]);
    repo.git(&["commit", "-q", "-m", "plan"]);

    // How long an uninterrupted run takes, to spread the kills over it.
    repo.aos_ok(&["new", "whole", "--plan", "plan.md"]);
    let start = Instant::now();
    assert!(run_direct(&repo, "whole").wait().unwrap().success());
    let whole = start.elapsed();

    for i in 0..20u32 {
        let name = format!("k{i}");
        repo.aos_ok(&["new", &name, "--plan", "plan.md"]);
        let mut child = run_direct(&repo, &name);
        // Not a synchronisation: the moment of the kill is the point of the test.
        std::thread::sleep(whole.mul_f64((f64::from(i) + 0.5) / 20.0));
        let _ = child.kill();
        child.wait().unwrap();
        // The interrupted run's agent (its own process group) may still be finishing.
        let out = repo.aos(&["run", &name]);
        assert!(out.status.success(), "resume {name}: {}", stderr(&out));
        let tasks = repo.git(&[
            "log",
            "--format=%(trailers:key=Aos-Task,valueonly)",
            &format!("main..aos/{name}"),
        ]);
        let mut ids: Vec<&str> = tasks.lines().filter(|l| !l.is_empty()).collect();
        ids.sort_unstable();
        assert_eq!(ids, ["A", "B", "C"], "{name}: one commit per task");
        let status = repo.aos_ok(&["status", &name, "--json"]);
        assert!(
            status.contains("\"status\": \"complete\""),
            "{name}: {status}"
        );
    }
    repo.git(&["fsck", "--strict"]);
    repo.aos_ok(&["fsck"]);
}

#[test]
fn fsck_recognises_a_run_killed_mid_stage() {
    let repo = Repo::new();
    std::fs::write(
        repo.path("aos.toml"),
        "[project]\nbase = \"main\"\n\n[profiles.default]\nautonomy = \"autonomous\"\n\n[notify]\ndesktop = false\n",
    )
    .unwrap();
    // The agent hangs, so the kill surely lands mid-stage.
    let plan = "# Plan: h\n\n### [ ] A: Hang\n\n#### Acceptance\n- `true`\n\n#### Run\n```sh\necho $$ > started.txt\nexec sleep 600\n```\n";
    std::fs::write(repo.path("plan.md"), plan).unwrap();
    repo.git(&["add", "."]);
    repo.git(&["commit", "-q", "-m", "plan"]);
    repo.aos_ok(&["new", "h", "--plan", "plan.md"]);
    let mut child = run_direct(&repo, "h");
    // Tasks run in their own worktrees (`parallel_tasks` defaults to 3).
    let started = repo.worktree("h.tasks").join("A").join("started.txt");
    let deadline = Instant::now() + std::time::Duration::from_secs(60);
    // Poll for the agent's pid file; the deadline is only a safety net.
    let pgid = loop {
        if let Ok(text) = std::fs::read_to_string(&started)
            && !text.trim().is_empty()
        {
            break text.trim().to_owned();
        }
        assert!(Instant::now() < deadline, "the agent never started");
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    let out = repo.aos(&["fsck", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let report = common::stdout(&out);
    assert!(
        report.contains("interrupted_run") && report.contains("git aos run h"),
        "{report}"
    );
    // The killed run's agent lives on in its own process group: end it.
    let _ = Command::new("kill")
        .args(["-9", "--", &format!("-{pgid}")])
        .status();
}
