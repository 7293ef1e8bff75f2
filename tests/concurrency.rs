//! Concurrent writers and lock holders, as separate `git aos` processes.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::{Repo, hermetic, stderr};

#[test]
fn two_processes_updating_one_workstream_lose_nothing() {
    let repo = Repo::new();
    repo.aos_ok(&["init", "--yes"]);
    repo.aos_ok(&["new", "c"]);
    let children: Vec<_> = (0..2)
        .map(|_| {
            let mut cmd = Command::new("git");
            cmd.args(["aos", "debug", "bump", "c", "--count", "100"])
                .current_dir(&repo.root);
            hermetic(&mut cmd, repo.tmp.path());
            cmd.spawn().unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    assert_eq!(repo.git(&["show", "refs/aos/ws/c:debug/counter"]), "200\n");
    // 200 bumps plus the create.
    assert_eq!(
        repo.git(&["rev-list", "--count", "refs/aos/ws/c"]).trim(),
        "201"
    );
    repo.git(&["fsck", "--strict"]);
}

#[test]
fn a_held_workstream_lock_gives_exit_5_naming_the_holder() {
    let repo = Repo::new();
    repo.aos_ok(&["init", "--yes"]);
    repo.aos_ok(&["new", "a"]);
    let mut cmd = Command::new("git");
    cmd.args(["aos", "debug", "lock", "a"])
        .current_dir(&repo.root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    hermetic(&mut cmd, repo.tmp.path());
    let mut holder = cmd.spawn().unwrap();
    let mut line = String::new();
    BufReader::new(holder.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "locked");
    let before = repo.refs();
    let out = repo.aos(&["close", "a"]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("workstream `a` is busy") && err.contains("pid") && err.contains("since"),
        "{err}"
    );
    assert!(err.contains("hint:"), "{err}");
    assert_eq!(repo.refs(), before);
    // Running it from a second terminal is refused the same way, naming the holder.
    let out = repo.aos(&["run", "a"]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("workstream `a` is busy: held by pid ") && !err.contains("pid ?"),
        "{err}"
    );
    // The status shows who runs it.
    let status = repo.aos_ok(&["status", "a", "--json"]);
    assert!(status.contains("\"runner\": {"), "{status}");
    // A dead holder blocks no one: kill it and the lock is free. The holder is the
    // `git-aos` that `git` started, not `git` itself: killing `git` alone left it running
    // until it saw stdin close, racing the `close` below. Kill the pid the lock records.
    let record = std::fs::read_to_string(repo.path(".git/aos/locks/ws/a.lock")).unwrap();
    let pid: i32 = record
        .lines()
        .find_map(|l| l.strip_prefix("pid "))
        .unwrap()
        .parse()
        .unwrap();
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::SIGKILL).unwrap();
    holder.wait().unwrap();
    repo.aos_ok(&["close", "a"]);
}
