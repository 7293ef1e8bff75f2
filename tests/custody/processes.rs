//! Agents that outlive their parent: after `kill -9` of git aos the next run ends the
//! old agent before it redoes the stage; SIGTERM and SIGHUP end the agent's group.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use super::common::{Repo, hermetic, stderr};
use super::{assert_custody, plan, setup, tip};

/// The first call of the agent records its pid and keeps writing; later calls finish.
const STUBBORN: &str = "if [ ! -f \"$HOME/first\" ]; then touch \"$HOME/first\"; echo $$ > \"$HOME/agent.pid\"; while true; do echo tick >> \"$HOME/ticks\"; sleep 0.05; done; fi\necho done > k.txt";

/// Starts `git-aos run w` directly (so signals reach git aos, not a `git` wrapper).
fn start_run(repo: &Repo) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_git-aos"));
    cmd.args(["run", "w"])
        .current_dir(&repo.root)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    hermetic(&mut cmd, repo.tmp.path());
    cmd.spawn().unwrap()
}

/// Polls `done` every 20 ms until it holds or `limit` passes (a safety net only).
fn eventually(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    done()
}

/// Returns the agent's pid once it has recorded it.
fn agent_pid(home: &Path) -> i32 {
    let file = home.join("agent.pid");
    assert!(
        eventually(Duration::from_secs(60), || std::fs::read_to_string(&file)
            .is_ok_and(|t| t.ends_with('\n'))),
        "the agent never started"
    );
    std::fs::read_to_string(&file)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// Returns whether a process runs (a zombie waiting for a reaper does not count).
fn alive(pid: i32) -> bool {
    if kill(Pid::from_raw(pid), None).is_err() {
        return false;
    }
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = stat
        .rsplit_once(')')
        .map(|(_, r)| r.trim_start().chars().next());
    !matches!(state, Some(Some('Z' | 'X')) | None)
}

#[test]
fn after_kill_9_the_next_run_ends_the_old_agent_before_it_redoes_the_stage() {
    let repo = Repo::new();
    setup(&repo, "", &plan(STUBBORN, "test -f k.txt", None));
    let main = tip(&repo, "main");
    let home = repo.tmp.path();
    let mut run = start_run(&repo);
    let pid = agent_pid(home);
    run.kill().unwrap(); // SIGKILL: git aos gets no chance to end its agent.
    run.wait().unwrap();
    assert!(alive(pid), "the agent should outlive a killed git aos");
    let out = repo.aos(&["run", "w"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("left running by an interrupted run"),
        "{}",
        stderr(&out)
    );
    assert!(!alive(pid), "the old agent still runs");
    let ticks = std::fs::metadata(home.join("ticks")).unwrap().len();
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(std::fs::metadata(home.join("ticks")).unwrap().len(), ticks);
    assert_custody(&repo, &main);
}

fn signal_ends_the_agent(signal: Signal) {
    let repo = Repo::new();
    setup(&repo, "", &plan(STUBBORN, "test -f k.txt", None));
    let home = repo.tmp.path();
    let mut run = start_run(&repo);
    let pid = agent_pid(home);
    kill(Pid::from_raw(run.id() as i32), signal).unwrap();
    let ended = eventually(Duration::from_secs(30), || {
        run.try_wait().unwrap().is_some()
    });
    assert!(ended, "git aos ignored {signal}");
    assert!(!run.wait().unwrap().success());
    assert!(
        eventually(Duration::from_secs(10), || !alive(pid)),
        "the agent survived {signal} of git aos"
    );
    // The run resumes where it stopped.
    let out = repo.aos(&["run", "w"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn sigterm_of_git_aos_ends_the_agent_like_ctrl_c() {
    signal_ends_the_agent(Signal::SIGTERM);
}

#[test]
fn sighup_of_git_aos_ends_the_agent_like_ctrl_c() {
    signal_ends_the_agent(Signal::SIGHUP);
}
