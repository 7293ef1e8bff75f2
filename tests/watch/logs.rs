//! `git aos logs`: what an agent printed, and `-f` following a running agent live until
//! its run ends.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Instant;

use crate::common::{Repo, hermetic, stderr, stdout};

use super::{ALPHA, DELTA, PATIENCE, setup};

#[test]
fn logs_prints_the_agent_output_and_a_follower_ends_with_the_run() {
    let repo = Repo::new();
    setup(&repo, &[("alpha", ALPHA)], "");
    let out = repo.aos(&["logs", "alpha"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no live output of `alpha`"),
        "{}",
        stderr(&out)
    );
    assert_eq!(repo.aos(&["run", "alpha"]).status.code(), Some(3));
    let printed = repo.aos_ok(&["logs", "alpha"]);
    assert!(
        printed.starts_with("# git-aos: shell (shell, implement) started "),
        "{printed}"
    );
    assert!(printed.contains("writing hello.txt\n"), "{printed}");
    assert!(
        printed.contains("\n# git-aos: exited with code 0"),
        "{printed}"
    );
    // The agent's run is over and nothing runs the workstream: -f ends at once.
    let followed = repo.aos(&["logs", "alpha", "-f"]);
    assert!(followed.status.success(), "{}", stderr(&followed));
    assert_eq!(stdout(&followed), printed);
    // The current task's output; another task has none here.
    assert_eq!(repo.aos_ok(&["logs", "alpha", "T1"]), printed);
    let out = repo.aos(&["logs", "alpha", "T9"]);
    assert!(
        stderr(&out).contains("task T9 of `alpha`"),
        "{}",
        stderr(&out)
    );
    assert!(
        Path::new(&repo.root)
            .join(".git/aos/live/alpha/T1.log")
            .is_file()
    );
}

#[test]
fn logs_follows_a_running_agent_until_its_run_ends() {
    let repo = Repo::new();
    let go = repo.agent_io().join("go");
    setup(
        &repo,
        &[("delta", DELTA)],
        &format!("GO = \"{}\"", go.display()),
    );
    let spawn = |args: &[&str]| {
        let mut cmd = Command::new("git");
        cmd.arg("aos").args(args).current_dir(&repo.root);
        hermetic(&mut cmd, repo.tmp.path());
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let mut run = spawn(&["run", "delta"]);
    // Follow once the agent runs (before that, `-f` would wait for it: also fine).
    let live = repo.root.join(".git/aos/live/delta/T1.log");
    let start = Instant::now();
    while !std::fs::read_to_string(&live).is_ok_and(|l| l.contains("halfway there")) {
        assert!(start.elapsed() < PATIENCE, "the agent never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let mut follower = spawn(&["logs", "delta", "-f"]);
    let (tx, lines) = mpsc::channel();
    let out = BufReader::new(follower.stdout.take().unwrap());
    std::thread::spawn(move || {
        for line in out.lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut seen = Vec::new();
    let mut until = |text: &str| {
        while !seen.iter().any(|l: &String| l.contains(text)) {
            match lines.recv_timeout(PATIENCE) {
                Ok(line) => seen.push(line),
                Err(e) => panic!("the follower never printed {text:?} ({e}): {seen:?}"),
            }
        }
    };
    until("halfway there");
    // The rest is written after the follower printed what was there: it follows.
    std::fs::write(&go, "").unwrap();
    until("after the go");
    until("# git-aos: exited with code 0");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = follower.try_wait().unwrap() {
            break status;
        }
        assert!(
            start.elapsed() < PATIENCE,
            "the follower did not end with the run"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert!(status.success());
    assert_eq!(
        run.wait().unwrap().code(),
        Some(3),
        "stopped at the review gate"
    );
    assert!(Path::new(&live).is_file());
}
