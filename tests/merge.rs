//! End to end: refresh, conflicts (plain and deep), merge with its three strategies, the
//! merge gate, a checked-out base (clean and dirty), a crash mid-merge, and `open` of a
//! workstream whose base moved.

mod common;

use std::path::Path;
use std::process::Command;

use common::{Repo, stderr, stdout};
use serde_json::Value;

const LINES: &str = "l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\nl10\n";

/// A repository with `aos.toml` committed (so the main checkout is clean) and `shared.txt`.
fn setup() -> Repo {
    let repo = Repo::new();
    repo.aos_ok(&["init", "--yes"]);
    std::fs::write(repo.path("shared.txt"), LINES).unwrap();
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "aos.toml and shared.txt"]);
    repo
}

fn git_in(repo: &Repo, dir: &Path, args: &[&str]) -> String {
    let out = repo.cmd_in(dir, "git", args);
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
    stdout(&out)
}

/// Writes `file` in `dir`, commits everything, returns the commit.
fn commit_in(repo: &Repo, dir: &Path, file: &str, content: &str, msg: &str) -> String {
    std::fs::write(dir.join(file), content).unwrap();
    git_in(repo, dir, &["add", "-A"]);
    git_in(repo, dir, &["commit", "-q", "-m", msg]);
    git_in(repo, dir, &["rev-parse", "HEAD"]).trim().to_owned()
}

/// `LINES` with line `n` (1-based) replaced.
fn with_line(n: usize, text: &str) -> String {
    LINES
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i + 1 == n {
                format!("{text}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect()
}

fn json(repo: &Repo, args: &[&str]) -> Value {
    serde_json::from_str(&repo.aos_ok(args)).unwrap()
}

fn rev(repo: &Repo, what: &str) -> String {
    repo.git(&["rev-parse", what]).trim().to_owned()
}

fn loose_objects(repo: &Repo) -> String {
    repo.git(&["count-objects"])
}

/// Replaces one file of a live workstream's state tree with git plumbing (to stage tasks).
fn put_state_file(repo: &Repo, ws: &str, path: &str, content: &str) {
    let state = format!("refs/aos/ws/{ws}");
    let index = repo.tmp.path().join("state-index");
    let script = format!(
        "set -e; export GIT_INDEX_FILE={idx}; git read-tree {state}; \
         blob=$(printf '%s' \"$CONTENT\" | git hash-object -w --stdin); \
         git update-index --add --cacheinfo 100644,$blob,{path}; tree=$(git write-tree); \
         c=$(git commit-tree $tree -p {state} -m 'ws {ws}: test fixture'); git update-ref {state} $c",
        idx = index.display()
    );
    let mut cmd = Command::new("sh");
    cmd.args(["-c", &script]).current_dir(&repo.root);
    common::hermetic(&mut cmd, repo.tmp.path());
    let out = cmd.env("CONTENT", content).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

fn assert_fsck(repo: &Repo) {
    repo.git(&["fsck", "--strict"]);
    repo.aos_ok(&["fsck"]);
}

#[test]
fn conflicts_deep_names_a_file_both_change_on_the_same_lines() {
    let repo = setup();
    for (ws, text) in [("a", "from a"), ("b", "from b")] {
        repo.aos_ok(&["new", ws]);
        commit_in(
            &repo,
            &repo.worktree(ws),
            "shared.txt",
            &with_line(2, text),
            ws,
        );
    }
    repo.aos_ok(&["new", "c"]);
    commit_in(&repo, &repo.worktree("c"), "other.txt", "c\n", "c");
    let refs = repo.refs();
    let objects = loose_objects(&repo);

    let report = json(&repo, &["conflicts", "--deep", "--json"]);
    assert_eq!(report["deep"], true);
    let pairs = report["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 1, "{report}");
    assert_eq!(
        (pairs[0]["a"].as_str(), pairs[0]["b"].as_str()),
        (Some("a"), Some("b"))
    );
    assert_eq!(pairs[0]["overlap"], serde_json::json!(["shared.txt"]));
    assert_eq!(pairs[0]["conflicts"], serde_json::json!(["shared.txt"]));
    let against: Vec<&Value> = report["against_base"].as_array().unwrap().iter().collect();
    assert_eq!(against.len(), 3);
    assert!(
        against
            .iter()
            .all(|b| b["conflicts"] == serde_json::json!([]))
    );
    // a and b conflict: one of them lands last, after c.
    let order: Vec<&str> = report["order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(order, ["a", "c", "b"]);

    let text = repo.aos_ok(&["conflicts", "--deep"]);
    assert!(text.contains("CONFLICTS: shared.txt"), "{text}");
    // Nothing was written: no object, no ref.
    assert_eq!(loose_objects(&repo), objects);
    assert_eq!(repo.refs(), refs);
    // The exit code does not depend on conflicts.
    assert!(repo.aos(&["conflicts"]).status.success());
    assert_fsck(&repo);
}

#[test]
fn different_lines_of_one_file_overlap_without_a_predicted_conflict() {
    let repo = setup();
    repo.aos_ok(&["new", "a"]);
    repo.aos_ok(&["new", "b"]);
    repo.aos_ok(&["new", "d"]);
    commit_in(
        &repo,
        &repo.worktree("a"),
        "shared.txt",
        &with_line(1, "from a"),
        "a",
    );
    commit_in(
        &repo,
        &repo.worktree("b"),
        "shared.txt",
        &with_line(9, "from b"),
        "b",
    );
    // d only has uncommitted work in the same file: it counts for overlap.
    std::fs::write(repo.worktree("d").join("shared.txt"), with_line(5, "wip")).unwrap();

    let report = json(&repo, &["conflicts", "--deep", "--json"]);
    let pairs = report["pairs"].as_array().unwrap();
    let ab = pairs
        .iter()
        .find(|p| p["a"] == "a" && p["b"] == "b")
        .unwrap();
    assert_eq!(ab["overlap"], serde_json::json!(["shared.txt"]));
    assert_eq!(ab["conflicts"], serde_json::json!([]));
    assert_eq!(ab["uncommitted"], serde_json::json!([]));
    let ad = pairs
        .iter()
        .find(|p| p["a"] == "a" && p["b"] == "d")
        .unwrap();
    assert_eq!(ad["uncommitted"], serde_json::json!(["shared.txt"]));
    assert_eq!(
        ad["conflicts"],
        serde_json::json!([]),
        "deep merges use committed tips"
    );
    let text = repo.aos_ok(&["conflicts"]);
    assert!(
        text.contains("shared.txt*") && text.contains("uncommitted"),
        "{text}"
    );
}

#[test]
fn refresh_records_touched_files_and_staleness() {
    let repo = setup();
    std::fs::write(repo.path("old-name.txt"), "content that moves\n".repeat(20)).unwrap();
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "a file to rename"]);
    repo.aos_ok(&["new", "a"]);
    let wt = repo.worktree("a");
    commit_in(&repo, &wt, "shared.txt", &with_line(1, "from a"), "edit");
    git_in(&repo, &wt, &["mv", "old-name.txt", "new-name.txt"]);
    git_in(&repo, &wt, &["commit", "-q", "-m", "rename"]);
    std::fs::write(wt.join("notes.txt"), "untracked\n").unwrap();
    // Base moves: one commit touching a shared file and one that does not.
    commit_in(
        &repo,
        &repo.root,
        "shared.txt",
        &with_line(9, "from main"),
        "main 1",
    );
    commit_in(&repo, &repo.root, "main-only.txt", "x\n", "main 2");

    let records = json(&repo, &["refresh", "a", "--json"]);
    let r = &records[0];
    assert_eq!(r["name"], "a");
    assert_eq!(r["behind"], 2);
    assert_eq!(r["ahead"], 2);
    assert_eq!(r["base_files_changed"], 2);
    assert_eq!(r["shared"], serde_json::json!(["shared.txt"]));
    assert_eq!(r["staleness"], 12, "2 commits + 10 × 1 shared file");
    assert_eq!(
        r["committed"],
        serde_json::json!(["new-name.txt", "old-name.txt", "shared.txt"])
    );
    assert_eq!(r["uncommitted"], serde_json::json!(["notes.txt"]));
    let stored = repo.git(&["show", "refs/aos/ws/a:refresh.toml"]);
    assert!(stored.contains("staleness = 12"), "{stored}");
    let log = repo.git(&["log", "-1", "--format=%B", "refs/aos/ws/a"]);
    assert!(log.contains("Aos-Event: refresh"), "{log}");

    // Nothing changed: no new state commit. Every workstream without a name.
    let tip = rev(&repo, "refs/aos/ws/a");
    repo.aos_ok(&["refresh"]);
    assert_eq!(rev(&repo, "refs/aos/ws/a"), tip);
}

#[test]
fn merge_lands_on_a_clean_checked_out_base_and_updates_its_files() {
    let repo = setup();
    repo.git(&[
        "config",
        "aos.project.test",
        "test -f feature.txt && grep -q 'from a' shared.txt",
    ]);
    repo.aos_ok(&["new", "a"]);
    let wt = repo.worktree("a");
    commit_in(&repo, &wt, "feature.txt", "feature\n", "add feature");
    let tip = commit_in(
        &repo,
        &wt,
        "shared.txt",
        &with_line(3, "from a"),
        "edit shared",
    );
    // Base moves on a different file, so the merge is a real one.
    commit_in(&repo, &repo.root, "main.txt", "main\n", "main moves");
    let old_main = rev(&repo, "main");
    repo.aos_ok(&["debug", "set-status", "a", "complete"]);

    let out = repo.aos(&["merge", "a"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("gate passed"), "{}", stderr(&out));
    let merged = rev(&repo, "main");
    assert_eq!(stdout(&out).trim(), merged);
    let parents = repo.git(&["rev-list", "--parents", "-n1", "main"]);
    assert_eq!(parents.trim(), format!("{merged} {old_main} {tip}"));
    let msg = repo.git(&["log", "-1", "--format=%B", "main"]);
    assert!(msg.starts_with("Merge branch 'aos/a' into main"), "{msg}");
    assert!(msg.contains("Aos-Workstream: a"), "{msg}");
    // The checkout of main is up to date and clean.
    assert_eq!(
        std::fs::read_to_string(repo.path("feature.txt")).unwrap(),
        "feature\n"
    );
    assert_eq!(
        std::fs::read_to_string(repo.path("shared.txt")).unwrap(),
        with_line(3, "from a")
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    // Worktree gone, branch kept, state archived as merged with its merge commit.
    assert!(!wt.exists());
    assert!(!repo.tmp.path().join("repo.aos/.merge-gate-a").exists());
    assert_eq!(repo.git(&["worktree", "list"]).lines().count(), 1);
    let refs = repo.refs();
    assert!(refs.contains("refs/heads/aos/a "), "{refs}");
    assert!(!refs.contains("refs/aos/ws/a "), "{refs}");
    let archived = repo.git(&["for-each-ref", "--format=%(refname)", "refs/aos/archive/"]);
    let record = repo.git(&["show", &format!("{}:workstream.toml", archived.trim())]);
    assert!(record.contains("status = \"merged\""), "{record}");
    assert!(
        record.contains(&format!("merge_commit = \"{merged}\"")),
        "{record}"
    );
    let note = repo.git(&["notes", "--ref=aos", "show", "main"]);
    assert!(
        note.contains("strategy: merge") && note.contains("merge-gate: passed"),
        "{note}"
    );
    assert_fsck(&repo);
}

#[test]
fn a_dirty_checked_out_base_is_refused_and_left_byte_identical() {
    let repo = setup();
    repo.aos_ok(&["new", "a"]);
    commit_in(
        &repo,
        &repo.worktree("a"),
        "feature.txt",
        "feature\n",
        "feature",
    );
    repo.aos_ok(&["debug", "set-status", "a", "complete"]);
    let dirty = b"hello\nlocal edit, not committed\n\x00\xff";
    std::fs::write(repo.path("README.md"), dirty).unwrap();
    std::fs::write(repo.path("untracked.txt"), b"mine\n").unwrap();
    let before = repo.refs();

    let out = repo.aos(&["merge", "a"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("README.md") && err.contains("untracked.txt"),
        "{err}"
    );
    assert!(err.contains("never stashes"), "{err}");
    assert_eq!(std::fs::read(repo.path("README.md")).unwrap(), dirty);
    assert_eq!(
        std::fs::read(repo.path("untracked.txt")).unwrap(),
        b"mine\n"
    );
    assert_eq!(repo.refs(), before);
    assert!(repo.worktree("a").is_dir());
    assert!(!repo.path("feature.txt").exists());

    // Only the untracked file left: still refused.
    repo.git(&["checkout", "--", "README.md"]);
    let out = repo.aos(&["merge", "a"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("untracked.txt"), "{}", stderr(&out));
    assert_eq!(repo.refs(), before);
    assert_fsck(&repo);
}

#[test]
fn a_failing_merge_gate_leaves_base_where_it_was_and_records_why() {
    let repo = setup();
    repo.git(&["config", "aos.project.test", "echo gate says no; exit 1"]);
    repo.aos_ok(&["new", "a"]);
    commit_in(
        &repo,
        &repo.worktree("a"),
        "feature.txt",
        "feature\n",
        "feature",
    );
    repo.aos_ok(&["debug", "set-status", "a", "complete"]);
    let main = rev(&repo, "main");

    let out = repo.aos(&["merge", "a"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("merge gate failed") && err.contains("gate says no"),
        "{err}"
    );
    assert_eq!(rev(&repo, "main"), main);
    assert!(!repo.path("feature.txt").exists());
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    // The gate's worktree is gone; the workstream is still live, with the failure recorded.
    assert!(!repo.tmp.path().join("repo.aos/.merge-gate-a").exists());
    assert_eq!(repo.git(&["worktree", "list"]).lines().count(), 2);
    let status = json(&repo, &["status", "a", "--json"]);
    assert_eq!(status["status"], "complete");
    assert!(
        status["reason"]
            .as_str()
            .unwrap()
            .contains("merge gate failed"),
        "{status}"
    );
    let log = repo.git(&["log", "-1", "--format=%B", "refs/aos/ws/a"]);
    assert!(log.contains("Aos-Event: merge-gate"), "{log}");
    let gate = repo.git(&["show", "refs/aos/ws/a:merge-gate.toml"]);
    assert!(
        gate.contains("passed = false") && gate.contains("exit = \"1\""),
        "{gate}"
    );
    let gate_log = repo.git(&["show", "refs/aos/ws/a:merge-gate.log"]);
    assert!(gate_log.contains("gate says no"), "{gate_log}");

    // --no-gate lands it.
    repo.aos_ok(&["merge", "a", "--no-gate"]);
    assert!(repo.path("feature.txt").is_file());
    assert_fsck(&repo);
}

#[test]
fn squash_makes_one_commit_listing_the_tasks() {
    let repo = setup();
    repo.git(&["config", "aos.project.delete-branch-on-merge", "true"]);
    repo.aos_ok(&["new", "a"]);
    let wt = repo.worktree("a");
    commit_in(&repo, &wt, "feature.txt", "feature\n", "T1 wip");
    commit_in(&repo, &wt, "docs.txt", "docs\n", "T2 wip");
    put_state_file(
        &repo,
        "a",
        "tasks.toml",
        "[[task]]\nid = \"T1\"\ntitle = \"Add the feature\"\nstatus = \"done\"\n\n\
         [[task]]\nid = \"T2\"\ntitle = \"Document it\"\nstatus = \"done\"\n",
    );
    put_state_file(
        &repo,
        "a",
        "plan.md",
        "# Plan: the feature\n\nPrompt text that stays out.\n",
    );
    repo.aos_ok(&["debug", "set-status", "a", "complete"]);
    let old_main = rev(&repo, "main");

    repo.aos_ok(&["merge", "a", "--strategy", "squash"]);
    let parents = repo.git(&["rev-list", "--parents", "-n1", "main"]);
    assert_eq!(
        parents.split_whitespace().collect::<Vec<_>>()[1..],
        [old_main.as_str()]
    );
    let msg = repo.git(&["log", "-1", "--format=%B", "main"]);
    assert!(msg.starts_with("the feature (squash of aos/a)\n"), "{msg}");
    assert!(
        msg.contains("T1: Add the feature\nT2: Document it\n"),
        "{msg}"
    );
    assert!(!msg.contains("Prompt text"), "{msg}");
    assert!(repo.path("feature.txt").is_file() && repo.path("docs.txt").is_file());
    assert_eq!(repo.git(&["rev-list", "--count", "main"]).trim(), "3");
    assert!(
        !repo.refs().contains("refs/heads/aos/a "),
        "branch deleted as configured"
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    assert_fsck(&repo);
}

#[test]
fn rebase_replays_each_commit_on_base_and_keeps_notes() {
    let repo = setup();
    repo.aos_ok(&["new", "a"]);
    let wt = repo.worktree("a");
    let c1 = commit_in(&repo, &wt, "one.txt", "1\n", "T1: first");
    let c2 = commit_in(
        &repo,
        &wt,
        "shared.txt",
        &with_line(1, "from a"),
        "T2: second",
    );
    repo.git(&["notes", "--ref=aos", "add", "-f", "-m", "task: T1", &c1]);
    repo.git(&["notes", "--ref=aos", "add", "-f", "-m", "task: T2", &c2]);
    let main_moved = commit_in(
        &repo,
        &repo.root,
        "shared.txt",
        &with_line(9, "main"),
        "main moves",
    );
    repo.aos_ok(&["debug", "set-status", "a", "complete"]);

    repo.aos_ok(&["merge", "a", "--strategy", "rebase"]);
    let log = repo.git(&["log", "--format=%s|%P|%an", "main"]);
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 5, "{log}");
    assert!(lines[0].starts_with("T2: second|"), "{log}");
    assert!(lines[1].starts_with("T1: first|"), "{log}");
    assert_eq!(
        lines[1].split('|').nth(1),
        Some(main_moved.as_str()),
        "replayed onto base"
    );
    assert!(
        lines
            .iter()
            .all(|l| l.split('|').nth(1).unwrap().split(' ').count() <= 1),
        "linear: {log}"
    );
    assert_ne!(rev(&repo, "main"), c2, "rewritten");
    assert_eq!(
        repo.git(&["notes", "--ref=aos", "show", "main"]).trim(),
        "task: T2"
    );
    assert_eq!(
        repo.git(&["notes", "--ref=aos", "show", "main~1"]).trim(),
        "task: T1"
    );
    assert_eq!(
        std::fs::read_to_string(repo.path("shared.txt")).unwrap(),
        LINES.replace("l1\n", "from a\n").replace("l9\n", "main\n")
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    assert_fsck(&repo);
}

#[test]
fn a_workstream_that_is_not_complete_needs_force() {
    let repo = setup();
    repo.aos_ok(&["new", "a"]);
    commit_in(
        &repo,
        &repo.worktree("a"),
        "feature.txt",
        "feature\n",
        "feature",
    );
    let before = repo.refs();
    let out = repo.aos(&["merge", "a"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("not `complete`") && stderr(&out).contains("--force"),
        "{}",
        stderr(&out)
    );
    assert_eq!(repo.refs(), before);
    repo.aos_ok(&["merge", "a", "--force"]);
    assert!(repo.path("feature.txt").is_file());
    assert_fsck(&repo);
}

#[test]
fn a_conflicting_merge_is_refused_with_the_files_and_the_command() {
    let repo = setup();
    repo.aos_ok(&["new", "a"]);
    let wt = repo.worktree("a");
    commit_in(&repo, &wt, "shared.txt", &with_line(4, "from a"), "a");
    commit_in(
        &repo,
        &repo.root,
        "shared.txt",
        &with_line(4, "from main"),
        "main",
    );
    repo.aos_ok(&["debug", "set-status", "a", "complete"]);
    std::fs::write(wt.join("wip.txt"), "wip\n").unwrap();
    let out = repo.aos(&["merge", "a"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("wip.txt"),
        "uncommitted work first: {}",
        stderr(&out)
    );
    std::fs::remove_file(wt.join("wip.txt")).unwrap();
    let before = repo.refs();
    let objects = loose_objects(&repo);
    let out = repo.aos(&["merge", "a"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("shared.txt") && err.contains("git merge-tree --write-tree main aos/a"),
        "{err}"
    );
    assert_eq!(repo.refs(), before);
    assert_eq!(
        loose_objects(&repo),
        objects,
        "a refused merge writes nothing"
    );
}

#[test]
fn a_crash_after_base_moved_loses_nothing_and_a_rerun_finishes() {
    let repo = setup();
    repo.aos_ok(&["new", "a"]);
    commit_in(
        &repo,
        &repo.worktree("a"),
        "feature.txt",
        "feature\n",
        "feature",
    );
    repo.aos_ok(&["debug", "set-status", "a", "complete"]);
    let old_main = rev(&repo, "main");
    let mut cmd = Command::new("git");
    cmd.args(["aos", "merge", "a"]).current_dir(&repo.root);
    common::hermetic(&mut cmd, repo.tmp.path());
    let out = cmd.env("AOS_CRASH_AT", "after-cas").output().unwrap();
    assert!(!out.status.success());
    // Base moved, its checkout still holds the old files: the merge shows as staged
    // changes undoing it, and nothing is lost.
    assert_ne!(rev(&repo, "main"), old_main);
    assert!(!repo.path("feature.txt").exists());
    assert!(repo.git(&["status", "--porcelain"]).contains("feature.txt"));
    assert!(repo.refs().contains("refs/aos/ws/a "));
    let fsck = repo.aos(&["fsck"]);
    assert_eq!(fsck.status.code(), Some(1));
    assert!(
        stdout(&fsck).contains("interrupted_merge"),
        "{}",
        stdout(&fsck)
    );

    let out = repo.aos(&["merge", "a"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("finishing an interrupted merge"),
        "{}",
        stderr(&out)
    );
    assert!(repo.path("feature.txt").is_file());
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    assert!(!repo.refs().contains("refs/aos/ws/a "));
    assert_fsck(&repo);
}

#[test]
fn open_reports_staleness_and_predicted_conflicts_when_base_moved() {
    let repo = setup();
    repo.aos_ok(&["new", "a"]);
    commit_in(
        &repo,
        &repo.worktree("a"),
        "shared.txt",
        &with_line(6, "from a"),
        "a",
    );
    repo.aos_ok(&["close", "a"]);
    commit_in(
        &repo,
        &repo.root,
        "shared.txt",
        &with_line(6, "from main"),
        "main",
    );
    let out = repo.aos(&["open", "a"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("staleness 11") && err.contains("would conflict in: shared.txt"),
        "{err}"
    );
    assert!(repo.worktree("a").is_dir());
}
