//! Across machines, end to end: clones of one bare remote in a temp dir, each a machine.
//! `sync` and its merges here; trust, per-machine worktrees and doctor's remote check in
//! `remote/machines.rs`; runners that claim work in `remote/runners.rs`.

mod common;
#[path = "remote/fleet.rs"]
mod fleet;
#[path = "remote/machines.rs"]
mod machines;
#[path = "remote/runners.rs"]
mod runners;

use common::{stderr, stdout};
use fleet::{Fleet, PLAN};

/// Returns `clarify list --all --json` as (id, question, answer) rows.
fn questions(fleet: &Fleet, m: &str) -> Vec<(String, String, Option<String>)> {
    let text = fleet.aos_ok(&fleet.dir(m), &["clarify", "list", "--all", "--json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    rows.iter()
        .map(|q| {
            (
                q["id"].as_str().unwrap().to_owned(),
                q["question"].as_str().unwrap().to_owned(),
                q["answer"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

#[test]
fn two_clones_that_answered_and_asked_offline_reconcile_with_nothing_lost() {
    let fleet = Fleet::new("", &[("plan.md", PLAN)]);
    let a = fleet.dir("a");
    fleet.aos_ok(&a, &["new", "q", "--plan", "plan.md"]);
    fleet.aos_ok(&a, &["clarify", "ask", "q", "which database?"]);
    fleet.aos_ok(&a, &["clarify", "ask", "q", "which port?"]);
    fleet.aos_ok(&a, &["sync"]);
    let b = fleet.clone("b");
    fleet.aos_ok(&b, &["sync"]);

    // Offline, each answers one question and asks one; both new questions are `q3`.
    fleet.aos_ok(&a, &["clarify", "answer", "q", "q1", "postgres"]);
    fleet.aos_ok(&a, &["clarify", "ask", "q", "tabs or spaces?"]);
    fleet.aos_ok(&b, &["clarify", "answer", "q", "q2", "8080"]);
    fleet.aos_ok(&b, &["clarify", "ask", "q", "which licence?"]);

    fleet.aos_ok(&a, &["sync"]);
    let out = fleet.aos_ok(&b, &["sync"]);
    assert!(out.contains("q  merged"), "{out}");
    assert!(
        out.contains("q3 was made on both sides: the later one is now q4"),
        "{out}"
    );
    fleet.aos_ok(&a, &["sync"]);

    let got = questions(&fleet, "a");
    assert_eq!(
        got,
        questions(&fleet, "b"),
        "both clones hold the same questions"
    );
    assert_eq!(
        got[..2],
        [
            (
                "q1".into(),
                "which database?".into(),
                Some("postgres".into())
            ),
            ("q2".into(), "which port?".into(), Some("8080".into())),
        ]
    );
    // Asked within one second, either may be the later; both are there, open, apart.
    let mut open: Vec<(&str, &str)> = got[2..]
        .iter()
        .map(|(id, q, a)| {
            assert_eq!(*a, None);
            (id.as_str(), q.as_str())
        })
        .collect();
    open.sort_by_key(|(_, q)| *q);
    let ids: std::collections::BTreeSet<&str> = open.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, ["q3", "q4"].into());
    assert_eq!(
        open.iter().map(|(_, q)| *q).collect::<Vec<_>>(),
        ["tabs or spaces?", "which licence?"]
    );
    let tip = |m: &str| fleet.git(&fleet.dir(m), &["rev-parse", "refs/aos/ws/q"]);
    assert_eq!(tip("a"), tip("b"));
    // One merge state commit, with both clones' tips as parents.
    let parents = fleet.git(&a, &["log", "-1", "--format=%P", "refs/aos/ws/q"]);
    assert_eq!(parents.split_whitespace().count(), 2, "{parents}");
    let status: serde_json::Value =
        serde_json::from_str(&fleet.aos_ok(&a, &["status", "q", "--json"])).unwrap();
    assert_eq!(status["status"], "blocked");
    fleet.git(&a, &["fsck", "--strict"]);
}

#[test]
fn sync_copies_fast_forwards_and_carries_a_close_to_the_other_clone() {
    let fleet = Fleet::new("", &[("plan.md", PLAN)]);
    let a = fleet.dir("a");
    fleet.aos_ok(&a, &["new", "x", "--plan", "plan.md"]);
    fleet.aos_ok(&a, &["new", "y", "--plan", "plan.md"]);
    let report: serde_json::Value =
        serde_json::from_str(&fleet.aos_ok(&a, &["sync", "--json"])).unwrap();
    assert_eq!(report["workstreams"][0]["action"], "pushed");
    assert_eq!(report["pushed"], 4, "{report}");
    let b = fleet.clone("b");

    // A dry run fetches and reports, and moves nothing.
    let before = fleet.git(&b, &["for-each-ref", "refs/aos/ws/", "refs/heads/"]);
    let dry = fleet.aos_ok(&b, &["sync", "--dry-run"]);
    assert!(dry.contains("x  would be copied from the remote"), "{dry}");
    assert_eq!(
        fleet.git(&b, &["for-each-ref", "refs/aos/ws/", "refs/heads/"]),
        before
    );

    assert!(
        fleet
            .aos_ok(&b, &["sync"])
            .contains("y  copied from the remote")
    );
    fleet.aos_ok(&a, &["clarify", "ask", "y", "ready?"]);
    fleet.aos_ok(&a, &["close", "x"]);
    fleet.aos_ok(&a, &["sync"]);
    let out = fleet.aos_ok(&b, &["sync"]);
    assert!(
        out.contains("x  closed on another clone: archived here too"),
        "{out}"
    );
    assert!(out.contains("y  fast-forwarded"), "{out}");
    assert!(
        fleet
            .aos_ok(&b, &["list"])
            .lines()
            .all(|l| !l.starts_with("x "))
    );
    assert!(fleet.aos_ok(&b, &["archive", "list"]).contains("x."));
    // Nothing to do: nothing pushed, and every workstream up to date.
    let again = fleet.aos(&b, &["sync"]);
    assert!(
        stderr(&again).contains("in step with `origin`; nothing to push"),
        "{}",
        stderr(&again)
    );
    assert_eq!(stdout(&again).trim(), "y  up to date");
}

#[test]
fn sync_without_a_remote_says_how_to_add_one() {
    let fleet = Fleet::new("", &[]);
    let a = fleet.dir("a");
    let out = fleet.aos(&a, &["sync", "upstream"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no remote named `upstream`"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("hint: `git remote -v` lists them"),
        "{}",
        stderr(&out)
    );
    let out = fleet.aos(&a, &["sync", "git@host:x.git"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not a URL"), "{}", stderr(&out));
}

/// Writes a state commit on top of `refs/aos/ws/<ws>` with `plan.md` replaced, with git
/// plumbing (as a script of one's own could).
fn replace_plan(fleet: &Fleet, dir: &std::path::Path, ws: &str, plan: &str) {
    let live = format!("refs/aos/ws/{ws}");
    std::fs::write(dir.join("new-plan.md"), plan).unwrap();
    let blob = fleet.git(dir, &["hash-object", "-w", "new-plan.md"]);
    let index = dir.join(".git/plan-index");
    let index = index.to_str().unwrap();
    let run = |args: &[&str]| {
        let mut cmd = std::process::Command::new("git");
        cmd.args(args).current_dir(dir);
        common::hermetic(&mut cmd, fleet.tmp.path());
        cmd.env("GIT_INDEX_FILE", index);
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out).trim().to_owned()
    };
    run(&["read-tree", &live]);
    run(&[
        "update-index",
        "--cacheinfo",
        &format!("100644,{},plan.md", blob.trim()),
    ]);
    let tree = run(&["write-tree"]);
    let commit = run(&[
        "commit-tree",
        &tree,
        "-p",
        &live,
        "-m",
        &format!("ws {ws}: plan edited"),
    ]);
    fleet.git(dir, &["update-ref", &live, &commit]);
}

#[test]
fn a_plan_rewritten_differently_on_two_clones_is_refused_for_that_workstream_only() {
    let fleet = Fleet::new("", &[("plan.md", PLAN)]);
    let a = fleet.dir("a");
    fleet.aos_ok(&a, &["new", "r", "--plan", "plan.md"]);
    fleet.aos_ok(&a, &["new", "s", "--plan", "plan.md"]);
    fleet.aos_ok(&a, &["sync"]);
    let b = fleet.clone("b");
    fleet.aos_ok(&b, &["sync"]);
    replace_plan(&fleet, &a, "r", &PLAN.replace("One", "Uno"));
    replace_plan(&fleet, &b, "r", &PLAN.replace("One", "Eins"));
    fleet.aos_ok(&b, &["clarify", "ask", "s", "still there?"]);
    fleet.aos_ok(&a, &["sync"]);
    let remote_r = fleet.git(&a, &["rev-parse", "refs/aos/ws/r"]);
    let b_r = fleet.git(&b, &["rev-parse", "refs/aos/ws/r"]);
    let out = fleet.aos(&b, &["sync"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stdout(&out).contains("r  refused"), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("could not reconcile r: the plan changed differently on both sides"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("git show refs/aos/remotes/origin/ws/r:plan.md"),
        "{}",
        stderr(&out)
    );
    // Nothing of `r` moved on either side; `s` went through.
    assert_eq!(fleet.git(&b, &["rev-parse", "refs/aos/ws/r"]), b_r);
    assert_eq!(
        fleet.git(&fleet.dir("remote.git"), &["rev-parse", "refs/aos/ws/r"]),
        remote_r
    );
    fleet.aos_ok(&a, &["sync"]);
    assert!(
        fleet
            .aos_ok(&a, &["clarify", "list"])
            .contains("still there?")
    );
}
