//! `watch` over tasks side by side: one row per workstream with the task it shows at
//! work and how many more run, each task's own live log, and a choice of task when
//! several wait at the gate.

use std::time::Instant;

use super::{PATIENCE, Tmux, setup, status};
use crate::common::Repo;

/// Two independent tasks, each printing a line and waiting for a file the test writes.
const DUO: &str = "# Plan: duo\n\n### [ ] T1: First\n\n#### Acceptance\n- `test -f one.txt`\n\n#### Run\n```sh\necho \"one at work\"\nwhile [ ! -f \"$GO\" ]; do sleep 0.1; done\necho 1 > one.txt\n```\n\n### [ ] T2: Second\n\n#### Acceptance\n- `test -f two.txt`\n\n#### Run\n```sh\necho \"two at work\"\nwhile [ ! -f \"$GO\" ]; do sleep 0.1; done\necho 2 > two.txt\n```\n";

fn task_status(repo: &Repo, task: &str) -> String {
    let s = status(repo, "duo");
    let t = s["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == task);
    t.unwrap()["status"].as_str().unwrap().to_owned()
}

#[test]
fn tasks_side_by_side_show_in_one_row_with_their_own_logs_and_gates() {
    let repo = Repo::new();
    let go = repo.agent_io().join("go");
    setup(
        &repo,
        &[("duo", DUO)],
        &format!("GO = \"{}\"", go.display()),
    );
    let tmux = Tmux::start(&repo, "waves", "git aos watch --run");
    let screen = tmux.wait_for("+1 task");
    assert!(screen.contains("RUNNING (1)"), "{screen}");
    // Each task's agent writes a log of its own.
    let start = Instant::now();
    let (one, two) = loop {
        let one = repo.aos(&["logs", "duo", "T1"]);
        let two = repo.aos(&["logs", "duo", "T2"]);
        let (one, two) = (printed(&one), printed(&two));
        if one.contains("one at work") && two.contains("two at work") {
            break (one, two);
        }
        assert!(start.elapsed() < PATIENCE, "T1: {one}\nT2: {two}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(!one.contains("two at work"), "{one}");
    assert!(!two.contains("one at work"), "{two}");

    std::fs::write(&go, "").unwrap();
    let start = Instant::now();
    while task_status(&repo, "T1") != "awaiting_review"
        || task_status(&repo, "T2") != "awaiting_review"
    {
        assert!(start.elapsed() < PATIENCE, "{}", tmux.screen());
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    tmux.wait_for("NEEDS YOU (1)");
    // Two tasks wait: `a` asks which; on T2's line it approves T2.
    tmux.keys(&["a"]);
    tmux.wait_for("2 tasks of `duo` wait at the gate");
    tmux.keys(&["Enter", "j", "j", "a"]);
    tmux.wait_for("Approve `duo`? T2: commit its change");
    tmux.keys(&["y"]);
    tmux.wait_for("approved T2 of `duo`: committed");
    assert_eq!(task_status(&repo, "T2"), "done");
    assert_eq!(task_status(&repo, "T1"), "awaiting_review");
    tmux.keys(&["q"]);
    tmux.wait_for("Quit?");
    tmux.keys(&["y"]);
    tmux.wait_gone();
}

/// Returns what a command printed, or its error.
fn printed(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
