//! The reader against a real repository: it notices a workstream another writer
//! created even while it trusts the live refs' fingerprint to skip listing them.

use std::process::Command;
use std::time::{Duration, SystemTime};

use super::reader::Reader;
use crate::store::{Event, Store, WorkstreamRecord};

fn git(dir: &std::path::Path, args: &[&str]) {
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
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn create(store: &Store, name: &str) {
    let record = WorkstreamRecord::example(name, "/nowhere");
    store
        .create(record, &Event::new("create", "created"), |_| Ok(()))
        .unwrap();
}

/// Dates the live refs' storage long ago, as if nothing had moved for a while.
fn settle(git_dir: &std::path::Path) {
    for p in [git_dir.join("refs/aos/ws"), git_dir.join("packed-refs")] {
        if let Ok(f) = std::fs::File::open(&p) {
            f.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(1000))
                .unwrap();
        }
    }
}

#[test]
fn a_settled_fingerprint_skips_nothing_that_changed() {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["commit", "-q", "--allow-empty", "-m", "root"]);
    let store = Store::discover(dir.path()).unwrap();
    create(&store, "a");
    let mut reader = Reader::new(store.clone());
    let board = reader
        .read()
        .unwrap()
        .expect("the first read builds a board");
    assert_eq!(board.rows.len(), 1);

    settle(&dir.path().join(".git"));
    reader.relist();
    assert!(reader.read().unwrap().is_none(), "nothing changed");
    assert!(
        reader.read().unwrap().is_none(),
        "still nothing, by the fingerprint"
    );

    // Another writer (a `run` elsewhere) creates a workstream.
    create(&store, "b");
    let board = reader.read().unwrap().expect("the new workstream is seen");
    let names: Vec<&str> = board.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names.len(), 2, "{names:?}");

    // Packing the refs moves the fingerprint too, and changes nothing shown.
    settle(&dir.path().join(".git"));
    reader.relist();
    assert!(reader.read().unwrap().is_none());
    git(dir.path(), &["pack-refs", "--all"]);
    assert!(
        reader.read().unwrap().is_none(),
        "the same refs, listed again"
    );
    git(dir.path(), &["update-ref", "-d", "refs/aos/ws/a"]);
    let board = reader
        .read()
        .unwrap()
        .expect("a deleted workstream is seen");
    assert_eq!(board.rows.len(), 1);
}
