//! The store against real repositories made with `git init`, checked with git itself.

use std::path::Path;
use std::process::Command;

use super::*;
use crate::ids::WorkstreamName;

/// Runs git hermetically in `dir`, asserting success; returns stdout.
pub(super) fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "T")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "T")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn repo() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["commit", "-q", "--allow-empty", "-m", "root"]);
    let store = Store::discover(dir.path()).unwrap();
    (dir, store)
}

fn record(name: &str) -> WorkstreamRecord {
    WorkstreamRecord::example(name, "/tmp/x")
}

fn name(s: &str) -> WorkstreamName {
    s.parse().unwrap()
}

#[test]
fn create_then_update_writes_a_chain_git_can_read() {
    let (dir, store) = repo();
    store
        .create(record("a"), &Event::new("create", "created"), |_| Ok(()))
        .unwrap();
    let ev = Event::new("stage", "T1 implement").task(&"T1".parse().unwrap());
    let snap = store
        .update(&name("a"), &ev, |tx| {
            tx.ws_mut().status = WsStatus::Running;
            tx.put("memory/learnings.md", "- use CAS\n");
            Ok(())
        })
        .unwrap();
    assert_eq!(snap.ws.status, WsStatus::Running);
    assert_eq!(git(dir.path(), &["show", "refs/aos/ws/a:format"]), "1\n");
    assert!(
        git(dir.path(), &["show", "refs/aos/ws/a:workstream.toml"])
            .contains("status = \"running\"")
    );
    assert_eq!(
        git(dir.path(), &["show", "refs/aos/ws/a:memory/learnings.md"]),
        "- use CAS\n"
    );
    let log = git(
        dir.path(),
        &[
            "log",
            "--format=%s%n%(trailers:key=Aos-Event,valueonly)",
            "refs/aos/ws/a",
        ],
    );
    assert!(log.contains("ws a: T1 implement\nstage"), "{log}");
    assert!(
        git(dir.path(), &["reflog", "show", "refs/aos/ws/a"])
            .lines()
            .count()
            >= 2
    );
    git(dir.path(), &["fsck", "--strict"]);
    let history = store.log(&name("a"), 10).unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].event, "stage");
    assert_eq!(
        history[0].trailers,
        vec![("Aos-Task".to_owned(), "T1".to_owned())]
    );
}

#[test]
fn creating_twice_is_refused() {
    let (_dir, store) = repo();
    store
        .create(record("a"), &Event::new("create", "c"), |_| Ok(()))
        .unwrap();
    let err = store
        .create(record("a"), &Event::new("create", "c"), |_| Ok(()))
        .unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
}

#[test]
fn concurrent_updates_lose_nothing() {
    let (_dir, store) = repo();
    store
        .create(record("c"), &Event::new("create", "c"), |tx| {
            tx.put("counter", "0");
            Ok(())
        })
        .unwrap();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let store = store.clone();
            std::thread::spawn(move || {
                for _ in 0..25 {
                    store
                        .update(&name("c"), &Event::new("bump", "bump"), |tx| {
                            let n: u32 =
                                String::from_utf8(tx.read("counter")?.unwrap())?.parse()?;
                            tx.put("counter", (n + 1).to_string());
                            Ok(())
                        })
                        .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let snap = store.find(&name("c")).unwrap();
    assert_eq!(store.read_file(&snap, "counter").unwrap().unwrap(), b"100");
    assert_eq!(store.log(&name("c"), 1000).unwrap().len(), 101);
}

#[test]
fn a_newer_format_is_refused_and_nothing_changes() {
    let (dir, store) = repo();
    store
        .create(record("f"), &Event::new("create", "c"), |_| Ok(()))
        .unwrap();
    store
        .update(&name("f"), &Event::new("x", "future"), |tx| {
            tx.put("format", "2\n");
            Ok(())
        })
        .ok();
    // The write above succeeded (format is rewritten to 1 on every write), so forge one with git.
    let tree = git(dir.path(), &["rev-parse", "refs/aos/ws/f^{tree}"]);
    let blob = {
        let mut child = Command::new("git")
            .args(["hash-object", "-w", "--stdin"])
            .current_dir(dir.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write as _;
        child.stdin.take().unwrap().write_all(b"2\n").unwrap();
        String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap()
    };
    let listing = git(dir.path(), &["ls-tree", tree.trim()]).replace(
        &format!(
            "{}\tformat",
            git(dir.path(), &["rev-parse", "refs/aos/ws/f:format"]).trim()
        ),
        &format!("{}\tformat", blob.trim()),
    );
    let mut mk = Command::new("git")
        .args(["mktree"])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    mk.stdin
        .take()
        .unwrap()
        .write_all(listing.as_bytes())
        .unwrap();
    let new_tree = String::from_utf8(mk.wait_with_output().unwrap().stdout).unwrap();
    let commit = git(
        dir.path(),
        &[
            "commit-tree",
            new_tree.trim(),
            "-p",
            "refs/aos/ws/f",
            "-m",
            "future",
        ],
    );
    git(dir.path(), &["update-ref", "refs/aos/ws/f", commit.trim()]);
    let err = store.find(&name("f")).unwrap_err();
    assert!(
        err.to_string()
            .contains("newer than this git-aos understands"),
        "{err}"
    );
    let before = git(dir.path(), &["rev-parse", "refs/aos/ws/f"]);
    assert!(
        store
            .update(&name("f"), &Event::new("x", "x"), |_| Ok(()))
            .is_err()
    );
    assert_eq!(git(dir.path(), &["rev-parse", "refs/aos/ws/f"]), before);
}

#[test]
fn archive_and_restore_move_the_chain() {
    let (dir, store) = repo();
    store
        .create(record("a"), &Event::new("create", "c"), |_| Ok(()))
        .unwrap();
    let id = store
        .archive(&name("a"), &Event::new("close", "closed"), |tx| {
            tx.ws_mut().status = WsStatus::Closed;
            Ok(())
        })
        .unwrap();
    assert!(store.try_find(&name("a")).unwrap().is_none());
    let archives = store.list_archives().unwrap();
    assert_eq!(archives.len(), 1);
    assert_eq!(archives[0].id, id);
    assert_eq!(archives[0].ws.status, WsStatus::Closed);
    assert_eq!(store.newest_archive(&name("a")).unwrap(), Some(id.clone()));
    let snap = store
        .restore(&id, &Event::new("open", "reopened"), |tx| {
            tx.ws_mut().status = WsStatus::Active;
            Ok(())
        })
        .unwrap();
    assert_eq!(snap.ws.status, WsStatus::Active);
    assert!(store.list_archives().unwrap().is_empty());
    // The chain continues across close/open: create, close, open.
    assert_eq!(store.log(&name("a"), 10).unwrap().len(), 3);
    git(dir.path(), &["fsck", "--strict"]);
}

#[test]
fn notes_are_readable_by_git() {
    let (dir, store) = repo();
    let head = git(dir.path(), &["rev-parse", "HEAD"]).trim().to_owned();
    store.note_set(&head, "workstream: a\ntask: T1\n").unwrap();
    assert_eq!(
        git(dir.path(), &["notes", "--ref=aos", "show", &head]),
        "workstream: a\ntask: T1\n"
    );
    git(dir.path(), &["commit", "-q", "--allow-empty", "-m", "two"]);
    let second = git(dir.path(), &["rev-parse", "HEAD"]).trim().to_owned();
    store
        .notes_set(&[
            (head.clone(), "a: 1\n".into()),
            (second.clone(), "b: 2\n".into()),
        ])
        .unwrap();
    assert_eq!(store.note_get(&second).unwrap().as_deref(), Some("b: 2\n"));
    assert_eq!(
        git(dir.path(), &["notes", "--ref=aos", "list"])
            .lines()
            .count(),
        2
    );
    git(dir.path(), &["fsck", "--strict"]);
}

#[test]
fn tx_reads_its_own_writes_and_lists_dirs() {
    let (_dir, store) = repo();
    store
        .create(record("d"), &Event::new("create", "c"), |tx| {
            tx.put("gates/clarify/q1.toml", "question = \"why\"\n");
            tx.put("gates/clarify/q2.toml", "question = \"how\"\n");
            Ok(())
        })
        .unwrap();
    store
        .update(&name("d"), &Event::new("x", "x"), |tx| {
            assert_eq!(tx.list_dir("gates/clarify")?, vec!["q1.toml", "q2.toml"]);
            tx.remove("gates/clarify/q1.toml");
            tx.put("gates/clarify/q3.toml", "question = \"what\"\n");
            assert_eq!(tx.list_dir("gates/clarify")?, vec!["q2.toml", "q3.toml"]);
            tx.remove("gates");
            assert!(tx.read("gates/clarify/q2.toml")?.is_none());
            Ok(())
        })
        .unwrap();
    let snap = store.find(&name("d")).unwrap();
    assert!(store.list_dir(&snap, "gates").unwrap().is_empty());
}

#[test]
fn a_ref_lock_left_by_a_dead_writer_is_cleared() {
    let (dir, store) = repo();
    store
        .create(record("s"), &Event::new("create", "c"), |_| Ok(()))
        .unwrap();
    let lock = dir.path().join(".git/refs/aos/ws/s.lock");
    leave_stale_lock(&lock);
    store
        .update(&name("s"), &Event::new("x", "after a crash"), |_| Ok(()))
        .unwrap();
    assert!(!lock.exists());
    assert_eq!(store.log(&name("s"), 10).unwrap().len(), 2);
}

#[test]
fn a_notes_lock_left_by_a_dead_writer_is_cleared() {
    let (dir, store) = repo();
    let head = git(dir.path(), &["rev-parse", "HEAD"]).trim().to_owned();
    store.note_set(&head, "a: 1\n").unwrap();
    let lock = dir.path().join(".git/refs/notes/aos.lock");
    leave_stale_lock(&lock);
    store.note_set(&head, "a: 2\n").unwrap();
    assert!(!lock.exists());
    assert_eq!(store.note_get(&head).unwrap().as_deref(), Some("a: 2\n"));
}

/// Leaves a ref lock file behind as a writer killed a minute ago would.
fn leave_stale_lock(lock: &Path) {
    std::fs::write(lock, "").unwrap();
    let out = Command::new("touch")
        .args(["-d", "1 minute ago"])
        .arg(lock)
        .output()
        .unwrap();
    assert!(out.status.success());
}
