//! Agents that commit, switch branches or break the worktree's git link, and reviewers
//! that edit: the task lands as one pipeline commit of what was tested and reviewed.

use super::common::{Repo, stderr, stdout};
use super::{assert_custody, files_at, plan, setup, tip, tip_note};

#[test]
fn an_agent_that_switches_branch_and_commits_there_has_its_task_land_on_its_own_branch() {
    let repo = Repo::new();
    let script =
        "git checkout -q -b other\necho a > a.txt\ngit add a.txt\ngit commit -q -m 'agent commit'";
    setup(&repo, "", &plan(script, "test -f a.txt", None));
    let main = tip(&repo, "main");
    let out = repo.aos(&["run", "w"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("switched the worktree to branch `other`"),
        "{}",
        stderr(&out)
    );
    // The task landed on aos/w, as one commit of git aos.
    assert_eq!(
        repo.git(&["rev-list", "--count", "main..aos/w"]).trim(),
        "1"
    );
    assert!(files_at(&repo, "aos/w").contains(&"a.txt".to_owned()));
    // The agent's own branch and commit are left alone, and not part of aos/w.
    let other = tip(&repo, "other");
    let merged = repo.cmd_in(
        &repo.root,
        "git",
        &["merge-base", "--is-ancestor", &other, "aos/w"],
    );
    assert!(
        !merged.status.success(),
        "the agent's commit landed as it is"
    );
    let note = tip_note(&repo);
    assert!(note.contains("custody: T1 implement"), "{note}");
    assert!(note.contains("created branch `other`"), "{note}");
    // The worktree is on its branch again.
    let head = repo.cmd_in(&repo.worktree("w"), "git", &["symbolic-ref", "HEAD"]);
    assert_eq!(stdout(&head).trim(), "refs/heads/aos/w");
    // Rescue refs go once the task landed.
    assert_eq!(repo.git(&["for-each-ref", "refs/aos/rescue/"]), "");
    assert_custody(&repo, &main);
}

#[test]
fn deleting_the_git_link_of_a_worktree_inside_the_repository_never_commits_on_main() {
    let repo = Repo::new();
    std::fs::write(repo.path(".gitignore"), ".worktrees/\n").unwrap();
    let script = "rm .git\necho b > b.txt";
    setup(
        &repo,
        "worktrees = \".worktrees\"\n",
        &plan(script, "test -f b.txt", None),
    );
    let main = tip(&repo, "main");
    let out = repo.aos(&["run", "w"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        files_at(&repo, "aos/w").contains(&"b.txt".to_owned()),
        "{}",
        stderr(&out)
    );
    assert!(!files_at(&repo, "main").contains(&"b.txt".to_owned()));
    assert!(tip_note(&repo).contains("broke the worktree's git link"));
    assert!(
        repo.root.join(".worktrees/w/.git").is_file(),
        "the link was not repaired"
    );
    assert_custody(&repo, &main);
}

#[test]
fn an_agent_that_commits_part_of_its_work_is_judged_on_all_of_it() {
    let repo = Repo::new();
    let script = "mkdir -p src\necho ok > src/a.rs\nprintf '<<<<<<< ours\\nx\\n>>>>>>> theirs\\n' > notes.txt\ngit add -A\ngit commit -q -m partial\necho more > src/b.rs";
    setup(&repo, "", &plan(script, "test -f src/b.rs", Some("src/")));
    let main = tip(&repo, "main");
    let base = tip(&repo, "aos/w");
    let out = repo.aos(&["run", "w"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("outside the declared scope"), "{err}");
    assert!(err.contains("notes.txt"), "{err}");
    assert!(err.contains("conflict markers"), "{err}");
    // Nothing landed, and the agent's commit is kept aside: the task's run and its fix
    // task's (which carried the work on and ran the same script) each have theirs.
    assert_eq!(tip(&repo, "aos/w"), base);
    let rescued = repo.git(&["for-each-ref", "--format=%(refname)", "refs/aos/rescue/w/"]);
    assert_eq!(rescued.lines().count(), 2, "{rescued}");
    for r in rescued.lines() {
        let kept = repo.git(&["log", "--format=%s", r]);
        assert!(kept.contains("partial"), "{kept}");
    }
    let show = repo.aos_ok(&["show", "w"]);
    assert!(show.contains("committed on `aos/w` itself"), "{show}");
    assert_eq!(tip(&repo, "main"), main);
    let fsck = repo.cmd_in(&repo.root, "git", &["fsck", "--strict", "--no-dangling"]);
    assert!(fsck.status.success(), "{}", stderr(&fsck));
}

#[test]
fn an_agent_that_commits_all_of_its_work_still_has_a_change_to_land() {
    let repo = Repo::new();
    let script = "echo a > a.txt\ngit add -A\ngit commit -q -m 'all of it'";
    setup(&repo, "", &plan(script, "test -f a.txt", None));
    let main = tip(&repo, "main");
    let out = repo.aos(&["run", "w"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let subjects = repo.git(&["log", "--format=%s", "main..aos/w"]);
    assert_eq!(subjects.trim(), "T1: Do the task");
    assert!(files_at(&repo, "aos/w").contains(&"a.txt".to_owned()));
    assert_custody(&repo, &main);
}

#[test]
fn a_reviewer_that_edits_while_approving_has_its_edit_thrown_away_and_its_verdict_voided() {
    let repo = Repo::new();
    let sneaky = r#"[agents.sneaky]
adapter = "command"
sandbox = "off"
command = ["sh", "-c", "echo evil > evil.txt; echo 'tampered' >> a.txt; printf '%s' '{\"verdict\":\"approve\",\"summary\":\"fine\",\"comments\":[]}' > \"$AOS_RESULT\""]
"#;
    setup(
        &repo,
        sneaky,
        &plan("echo a > a.txt", "test -f a.txt", None),
    );
    let toml = std::fs::read_to_string(repo.path("aos.toml"))
        .unwrap()
        .replace("review = \"critic\"", "review = [\"sneaky\", \"critic\"]");
    std::fs::write(repo.path("aos.toml"), toml).unwrap();
    let main = tip(&repo, "main");
    let out = repo.aos(&["run", "w"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("changed files while reviewing"),
        "{}",
        stderr(&out)
    );
    let files = files_at(&repo, "aos/w");
    assert!(!files.contains(&"evil.txt".to_owned()), "{files:?}");
    assert_eq!(repo.git(&["show", "aos/w:a.txt"]), "a\n");
    assert!(!repo.worktree("w").join("evil.txt").exists());
    let note = tip_note(&repo);
    assert!(
        note.contains("changed files while reviewing (a.txt, evil.txt)"),
        "{note}"
    );
    assert_custody(&repo, &main);
}

#[test]
fn a_person_edit_at_the_gate_is_tested_before_it_lands() {
    let repo = Repo::new();
    setup(&repo, "", &plan("echo a > a.txt", "grep -q a a.txt", None));
    let toml = std::fs::read_to_string(repo.path("aos.toml"))
        .unwrap()
        .replace("autonomy = \"autonomous\"", "autonomy = \"gatekeeper\"");
    std::fs::write(repo.path("aos.toml"), toml).unwrap();
    let main = tip(&repo, "main");
    assert_eq!(repo.aos(&["run", "w"]).status.code(), Some(3));
    let wt = repo.worktree("w");
    // An edit that breaks the acceptance is refused; nothing lands, the gate stays.
    std::fs::write(wt.join("a.txt"), "b\n").unwrap();
    let out = repo.aos(&["approve", "w"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the edit at the gate fails `grep -q a a.txt`"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        repo.git(&["rev-list", "--count", "main..aos/w"]).trim(),
        "0"
    );
    // A good edit is re-tested and lands.
    std::fs::write(wt.join("a.txt"), "a, edited\n").unwrap();
    let out = repo.aos(&["approve", "w"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(repo.git(&["show", "aos/w:a.txt"]), "a, edited\n");
    assert!(tip_note(&repo).contains("edited at the gate by Ada Tester"));
    assert_eq!(tip(&repo, "main"), main);
}

#[test]
fn a_confined_reviewer_cannot_write_the_worktree_at_all() {
    let repo = Repo::new();
    // Confined (the default where the kernel has Landlock): the write is denied, and the
    // verdict still reaches git aos through the reviewer's scratch directory.
    let sneaky = r#"[agents.sneaky]
adapter = "command"
command = ["sh", "-c", "echo evil > evil.txt; printf '%s' '{\"verdict\":\"approve\",\"summary\":\"fine\",\"comments\":[]}' > \"$AOS_RESULT\""]
"#;
    setup(
        &repo,
        sneaky,
        &plan("echo a > a.txt", "test -f a.txt", None),
    );
    let toml = std::fs::read_to_string(repo.path("aos.toml"))
        .unwrap()
        .replace("review = \"critic\"", "review = [\"sneaky\", \"critic\"]");
    std::fs::write(repo.path("aos.toml"), toml).unwrap();
    let main = tip(&repo, "main");
    let out = repo.aos(&["run", "w"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!files_at(&repo, "aos/w").contains(&"evil.txt".to_owned()));
    assert!(!repo.worktree("w").join("evil.txt").exists());
    assert_custody(&repo, &main);
}
