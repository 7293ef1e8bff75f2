//! Runners on several machines sharing one remote: they split the work by claims, a
//! killed one's work is taken over once its claim lapses, and every clone ends in step.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use super::common::stderr;
use super::fleet::{Fleet, PLAN, eventually, finish};

const NAMES: [&str; 6] = ["w1", "w2", "w3", "w4", "w5", "w6"];

/// Returns (task -> commits) of a workstream's branch on the remote since `main`.
fn task_commits(fleet: &Fleet, dir: &Path, ws: &str) -> BTreeMap<String, usize> {
    let log = fleet.git(
        dir,
        &[
            "log",
            "--format=%(trailers:key=Aos-Task,valueonly)",
            &format!("main..origin/aos/{ws}"),
        ],
    );
    let mut out = BTreeMap::new();
    for id in log.lines().filter(|l| !l.trim().is_empty()) {
        *out.entry(id.trim().to_owned()).or_insert(0) += 1;
    }
    out
}

/// Makes a machine that has the remote's workstreams and trusts their plans.
fn machine(fleet: &Fleet, name: &str, workstreams: &[&str]) -> std::path::PathBuf {
    let dir = fleet.clone(name);
    fleet.aos_ok(&dir, &["sync"]);
    for ws in workstreams {
        fleet.aos_ok(&dir, &["trust", ws]);
    }
    dir
}

/// Returns `list --json` without this machine's worktree paths.
fn listing(fleet: &Fleet, dir: &Path) -> Vec<serde_json::Value> {
    let text = fleet.aos_ok(dir, &["list", "--all", "--json"]);
    let mut rows: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    for r in &mut rows {
        r.as_object_mut().unwrap().remove("worktree");
    }
    rows
}

#[test]
fn three_runners_split_six_workstreams_and_every_clone_ends_in_step() {
    let fleet = Fleet::new("", &[("plan.md", PLAN)]);
    let a = fleet.dir("a");
    for ws in NAMES {
        fleet.aos_ok(&a, &["new", ws, "--plan", "plan.md"]);
    }
    fleet.aos_ok(&a, &["sync"]);
    let machines: Vec<(&str, std::path::PathBuf)> = ["b", "c", "d"]
        .into_iter()
        .map(|m| (m, machine(&fleet, m, &NAMES)))
        .collect();

    let runners: Vec<_> = machines
        .iter()
        .map(|(m, dir)| {
            (
                *m,
                fleet.spawn(dir, m, &["run", "--remote", "origin", "--loop"]),
            )
        })
        .collect();
    for (m, child) in runners {
        let out = finish(child, Duration::from_secs(300));
        assert!(out.status.success(), "runner {m}: {}", stderr(&out));
    }

    fleet.git(&a, &["fetch", "-q", "origin"]);
    for ws in NAMES {
        // Each task committed once, and both by the same runner.
        let commits = task_commits(&fleet, &a, ws);
        assert_eq!(
            commits,
            BTreeMap::from([("T1".into(), 1), ("T2".into(), 1)]),
            "{ws}"
        );
        let show = |f: &str| fleet.git(&a, &["show", &format!("origin/aos/{ws}:{f}")]);
        let (one, two) = (show("one.txt"), show("two.txt"));
        assert_eq!(one, two, "{ws} was run by two runners");
        assert!(["b\n", "c\n", "d\n"].contains(&one.as_str()), "{ws}: {one}");
    }
    // Every clone lists the same state once each has synced (twice round: the first
    // round's pushes reach the clones that synced before them on the second).
    let all = ["a", "b", "c", "d"];
    for _ in 0..2 {
        for m in all {
            fleet.aos_ok(&fleet.dir(m), &["sync"]);
        }
    }
    let state = |m: &str| {
        fleet.git(
            &fleet.dir(m),
            &[
                "for-each-ref",
                "--format=%(refname) %(objectname)",
                "refs/aos/ws/",
                "refs/notes/aos",
            ],
        )
    };
    let first = state("a");
    assert_eq!(first.lines().count(), 7, "{first}");
    for m in all {
        assert_eq!(state(m), first, "clone {m}");
        let rows = listing(&fleet, &fleet.dir(m));
        assert_eq!(rows, listing(&fleet, &a), "clone {m}");
        assert!(rows.iter().all(|r| r["status"] == "complete"), "{rows:?}");
        fleet.aos_ok(&fleet.dir(m), &["fsck"]);
    }
    // The clone that made the workstreams has their worktrees: sync brought them forward.
    assert_eq!(
        std::fs::read_to_string(fleet.top().join("a.aos/w1/two.txt"))
            .unwrap()
            .len(),
        2
    );
    // No claim is left behind.
    assert!(
        !fleet.remote_refs().contains("refs/aos/claims/"),
        "{}",
        fleet.remote_refs()
    );
}

#[test]
fn a_runner_killed_with_kill_9_is_taken_over_once_its_claim_lapses() {
    let flag = "started.pid";
    // T1 lands normally; on runner `b`, T2's acceptance command hangs, after its
    // implement stage ended (and was published). Any other runner passes it at once.
    // It runs in T2's own worktree, `b.aos/k.tasks/T2`.
    let plan = PLAN.replace(
        "- `test -f two.txt`",
        &format!(
            "- `test -f two.txt && if [ \"$RUNNER\" = b ]; then echo $$ > ../../../{flag}; exec sleep 600; fi`"
        ),
    );
    let fleet = Fleet::new("\n[remote]\nclaim_expiry = \"3s\"\n", &[("plan.md", &plan)]);
    let a = fleet.dir("a");
    fleet.aos_ok(&a, &["new", "k", "--plan", "plan.md"]);
    fleet.aos_ok(&a, &["sync"]);
    let b = machine(&fleet, "b", &["k"]);
    let c = machine(&fleet, "c", &["k"]);

    let mut runner = fleet.spawn(&b, "b", &["run", "--remote", "origin", "--loop"]);
    let pidfile = fleet.top().join(flag);
    let remote = fleet.dir("remote.git");
    let published = || {
        let log = fleet.run(&remote, "git", &["log", "--format=%s", "refs/aos/ws/k"]);
        String::from_utf8_lossy(&log.stdout).contains("T2 implement -> done")
    };
    assert!(
        eventually(Duration::from_secs(60), || pidfile.is_file() && published()),
        "runner b never reached T2's test with its implement published"
    );
    // Not a synchronisation: the kill is the point of the test.
    runner.kill().unwrap();
    let killed = runner.wait_with_output().unwrap();
    let agent: i32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(agent), nix::sys::signal::SIGKILL);
    assert!(
        fleet.remote_refs().contains("refs/aos/claims/k"),
        "b's claim should outlive it"
    );

    let out = finish(
        fleet.spawn(&c, "c", &["run", "--remote", "origin", "--loop"]),
        Duration::from_secs(120),
    );
    let err = stderr(&out);
    assert!(out.status.success(), "{err}\n(b said: {})", stderr(&killed));
    assert!(err.contains("k: took over from "), "{err}");
    // b's worktree (and T2's files in it) stayed on b: T2 starts its attempt over here.
    assert!(
        err.contains("T2 was at test on the machine that stopped"),
        "{err}"
    );
    fleet.git(&a, &["fetch", "-q", "origin"]);
    assert_eq!(
        task_commits(&fleet, &a, "k"),
        BTreeMap::from([("T1".into(), 1), ("T2".into(), 1)])
    );
    assert_eq!(fleet.git(&a, &["show", "origin/aos/k:one.txt"]), "b\n");
    assert_eq!(fleet.git(&a, &["show", "origin/aos/k:two.txt"]), "c\n");
    assert!(
        !fleet.remote_refs().contains("refs/aos/claims/"),
        "{}",
        fleet.remote_refs()
    );
    fleet.aos_ok(&a, &["sync"]);
    let status: serde_json::Value =
        serde_json::from_str(&fleet.aos_ok(&a, &["status", "k", "--json"])).unwrap();
    assert_eq!(status["status"], "complete");
}

#[test]
fn a_named_workstream_another_runner_holds_is_busy() {
    let plan = PLAN.replace(
        "echo \"${RUNNER:-none}\" > one.txt",
        // Inside its worktree: a confined agent writes nowhere else.
        "echo $$ > hold.pid; exec sleep 600",
    );
    let fleet = Fleet::new("", &[("plan.md", &plan)]);
    let a = fleet.dir("a");
    fleet.aos_ok(&a, &["new", "h", "--plan", "plan.md"]);
    fleet.aos_ok(&a, &["sync"]);
    let b = machine(&fleet, "b", &["h"]);
    let c = machine(&fleet, "c", &["h"]);
    let mut runner = fleet.spawn(&b, "b", &["run", "--remote", "origin", "h"]);
    // T1 runs in its own worktree (`<name>.tasks/<task>` beside the workstream's).
    let pidfile = fleet.top().join("b.aos/h.tasks/T1/hold.pid");
    assert!(
        eventually(Duration::from_secs(60), || pidfile.is_file()),
        "runner b never started"
    );
    let out = fleet.aos(&c, &["run", "--remote", "origin", "h"]);
    let _ = runner.kill();
    let _ = runner.wait();
    let agent: i32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(agent), nix::sys::signal::SIGKILL);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("workstream `h` (claimed until"),
        "{}",
        stderr(&out)
    );
}
