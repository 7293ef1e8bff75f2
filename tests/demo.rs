//! `git aos demo`: the whole pipeline offline, and what it leaves is readable with git.

mod common;

use common::{Repo, stderr, stdout};

#[test]
fn the_demo_stops_once_at_the_gate_then_finishes_and_leaves_a_readable_history() {
    let scratch = Repo::new();
    let dir = scratch.tmp.path().join("demo");
    let out = scratch.aos(&["demo", "--dir", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    // The person's turn: the three commands, and what `show` prints, before the summary.
    let gate = text.find("A person's turn").expect(&text);
    let summary = text.find("What happened").expect(&text);
    assert!(gate < summary, "{text}");
    for cmd in [
        "git aos show greeting",
        "git aos approve greeting",
        "git aos reject greeting -f",
    ] {
        assert!(text[gate..summary].contains(cmd), "{cmd}: {text}");
    }
    assert!(
        text[gate..summary].contains("reviewer: approve"),
        "show's output: {text}"
    );
    assert!(text.contains("approved by a person at the gate"), "{text}");
    for ws in [
        "case-tools: 4 tasks",
        "count-tools: 3 tasks",
        "greeting: 1 tasks",
    ] {
        assert!(
            text.contains(&format!("{ws}, merged into main")),
            "{ws}: {text}"
        );
    }
    assert!(
        text.contains("attempt 2 added it"),
        "the reviewer asks for changes once: {text}"
    );
    assert!(!text.contains("outcome"), "no debug words: {text}");
    assert!(text.contains("git log --notes=aos"), "{text}");
    // The next step on one's own repository.
    assert!(text.contains("git aos init --agent claude"), "{text}");
    assert!(
        text.contains("git aos plan new --template plan.md"),
        "{text}"
    );
    // Progress goes to stderr, never into the summary; and nothing is a false alarm.
    assert!(!text.contains("landed as"), "{text}");
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));

    let repo = dir.join("textkit");
    let git = |args: &[&str]| stdout(&scratch.cmd_in(&repo, "git", args));
    let notes = git(&["log", "--notes=aos", "--format=%s%n%N", "main"]);
    // One provenance note per task commit (the merge commits have their own).
    assert_eq!(notes.matches("\ntask: T").count(), 4, "{notes}");
    assert_eq!(notes.matches("\ntask: C").count(), 3, "{notes}");
    assert_eq!(notes.matches("\ntask: G").count(), 1, "{notes}");
    assert!(repo.join("bin/swap").is_file() && repo.join("docs/count.md").is_file());
    let archived = git(&["for-each-ref", "--format=%(refname)", "refs/aos/archive/"]);
    assert_eq!(archived.lines().count(), 3, "{archived}");
    // Each run's scratch directory (prompts, result files) goes once its task lands.
    let runs = std::fs::read_dir(repo.join(".git/aos/scratch/case-tools"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(runs, 0, "scratch directories left behind");
    let fsck = scratch.cmd_in(&repo, "git", &["fsck", "--strict"]);
    assert!(fsck.status.success(), "{}", stderr(&fsck));
    let report = scratch.cmd_in(&repo, "git", &["aos", "report", "case-tools", "--json"]);
    assert!(report.status.success(), "{}", stderr(&report));
    assert!(stdout(&report).contains("\"status\": \"merged\""));
    let report: serde_json::Value = serde_json::from_str(&stdout(&report)).unwrap();
    assert_eq!(
        report["waves"],
        serde_json::json!([["T1", "T2"], ["T3"], ["T4"]]),
        "T1 and T2 ran side by side"
    );
}
