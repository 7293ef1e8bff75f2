//! `post-rewrite` and sequences: notes and task commit ids follow `--amend` and
//! `rebase`, and per-commit hooks stay quiet while git replays commits.

use crate::common::stderr;
use crate::{Fixture, count_lines, write};

/// Makes the first task's commit plus two more, and returns their ids.
fn three_commits(f: &Fixture) -> Vec<String> {
    let mut ids = Vec::new();
    for (file, msg) in [("ok.txt", "make ok"), ("b.txt", "b"), ("c.txt", "c")] {
        let out = f.commit(file, msg);
        assert!(out.status.success(), "{}", stderr(&out));
        ids.push(f.rev("HEAD"));
    }
    ids
}

fn move_main(f: &Fixture) {
    std::fs::write(f.repo.path("main.txt"), "m\n").unwrap();
    f.repo.git(&["add", "main.txt"]);
    f.repo.git(&["commit", "-q", "-m", "main moves"]);
}

#[test]
fn amend_carries_the_note_and_the_task_commit() {
    let f = Fixture::new();
    write(&f.wt, "ok.txt", "ok");
    f.git_wt_ok(&["add", "ok.txt"]);
    f.git_wt_ok(&["commit", "-q", "-m", "make ok"]);
    let old = f.rev("HEAD");
    // Something the pipeline noted that the person's amend must not lose.
    f.git_wt_ok(&[
        "notes",
        "--ref=aos",
        "append",
        "-m",
        "reviewer: approve",
        "HEAD",
    ]);

    write(&f.wt, "ok.txt", "ok, amended");
    f.git_wt_ok(&["commit", "-q", "-a", "--amend", "--no-edit"]);
    let new = f.rev("HEAD");
    assert_ne!(old, new);
    assert_eq!(
        f.note("HEAD"),
        "workstream: w\ntask: T1\nby: Ada Tester <ada@example.com>\nverification: passed\nreviewer: approve\n"
    );
    assert_eq!(
        f.tasks()["task"][0]["manual_commit"].as_str(),
        Some(new.as_str())
    );
}

#[test]
fn rebase_carries_notes_in_one_notes_commit_and_moves_task_ids() {
    let f = Fixture::new();
    // Without notes.rewriteRef git copies nothing: the hook alone carries the notes.
    f.repo.git(&["config", "--unset-all", "notes.rewriteRef"]);
    let old = three_commits(&f);
    move_main(&f);
    let notes_before: usize = f
        .repo
        .git(&["rev-list", "--count", "refs/notes/aos"])
        .trim()
        .parse()
        .unwrap();
    let states = f.state_commits();

    let out = f.git_wt(&["rebase", "main"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let new: Vec<String> = ["HEAD~2", "HEAD~1", "HEAD"]
        .iter()
        .map(|r| f.rev(r))
        .collect();
    for (o, n) in old.iter().zip(&new) {
        assert_ne!(o, n);
        assert_eq!(f.note(n), f.note(o), "note of {o} follows to {n}");
    }
    let notes_after: usize = f
        .repo
        .git(&["rev-list", "--count", "refs/notes/aos"])
        .trim()
        .parse()
        .unwrap();
    assert_eq!(
        notes_after,
        notes_before + 1,
        "one notes commit for the whole rebase"
    );
    // Per-commit hooks stayed quiet: one state commit, the rewrite, and no new trailers.
    assert_eq!(f.state_commits(), states + 1);
    let event = f.repo.git(&["log", "-1", "--format=%B", "refs/aos/ws/w"]);
    assert!(event.contains("Aos-Event: rewrite"), "{event}");
    assert_eq!(
        f.tasks()["task"][0]["manual_commit"].as_str(),
        Some(new[2].as_str())
    );
    let log = f.git_wt_ok(&["log", "--format=%B", "main..HEAD"]);
    assert_eq!(count_lines(&log, "Aos-Workstream:"), 3, "{log}");
}

#[test]
fn rebase_with_notes_rewrite_ref_set_does_not_duplicate_notes() {
    let f = Fixture::new();
    let old = three_commits(&f);
    move_main(&f);
    f.git_wt_ok(&["rebase", "--force-rebase", "main"]);
    // git copied the notes (notes.rewriteRef); the hook found nothing left to do.
    let last = f.repo.git(&["log", "-1", "--format=%s", "refs/notes/aos"]);
    assert_eq!(last, "Notes added by 'git notes copy'\n");
    let new = f.rev("HEAD");
    assert_eq!(f.note(&new), f.note(&old[2]));
    assert_eq!(count_lines(&f.note(&new), "workstream:"), 1);
}

#[test]
fn a_cherry_picked_sequence_is_not_recorded_commit_by_commit() {
    let f = Fixture::new();
    f.repo.git(&["checkout", "-q", "-b", "side"]);
    for name in ["s1", "s2"] {
        std::fs::write(f.repo.path(name), "s\n").unwrap();
        f.repo.git(&["add", name]);
        f.repo.git(&["commit", "-q", "-m", name]);
    }
    f.repo.git(&["checkout", "-q", "main"]);
    let states = f.state_commits();
    f.git_wt_ok(&["cherry-pick", "main..side"]);
    assert_eq!(f.state_commits(), states);
    assert!(!f.git_wt_ok(&["log", "-2", "--format=%B"]).contains("Aos-"));
}

#[test]
fn hook_content_after_the_shim_still_gets_the_rewritten_pairs() {
    let f = Fixture::new();
    let hook = f.repo.path(".git/hooks/post-rewrite");
    let mut text = std::fs::read_to_string(&hook).unwrap();
    text.push_str("cat > \"$(git rev-parse --show-toplevel)/rewritten.txt\"\n");
    std::fs::write(&hook, text).unwrap();
    write(&f.wt, "ok.txt", "ok");
    f.git_wt_ok(&["add", "ok.txt"]);
    f.git_wt_ok(&["commit", "-q", "-m", "make ok"]);
    let old = f.rev("HEAD");
    write(&f.wt, "ok.txt", "again");
    f.git_wt_ok(&["commit", "-q", "-a", "--amend", "--no-edit"]);
    let seen = std::fs::read_to_string(f.wt.join("rewritten.txt")).unwrap();
    assert_eq!(seen, format!("{old} {}\n", f.rev("HEAD")));
}
