//! End to end: a plan's independent tasks run side by side, each in its own worktree, and
//! land one at a time on a linear branch — merged onto what landed meanwhile, a conflict
//! going to a resolver, then to the task's agent, then to a person; per-task gates that a
//! person decides while the run drives the others; kill -9 in the middle of a landing.

#[path = "../common/mod.rs"]
mod common;
mod conflicts;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Repo, hermetic, stderr};
use serde_json::Value;

/// A reviewer that approves whatever it is shown.
const APPROVER: &str = r#"[agents.critic]
adapter = "command"
command = ["sh", "-c", "printf '%s' '{\"verdict\":\"approve\",\"summary\":\"fine\",\"comments\":[]}' > \"$AOS_RESULT\""]
"#;

/// Writes `aos.toml` (the shell agent implementing, confined but free to write
/// `agent_io()`, `critic` reviewing, `autonomy`, tasks in parallel, plus `extra`), the plan, commits both, creates workstream `w`.
fn setup(repo: &Repo, autonomy: &str, extra: &str, plan: &str) {
    let io = repo.allow_agent_io();
    let toml = format!(
        "[project]\nbase = \"main\"\n{io}\n{APPROVER}\n[roles]\nimplement = [\"shell\"]\nreview = \"critic\"\n\n[profiles.default]\nautonomy = \"{autonomy}\"\nmax_attempts = 2\nparallel_tasks = 3\n\n[notify]\ndesktop = false\n{extra}"
    );
    std::fs::write(repo.path("aos.toml"), toml).unwrap();
    std::fs::write(repo.path("shared.txt"), "start\n").unwrap();
    std::fs::write(repo.path("plan.md"), plan).unwrap();
    repo.git(&["add", "."]);
    repo.git(&["commit", "-q", "-m", "aos"]);
    repo.aos_ok(&["new", "w", "--plan", "plan.md"]);
}

/// Returns a task section with a `Run` block.
fn task(id: &str, depends: &str, check: &str, script: &str) -> String {
    format!(
        "### [ ] {id}: Task {id}\nDepends: {depends}\n\n#### Acceptance\n- `{check}`\n\n#### Run\n```sh\n{script}\n```\n\n"
    )
}

fn json(repo: &Repo, args: &[&str]) -> Value {
    serde_json::from_str(&repo.aos_ok(args)).unwrap()
}

fn run_record(repo: &Repo, task: &str) -> String {
    let status = json(repo, &["status", "w", "--json"]);
    let t = status["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == task)
        .unwrap()
        .clone();
    let run = t["last_run"].as_str().unwrap();
    repo.git(&["show", &format!("refs/aos/ws/w:runs/{run}/run.toml")])
}

/// Asserts `aos/w` since `main` is linear, one commit per task, each by the pipeline.
fn assert_linear(repo: &Repo, tasks: usize) {
    let merges = repo.git(&["rev-list", "--merges", "main..aos/w"]);
    assert!(merges.trim().is_empty(), "no merge commits: {merges}");
    let log = repo.git(&["log", "--format=%cn %s", "main..aos/w"]);
    assert_eq!(log.lines().count(), tasks, "{log}");
    assert!(log.lines().all(|l| l.starts_with("git-aos ")), "{log}");
    let fsck = repo.cmd_in(&repo.root, "git", &["fsck", "--strict", "--no-dangling"]);
    assert!(fsck.status.success(), "{}", stderr(&fsck));
}

#[test]
fn independent_tasks_run_side_by_side_and_land_one_at_a_time_on_a_linear_branch() {
    let repo = Repo::new();
    let meet = repo.agent_io().join("meet");
    std::fs::create_dir(&meet).unwrap();
    // Each of A, B and C waits until all three have started: they pass only side by side
    // (the loop's limit is a safety net, not a clock).
    let rendezvous = |id: &str| {
        format!(
            "touch {m}/{id}\nfor i in $(seq 600); do [ -e {m}/A ] && [ -e {m}/B ] && [ -e {m}/C ] && break; sleep 0.05; done\n[ -e {m}/A ] && [ -e {m}/B ] && [ -e {m}/C ]\necho {id} > {id}.txt",
            m = meet.display()
        )
    };
    let plan = format!(
        "# Plan: waves\n\n{}{}{}{}",
        task("A", "none", "test -f A.txt", &rendezvous("A")),
        task("B", "none", "test -f B.txt", &rendezvous("B")),
        task("C", "none", "test -f C.txt", &rendezvous("C")),
        task(
            "D",
            "A, B, C",
            "test -f A.txt && test -f B.txt && test -f C.txt",
            "echo D > D.txt"
        ),
    );
    setup(&repo, "autonomous", "", &plan);
    let out = repo.aos(&["run", "w"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_linear(&repo, 4);
    for f in ["A.txt", "B.txt", "C.txt", "D.txt"] {
        assert!(
            repo.worktree("w").join(f).exists(),
            "the worktree follows: {f}"
        );
    }
    assert!(
        !repo.worktree("w.tasks").join("A").exists(),
        "landed: its worktree goes"
    );
    let status = json(&repo, &["status", "w", "--json"]);
    assert_eq!(status["status"], "complete");
    assert_eq!(status["waves"], serde_json::json!([["A", "B", "C"], ["D"]]));
    let report = json(&repo, &["report", "w", "--json"]);
    assert_eq!(report["tasks"][3]["wave"], 2);
    let spans = report["tasks"][0]["timeline"].as_array().unwrap();
    assert!(
        spans
            .iter()
            .any(|s| s["stage"] == "implement" && s["agent"] == "shell")
    );
    let plan = repo.git(&["show", "aos/w:plan.md"]);
    assert_eq!(plan.matches("### [x]").count(), 4, "{plan}");
}

#[test]
fn per_task_gates_a_person_decides_one_while_the_run_drives_the_others() {
    let repo = Repo::new();
    let signal = repo.agent_io().join("go");
    let wait = format!(
        "for i in $(seq 600); do [ -e {s} ] && break; sleep 0.05; done\n[ -e {s} ]\necho slow > slow.txt",
        s = signal.display()
    );
    let plan = format!(
        "# Plan: gates\n\n{}{}{}",
        task("A", "none", "test -f a.txt", "echo a > a.txt"),
        task("S", "none", "test -f slow.txt", &wait),
        task("C", "A", "test -f a.txt", "echo c > c.txt"),
    );
    setup(&repo, "gatekeeper", "", &plan);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_git-aos"));
    cmd.args(["run", "w"])
        .current_dir(&repo.root)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    hermetic(&mut cmd, repo.tmp.path());
    let run = cmd.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let waits = |repo: &Repo, id: &str| {
        let s = json(repo, &["status", "w", "--json"]);
        s["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == id && t["status"] == "awaiting_review")
    };
    while !waits(&repo, "A") {
        assert!(Instant::now() < deadline, "A never reached its gate");
        std::thread::sleep(Duration::from_millis(50));
    }
    // The run holds the workstream and drives S; A is decided meanwhile.
    let show = repo.aos_ok(&["show", "w", "A"]);
    assert!(show.contains("git aos approve w A"), "{show}");
    repo.aos_ok(&["approve", "w", "A"]);
    std::fs::write(&signal, "").unwrap();
    let out = run.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    // C started once A landed, during the same run; S and C now wait, side by side.
    let s = json(&repo, &["status", "w", "--json"]);
    assert_eq!(s["status"], "awaiting_review", "{s}");
    let out = repo.aos(&["approve", "w"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("2 tasks of `w` are awaiting review: S, C"),
        "{}",
        stderr(&out)
    );
    repo.aos_ok(&["approve", "w", "S"]);
    repo.aos_ok(&["reject", "w", "C", "-f", "say it twice"]);
    assert_eq!(repo.aos(&["run", "w"]).status.code(), Some(3));
    repo.aos_ok(&["approve", "w", "C"]);
    assert!(repo.aos(&["run", "w"]).status.success());
    assert_linear(&repo, 3);
}

#[test]
fn kill_9_in_the_middle_of_a_landing_lands_each_task_exactly_once() {
    let repo = Repo::new();
    let plan = format!(
        "# Plan: k\n\n{}{}{}",
        task("A", "none", "test -f a.txt", "echo a > a.txt"),
        task("B", "none", "test -f b.txt", "echo b > b.txt"),
        task("C", "A, B", "test -f c.txt", "echo c > c.txt"),
    );
    setup(&repo, "autonomous", "", &plan);
    for point in ["after-landing-journal", "after-landing-cas"] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_git-aos"));
        cmd.args(["run", "w"]).current_dir(&repo.root);
        hermetic(&mut cmd, repo.tmp.path());
        let out = cmd.env("AOS_CRASH_AT", point).output().unwrap();
        assert_eq!(out.status.code(), Some(99), "{point}: {}", stderr(&out));
    }
    let out = repo.aos(&["run", "w"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let ids = repo.git(&[
        "log",
        "--format=%(trailers:key=Aos-Task,valueonly)",
        "main..aos/w",
    ]);
    let mut ids: Vec<&str> = ids.lines().filter(|l| !l.is_empty()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["A", "B", "C"], "one commit per task");
    assert_linear(&repo, 3);
    let status = json(&repo, &["status", "w", "--json"]);
    assert_eq!(status["status"], "complete");
    assert!(status["integrating"].is_null(), "{status}");
    repo.aos_ok(&["fsck"]);
}

/// A task that writes `file` (within its declared `files`) and logs when its agent
/// starts and ends (the pause makes an overlap visible; it synchronises nothing).
fn logged(id: &str, files: &str, file: &str, log: &std::path::Path) -> String {
    format!(
        "### [ ] {id}: Task {id}\nDepends: none\nFiles: {files}\n\n#### Acceptance\n- `test -f {file}`\n\n#### Run\n```sh\necho start {id} >> {log}\nsleep 0.3\necho end {id} >> {log}\nmkdir -p $(dirname {file})\necho {id} > {file}\n```\n\n",
        log = log.display()
    )
}

/// Returns whether the two tasks' start..end spans in `log` overlap.
fn overlapped(log: &str, a: &str, b: &str) -> bool {
    let lines: Vec<&str> = log.lines().collect();
    let at = |what: String| lines.iter().position(|l| *l == what).unwrap();
    let (sa, ea) = (at(format!("start {a}")), at(format!("end {a}")));
    let (sb, eb) = (at(format!("start {b}")), at(format!("end {b}")));
    sa < eb && sb < ea
}

#[test]
fn tasks_whose_files_overlap_wait_for_each_other_and_max_agents_caps_every_agent() {
    let repo = Repo::new();
    let log = repo.agent_io().join("agents.log");
    let plan = format!(
        "# Plan: scope\n\n{}{}{}",
        logged("A", "src/x.rs", "src/x.rs", &log),
        logged("B", "src/", "src/b.rs", &log),
        logged("C", "docs/c.md", "docs/c.md", &log),
    );
    setup(&repo, "autonomous", "", &plan);
    let out = repo.aos(&["run", "w"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!overlapped(&text, "A", "B"), "A and B share files: {text}");
    assert_linear(&repo, 3);

    let repo = Repo::new();
    let log = repo.agent_io().join("agents.log");
    let plan = format!(
        "# Plan: cap\n\n{}{}",
        logged("A", "a.txt", "a.txt", &log),
        logged("B", "b.txt", "b.txt", &log)
    );
    setup(&repo, "autonomous", "", &plan);
    repo.git(&["config", "aos.project.max-agents", "1"]);
    assert!(repo.aos(&["run", "w"]).status.success());
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!overlapped(&text, "A", "B"), "one agent at a time: {text}");
}

#[test]
fn a_task_worktree_that_is_gone_is_made_again_at_its_base_with_what_was_tested() {
    let repo = Repo::new();
    let plan = format!(
        "# Plan: gone\n\n{}",
        task("A", "none", "test -f a.txt", "echo a > a.txt")
    );
    setup(&repo, "gatekeeper", "", &plan);
    assert_eq!(repo.aos(&["run", "w"]).status.code(), Some(3));
    let wt = repo.worktree("w.tasks").join("A");
    std::fs::remove_dir_all(&wt).unwrap();
    repo.aos_ok(&["approve", "w", "A"]);
    assert_eq!(repo.git(&["show", "aos/w:a.txt"]), "a\n");
    assert_linear(&repo, 1);
}

#[test]
fn a_task_begun_one_at_a_time_moves_to_its_own_worktree_when_tasks_go_side_by_side() {
    let repo = Repo::new();
    let plan = format!(
        "# Plan: switch\n\n{}",
        task("A", "none", "test -f a.txt", "echo a >> a.txt")
    );
    setup(&repo, "gatekeeper", "", &plan);
    repo.git(&["config", "aos.profiles.default.parallel-tasks", "1"]);
    assert_eq!(repo.aos(&["run", "w"]).status.code(), Some(3));
    assert!(repo.worktree("w").join("a.txt").exists());
    repo.git(&["config", "aos.profiles.default.parallel-tasks", "3"]);
    repo.aos_ok(&["reject", "w", "A", "-f", "once more"]);
    let out = repo.aos(&["run", "w"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let own = repo.worktree("w.tasks").join("A");
    assert_eq!(
        std::fs::read_to_string(own.join("a.txt")).unwrap(),
        "a\na\n"
    );
    assert!(
        !repo.worktree("w").join("a.txt").exists(),
        "set aside, then carried over"
    );
    repo.aos_ok(&["approve", "w", "A"]);
    assert_eq!(repo.git(&["show", "aos/w:a.txt"]), "a\na\n");
}
