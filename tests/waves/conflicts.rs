//! Conflicts at landing: a resolver first, then the task's agent on the new tip, then
//! the person who approved the change.

use std::process::Command;

use crate::common::{Repo, hermetic, stderr};
use crate::{assert_linear, run_record, setup, task};

/// Two tasks that both append a line at the end of `shared.txt`: whichever lands second
/// conflicts. `script` runs when the file holds no conflict marker.
fn appenders(script: &str) -> String {
    let resolve_or = |id: &str| {
        format!(
            "if grep -q '^<<<<<<<' shared.txt; then sed -i -e '/^<<<<<<< /d' -e '/^=======$/d' -e '/^>>>>>>> /d' shared.txt; else {}; fi",
            script.replace("ID", id)
        )
    };
    format!(
        "# Plan: conflict\n\n{}{}",
        task("A", "none", "grep -q A shared.txt", &resolve_or("A")),
        task("B", "none", "grep -q B shared.txt", &resolve_or("B")),
    )
}

#[test]
fn a_conflict_goes_to_a_resolver_and_every_landed_line_stays() {
    let repo = Repo::new();
    let log = repo.tmp.path().join("resolver.log");
    let extra = "\n[merge]\nresolvers = [[\"not-installed-merger\", \"{base}\"], [\"union-resolver\", \"{base}\", \"{left}\", \"{right}\", \"{out}\"]]\n";
    setup(
        &repo,
        "autonomous",
        extra,
        &appenders("echo ID >> shared.txt"),
    );
    let mut cmd = Command::new("git");
    cmd.args(["aos", "run", "w"]).current_dir(&repo.root);
    hermetic(&mut cmd, repo.tmp.path());
    let out = cmd.env("RESOLVER_LOG", &log).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_linear(&repo, 2);
    let shared = repo.git(&["show", "aos/w:shared.txt"]);
    assert!(
        shared.starts_with("start\n") && shared.contains("A\n") && shared.contains("B\n"),
        "{shared}"
    );
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "shared.txt\n");
    // The resolver settled it: neither task needed a second attempt.
    for t in ["A", "B"] {
        assert!(run_record(&repo, t).contains("attempt = 1"), "{t}");
    }
}

#[test]
fn a_conflict_no_resolver_settles_goes_back_to_the_agent_on_the_new_tip() {
    let repo = Repo::new();
    let extra = "\n[merge]\nresolvers = [[\"union-resolver\", \"{base}\", \"{left}\", \"{right}\", \"{out}\"]]\n";
    setup(
        &repo,
        "autonomous",
        extra,
        &appenders("echo ID >> shared.txt"),
    );
    let mut cmd = Command::new("git");
    cmd.args(["aos", "run", "w"]).current_dir(&repo.root);
    hermetic(&mut cmd, repo.tmp.path());
    let out = cmd.env("RESOLVER_FAIL", "1").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("back to the agent") || stderr(&out).contains("on the new tip"),
        "{}",
        stderr(&out)
    );
    assert_linear(&repo, 2);
    let shared = repo.git(&["show", "aos/w:shared.txt"]);
    assert!(shared.contains("A\n") && shared.contains("B\n"), "{shared}");
    assert!(!shared.contains("<<<<<<<"), "{shared}");
    let second: Vec<String> = ["A", "B"]
        .iter()
        .map(|t| run_record(&repo, t))
        .filter(|r| r.contains("conflicts = 1"))
        .collect();
    assert_eq!(
        second.len(),
        1,
        "exactly the second to land went back to its agent"
    );
    assert!(second[0].contains("attempt = 2"), "{}", second[0]);
    let note = repo.git(&["notes", "--ref=aos", "show", "aos/w"]);
    assert!(note.contains("conflicts: 1"), "{note}");
}

#[test]
fn a_change_that_conflicts_after_a_person_approved_it_comes_back_to_them() {
    let repo = Repo::new();
    setup(&repo, "gatekeeper", "", &appenders("echo ID >> shared.txt"));
    assert_eq!(repo.aos(&["run", "w"]).status.code(), Some(3));
    repo.aos_ok(&["approve", "w", "A"]);
    let out = repo.aos(&["approve", "w", "B"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("conflicts with what landed in shared.txt"),
        "{}",
        stderr(&out)
    );
    let wt = repo.worktree("w.tasks").join("B");
    let marked = std::fs::read_to_string(wt.join("shared.txt")).unwrap();
    assert!(
        marked.contains("<<<<<<<") && marked.contains("A") && marked.contains("B"),
        "{marked}"
    );
    let show = repo.aos_ok(&["show", "w", "B"]);
    assert!(
        show.contains("conflicts with what landed meanwhile in: shared.txt"),
        "{show}"
    );
    // Still marked: refused. Resolved by the person: checked, then landed.
    let out = repo.aos(&["approve", "w", "B"]);
    assert!(
        stderr(&out).contains("conflict markers are left in shared.txt"),
        "{}",
        stderr(&out)
    );
    std::fs::write(wt.join("shared.txt"), "start\nA\nB\n").unwrap();
    repo.aos_ok(&["approve", "w", "B"]);
    assert_eq!(repo.git(&["show", "aos/w:shared.txt"]), "start\nA\nB\n");
    assert_linear(&repo, 2);
}
