//! The chain of custody when tasks run in their own worktrees (HEAD detached at the run's
//! base, the branch moved by landings only): an agent's commits and branch moves are
//! undone and kept, a landing is never undone, a broken link is repaired.

use crate::common::{Repo, stderr};
use crate::{assert_custody, files_at, plan, setup_with, tip};

#[test]
fn an_agent_that_commits_in_its_own_worktree_and_moves_the_branch_is_undone() {
    let repo = Repo::new();
    let script = "echo a > a.txt\ngit add -A\ngit commit -q -m mine\ngit update-ref refs/heads/aos/w HEAD\necho more > b.txt";
    setup_with(&repo, "", &plan(script, "test -f b.txt", None), 3);
    let main = tip(&repo, "main");
    let out = repo.aos(&["run", "w"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("moved the worktree's HEAD"), "{err}");
    assert!(
        err.contains("moved `aos/w`") && err.contains("no landing did"),
        "{err}"
    );
    let files = files_at(&repo, "aos/w");
    assert!(files.contains(&"a.txt".to_owned()) && files.contains(&"b.txt".to_owned()));
    let subjects = repo.git(&["log", "--format=%s", "main..aos/w"]);
    assert_eq!(
        subjects.trim(),
        "T1: Do the task",
        "the agent's commit never lands"
    );
    let rescued = repo.git(&["for-each-ref", "--format=%(refname)", "refs/aos/rescue/w/"]);
    // Kept while the task ran, dropped once it landed.
    assert!(rescued.trim().is_empty(), "{rescued}");
    assert_custody(&repo, &main);
}

#[test]
fn a_deleted_link_in_a_task_worktree_is_repaired_and_nothing_reaches_main() {
    let repo = Repo::new();
    setup_with(
        &repo,
        "",
        &plan("rm .git\necho b > b.txt", "test -f b.txt", None),
        3,
    );
    let main = tip(&repo, "main");
    let out = repo.aos(&["run", "w"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("broke the worktree's git link"),
        "{}",
        stderr(&out)
    );
    assert!(files_at(&repo, "aos/w").contains(&"b.txt".to_owned()));
    assert!(!files_at(&repo, "main").contains(&"b.txt".to_owned()));
    assert_custody(&repo, &main);
}
