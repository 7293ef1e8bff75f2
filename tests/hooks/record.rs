//! `prepare-commit-msg` and `post-commit`: trailers on a person's commit, the commit in
//! the state chain, and its note.

use crate::common::stderr;
use crate::{Fixture, count_lines, write};

#[test]
fn trailers_are_added_once_also_on_amend() {
    let f = Fixture::new();
    write(&f.wt, "ok.txt", "ok");
    f.git_wt_ok(&["add", "ok.txt"]);
    f.git_wt_ok(&["commit", "-q", "-m", "make ok"]);
    let message = f.git_wt_ok(&["log", "-1", "--format=%B"]);
    assert_eq!(message, "make ok\n\nAos-Workstream: w\nAos-Task: T1\n\n");

    write(&f.wt, "ok.txt", "ok again");
    f.git_wt_ok(&["commit", "-q", "-a", "--amend", "--no-edit"]);
    let message = f.git_wt_ok(&["log", "-1", "--format=%B"]);
    assert_eq!(count_lines(&message, "Aos-Workstream: w"), 1, "{message}");
    assert_eq!(count_lines(&message, "Aos-Task: T1"), 1, "{message}");

    write(&f.wt, "ok.txt", "ok thrice");
    f.git_wt_ok(&["commit", "-q", "-a", "--amend", "-m", "new words"]);
    let message = f.git_wt_ok(&["log", "-1", "--format=%B"]);
    assert_eq!(message, "new words\n\nAos-Workstream: w\nAos-Task: T1\n\n");
}

#[test]
fn trailers_already_in_the_message_are_kept_as_written() {
    let f = Fixture::new();
    write(&f.wt, "ok.txt", "ok");
    f.git_wt_ok(&["add", "ok.txt"]);
    f.git_wt_ok(&["commit", "-q", "-m", "for T2 really\n\nAos-Task: T2"]);
    let message = f.git_wt_ok(&["log", "-1", "--format=%B"]);
    assert_eq!(
        message,
        "for T2 really\n\nAos-Task: T2\nAos-Workstream: w\n\n"
    );
    // The message's own task wins when the commit is recorded.
    assert_eq!(
        f.tasks()["task"][1]["manual_commit"].as_str(),
        Some(f.rev("HEAD").as_str())
    );
    assert!(f.note("HEAD").contains("task: T2"), "{}", f.note("HEAD"));
}

#[test]
fn a_merge_message_gets_no_trailers() {
    let f = Fixture::new();
    write(&f.wt, "ok.txt", "ok");
    f.git_wt_ok(&["add", "ok.txt"]);
    f.git_wt_ok(&["commit", "-q", "-m", "make ok"]);
    std::fs::write(f.repo.path("main.txt"), "m\n").unwrap();
    f.repo.git(&["add", "main.txt"]);
    f.repo.git(&["commit", "-q", "-m", "main moves"]);
    let states = f.state_commits();
    f.git_wt_ok(&["merge", "-q", "--no-ff", "--no-edit", "main"]);
    let message = f.git_wt_ok(&["log", "-1", "--format=%B"]);
    assert!(!message.contains("Aos-"), "{message}");
    assert_eq!(f.state_commits(), states, "a merge is no task's work");
}

#[test]
fn post_commit_records_the_commit_in_the_state_chain_and_notes_it() {
    let f = Fixture::new();
    write(&f.wt, "ok.txt", "ok");
    f.git_wt_ok(&["add", "ok.txt"]);
    let out = f.git_wt(&["commit", "-q", "-m", "make ok"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let head = f.rev("HEAD");

    let log = f
        .repo
        .git(&["log", "-1", "--format=%an <%ae>%n%B", "refs/aos/ws/w"]);
    assert!(log.starts_with("Ada Tester <ada@example.com>\n"), "{log}");
    assert!(log.contains("Aos-Event: manual-commit\n"), "{log}");
    assert!(log.contains("Aos-Task: T1\n"), "{log}");
    assert!(log.contains(&format!("Aos-Commit: {head}\n")), "{log}");
    assert_eq!(
        f.tasks()["task"][0]["manual_commit"].as_str(),
        Some(head.as_str())
    );
    assert_eq!(
        f.note("HEAD"),
        "workstream: w\ntask: T1\nby: Ada Tester <ada@example.com>\nverification: passed\n"
    );
}

#[test]
fn a_note_the_commit_already_has_keeps_its_other_keys() {
    let f = Fixture::new();
    write(&f.wt, "ok.txt", "ok");
    f.git_wt_ok(&["add", "ok.txt"]);
    f.git_wt_ok(&["commit", "-q", "-m", "make ok"]);
    // The pipeline noted this commit too; the person's `reset` + recommit makes the same id.
    f.git_wt_ok(&[
        "notes",
        "--ref=aos",
        "add",
        "-f",
        "-m",
        "run: 01JRUN\nverification: none",
        "HEAD",
    ]);
    f.git_wt_ok(&["reset", "-q", "--soft", "HEAD~"]);
    f.git_wt_ok(&["commit", "-q", "-m", "make ok"]);
    assert_eq!(
        f.note("HEAD"),
        "run: 01JRUN\nverification: passed\nworkstream: w\ntask: T1\nby: Ada Tester <ada@example.com>\n"
    );
}
