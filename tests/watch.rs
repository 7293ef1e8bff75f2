//! End to end: `git aos watch` in a real terminal (tmux: keys sent, the pane captured)
//! approving a change and answering a question, `watch --run` driving the pipeline with
//! the agent's output on screen, a run of another process shown (and shown stopped once
//! killed), a signal ending it; tasks side by side (`watch/waves.rs`), and `git aos logs`
//! (`watch/logs.rs`).

mod common;
#[path = "watch/logs.rs"]
mod logs;
#[path = "watch/waves.rs"]
mod waves;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{Repo, hermetic, stderr, stdout};

/// Longest a screen may take to show what a test waits for (a safety net only).
const PATIENCE: Duration = Duration::from_secs(60);

const ALPHA: &str = "# Plan: alpha\n\n### [ ] T1: Write a greeting\n\n#### Acceptance\n- `test -f hello.txt`\n\n#### Run\n```sh\necho \"writing hello.txt\"\necho hello > hello.txt\n```\n";
/// Asks a question the first time, then does the work.
const BETA: &str = "# Plan: beta\n\n### [ ] T1: Greet formally\n\n#### Acceptance\n- `test -f b.txt`\n\n#### Run\n```sh\nif [ -f asked ]; then echo done > b.txt; else touch asked; printf '{\"status\":\"blocked\",\"question\":\"Formal or casual greeting?\"}' > \"$AOS_RESULT\"; fi\n```\n";
/// Prints a line, then waits for a file the test writes, then finishes.
const GAMMA: &str = "# Plan: gamma\n\n### [ ] T1: Slow work\n\n#### Acceptance\n- `test -f c.txt`\n\n#### Run\n```sh\necho \"halfway there\"\nwhile [ ! -f \"$GO\" ]; do sleep 0.1; done\necho c > c.txt\n```\n";

/// Records its pid, prints a line, waits for a file the test writes, prints another.
const DELTA: &str = "# Plan: delta\n\n### [ ] T1: Slow work\n\n#### Acceptance\n- `test -f d.txt`\n\n#### Run\n```sh\necho $$ > \"$GO.pid\"\necho \"halfway there\"\nwhile [ ! -f \"$GO\" ]; do sleep 0.1; done\necho \"after the go\"\necho d > d.txt\n```\n";

fn setup(repo: &Repo, plans: &[(&str, &str)], env: &str) {
    let toml = format!(
        "[project]\nbase = \"main\"\n{}\n[agents.shell]\nadapter = \"shell\"\nenv = {{ {env} }}\n\n[roles]\nimplement = [\"shell\"]\n\n[notify]\ndesktop = false\n",
        repo.allow_agent_io()
    );
    std::fs::write(repo.path("aos.toml"), toml).unwrap();
    for (name, plan) in plans {
        std::fs::write(repo.path(&format!("{name}.md")), plan).unwrap();
    }
    repo.git(&["add", "."]);
    repo.git(&["commit", "-q", "-m", "plans"]);
    for (name, _) in plans {
        repo.aos_ok(&["new", name, "--plan", &format!("{name}.md")]);
    }
}

/// A tmux server of the test's own, killed on drop.
struct Tmux {
    socket: String,
    home: std::path::PathBuf,
}

impl Tmux {
    /// Starts `command` in an 80×24 terminal in `dir`.
    fn start(repo: &Repo, name: &str, command: &str) -> Self {
        let t = Self {
            socket: format!("aos-{}-{name}", std::process::id()),
            home: repo.tmp.path().to_owned(),
        };
        let dir = repo.root.display().to_string();
        t.tmux(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-x",
            "80",
            "-y",
            "24",
            "-c",
            &dir,
            command,
        ]);
        t
    }

    fn tmux(&self, args: &[&str]) -> std::process::Output {
        let mut cmd = Command::new("tmux");
        cmd.arg("-L").arg(&self.socket).args(args);
        hermetic(&mut cmd, &self.home);
        cmd.env("TERM", "xterm-256color");
        cmd.output().expect("tmux runs (the CI script installs it)")
    }

    /// Returns the pid of the program the pane runs.
    fn pane_pid(&self) -> i32 {
        let out = self.tmux(&["display", "-p", "-t", "0", "#{pane_pid}"]);
        stdout(&out).trim().parse().expect("a pane pid")
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.tmux(&["send-keys", "-t", "0", k]);
        }
    }

    fn type_text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "0", "-l", text]);
    }

    fn screen(&self) -> String {
        // -J: a line the terminal wrapped reads as one.
        let out = self.tmux(&["capture-pane", "-p", "-J", "-t", "0"]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Returns the screen once it shows `text`.
    fn wait_for(&self, text: &str) -> String {
        self.wait_for_all(&[text])
    }

    /// Returns the screen once it shows every one of `texts` at the same time.
    fn wait_for_all(&self, texts: &[&str]) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if texts.iter().all(|t| screen.contains(t)) {
                return screen;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "the screen never showed {texts:?}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits for the session to end (its command exited).
    fn wait_gone(&self) {
        let start = Instant::now();
        while self.tmux(&["has-session"]).status.success() {
            assert!(
                start.elapsed() < PATIENCE,
                "watch did not quit:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.tmux(&["kill-server"]);
    }
}

/// Returns whether process `pid` still runs (a zombie whose parent is gone does not).
fn alive(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit_once(") ")
            .is_some_and(|(_, rest)| !rest.starts_with('Z'))
    })
}

fn status(repo: &Repo, name: &str) -> serde_json::Value {
    serde_json::from_str(&repo.aos_ok(&["status", name, "--json"])).unwrap()
}

#[test]
fn watch_approves_a_change_and_answers_a_question_with_keys() {
    let repo = Repo::new();
    setup(&repo, &[("alpha", ALPHA), ("beta", BETA)], "");
    let out = repo.aos(&["run", "--loop"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let tmux = Tmux::start(&repo, "gate", "git aos watch");
    let home = tmux.wait_for("NEEDS YOU (2)");
    assert!(home.contains("› alpha"), "{home}");
    assert!(home.contains("q1: Formal or casual greeting?"), "{home}");

    // While another process holds the lock of alpha's task, approving says busy and
    // changes nothing.
    let lock = repo.root.join(".git/aos/locks/task/alpha/T1.lock");
    std::fs::create_dir_all(lock.parent().unwrap()).unwrap();
    let held = repo.agent_io().join("held");
    // The holder is one process (`exec`), so killing it releases the lock.
    let mut holder = Command::new("sh")
        .args(["-c", "exec 9>\"$0\"; flock 9; : > \"$1\"; exec sleep 600"])
        .arg(&lock)
        .arg(&held)
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !held.exists() {
        assert!(start.elapsed() < PATIENCE, "the lock was never taken");
        std::thread::sleep(Duration::from_millis(20));
    }
    let before = repo.refs();
    tmux.keys(&["a", "y"]);
    tmux.wait_for("busy (exit 5)");
    assert_eq!(repo.refs(), before);
    holder.kill().unwrap();
    holder.wait().unwrap();

    // Approve alpha's change: a, then y at the confirmation.
    tmux.keys(&["a"]);
    tmux.wait_for("Approve `alpha`?");
    tmux.keys(&["y"]);
    tmux.wait_for("approved T1 of `alpha`: committed");
    assert_eq!(status(&repo, "alpha")["tasks_done"], 1);
    let log = repo.git(&["log", "-1", "--format=%s%n%b", "aos/alpha"]);
    assert!(log.contains("Aos-Task: T1"), "{log}");

    // Answer beta's question: filter to it, c, type, Enter.
    tmux.keys(&["/"]);
    tmux.type_text("beta");
    tmux.keys(&["Enter", "c"]);
    tmux.wait_for("answer q1 of `beta`");
    tmux.type_text("formal, please");
    tmux.keys(&["Enter"]);
    tmux.wait_for("answered q1 of `beta`");
    let questions = repo.aos_ok(&["clarify", "list", "--all", "--json"]);
    assert!(questions.contains("formal, please"), "{questions}");
    assert_ne!(status(&repo, "beta")["status"], "blocked");

    tmux.keys(&["q"]);
    tmux.wait_gone();
}

#[test]
fn watch_run_drives_the_pipeline_and_shows_the_agent_output() {
    let repo = Repo::new();
    let go = repo.agent_io().join("go");
    setup(
        &repo,
        &[("gamma", GAMMA)],
        &format!("GO = \"{}\"", go.display()),
    );
    let tmux = Tmux::start(&repo, "run", "git aos watch --run");
    let running = tmux.wait_for("halfway there");
    assert!(running.contains("RUNNING (1)"), "{running}");
    assert!(running.contains("T1 implement · shell · #1"), "{running}");

    // The live log view follows the same output.
    tmux.keys(&["l"]);
    tmux.wait_for("live output of `gamma`");
    std::fs::write(&go, "").unwrap();
    tmux.wait_for("the agent's run ended: exited with code 0");
    tmux.keys(&["q"]);
    let gate = tmux.wait_for("NEEDS YOU (1)");
    assert!(gate.contains("gamma"), "{gate}");
    assert_eq!(status(&repo, "gamma")["status"], "awaiting_review");

    // Approving from the dashboard lets the driver finish the workstream.
    tmux.keys(&["a", "y"]);
    tmux.wait_for("complete 1/1 tasks");
    tmux.keys(&["q"]);
    tmux.wait_for("Quit?");
    tmux.keys(&["y"]);
    tmux.wait_gone();
    assert_eq!(status(&repo, "gamma")["status"], "complete");
}

#[test]
fn watch_shows_a_run_of_another_process_and_says_stopped_when_it_is_killed() {
    let repo = Repo::new();
    let go = repo.agent_io().join("go");
    setup(
        &repo,
        &[("delta", DELTA)],
        &format!("GO = \"{}\"", go.display()),
    );
    let mut run = Command::new("git-aos");
    run.args(["run", "--loop"]).current_dir(&repo.root);
    hermetic(&mut run, repo.tmp.path());
    let mut run = run
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let tmux = Tmux::start(&repo, "elsewhere", "git aos watch");
    let screen = tmux.wait_for("halfway there");
    assert!(screen.contains("RUNNING (1)"), "{screen}");
    assert!(
        screen.contains("delta    running  T1 implement · shell · #1"),
        "{screen}"
    );

    // kill -9: the lock goes with the process, and the row says what resumes it.
    run.kill().unwrap();
    run.wait().unwrap();
    let screen = tmux.wait_for("`git aos run delta` resumes it");
    assert!(screen.contains("delta    stopped"), "{screen}");
    assert!(screen.contains("0 running"), "{screen}");
    // The agent outlived its runner (as after any kill -9); let it end.
    let agent = std::fs::read_to_string(go.with_extension("pid")).unwrap();
    std::fs::write(&go, "").unwrap();
    let start = Instant::now();
    while alive(agent.trim()) {
        assert!(start.elapsed() < PATIENCE, "the agent never ended");
        std::thread::sleep(Duration::from_millis(20));
    }
    tmux.keys(&["q"]);
    tmux.wait_gone();
}

#[test]
fn run_on_a_terminal_shows_elapsed_time_and_the_agent_last_line() {
    let repo = Repo::new();
    let go = repo.agent_io().join("go");
    setup(
        &repo,
        &[("gamma", GAMMA)],
        &format!("GO = \"{}\"", go.display()),
    );
    let tmux = Tmux::start(&repo, "progress", "git aos run gamma; sleep 600");
    let screen = tmux.wait_for("halfway there");
    assert!(
        screen.contains("gamma: the agent's output goes to "),
        "the live log is named once:\n{screen}"
    );
    // Tasks run in worktrees of their own by default, each with its own live log.
    assert!(screen.contains(".git/aos/live/gamma/T1.log"), "{screen}");
    assert!(
        screen.contains("`git aos logs gamma T1 -f` follows it"),
        "{screen}"
    );
    let line = screen
        .lines()
        .find(|l| l.contains("halfway there"))
        .unwrap()
        .to_owned();
    assert!(line.starts_with("gamma: T1 "), "{line}");
    assert!(
        line.contains("s │ halfway there"),
        "elapsed, then the last line: {line}"
    );
    std::fs::write(&go, "").unwrap();
    let done = tmux.wait_for("gamma: T1 awaits review; see it with");
    assert_eq!(
        done.matches("the agent's output goes to").count(),
        1,
        "{done}"
    );
}

#[test]
fn a_signal_ends_watch_run_and_its_agent_and_the_next_run_resumes() {
    let repo = Repo::new();
    let go = repo.agent_io().join("go");
    setup(
        &repo,
        &[("delta", DELTA)],
        &format!("GO = \"{}\"", go.display()),
    );
    // `exec`: the pane's process is the dashboard itself, not a shell or git around it.
    let tmux = Tmux::start(&repo, "signal", "exec git-aos watch --run");
    tmux.wait_for("halfway there");
    let agent = std::fs::read_to_string(go.with_extension("pid")).unwrap();
    let agent: i32 = agent.trim().parse().unwrap();
    let kill = Command::new("kill")
        .args(["-TERM", &tmux.pane_pid().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    tmux.wait_gone();
    let start = Instant::now();
    while alive(&agent.to_string()) {
        assert!(
            start.elapsed() < PATIENCE,
            "the agent {agent} outlived watch"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let log = repo.aos_ok(&["logs", "delta"]);
    assert!(log.contains("interrupted"), "{log}");
    assert!(!log.contains("after the go"), "{log}");

    // The next run takes the task up again.
    std::fs::write(&go, "").unwrap();
    let out = repo.aos(&["run", "delta"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_eq!(status(&repo, "delta")["status"], "awaiting_review");
}

#[test]
fn watch_refuses_without_a_terminal() {
    let repo = Repo::new();
    let out = repo.aos(&["watch"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("needs a terminal"),
        "{}",
        stderr(&out)
    );
}
