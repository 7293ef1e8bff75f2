//! `git aos demo`: the whole pipeline offline, and what it leaves is readable with git.

mod common;

use common::{Repo, stderr, stdout};

#[test]
fn the_demo_runs_two_workstreams_and_leaves_a_readable_history() {
    let scratch = Repo::new();
    let dir = scratch.tmp.path().join("demo");
    let out = scratch.aos(&["demo", "--dir", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("case-tools: complete (4/4 tasks"), "{text}");
    assert!(text.contains("count-tools: complete (3/3 tasks"), "{text}");
    assert!(
        text.contains("attempts 2"),
        "the reviewer asks for changes once: {text}"
    );
    assert!(text.contains("case-tools: merged into main"), "{text}");
    assert!(text.contains("git log --notes=aos"), "{text}");

    let repo = dir.join("textkit");
    let git = |args: &[&str]| stdout(&scratch.cmd_in(&repo, "git", args));
    let notes = git(&["log", "--notes=aos", "--format=%s%n%N", "main"]);
    // One provenance note per task commit (the merge commits have their own).
    assert_eq!(notes.matches("\ntask: T").count(), 4, "{notes}");
    assert_eq!(notes.matches("\ntask: C").count(), 3, "{notes}");
    assert!(repo.join("bin/swap").is_file() && repo.join("docs/count.md").is_file());
    let archived = git(&["for-each-ref", "--format=%(refname)", "refs/aos/archive/"]);
    assert_eq!(archived.lines().count(), 2, "{archived}");
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
