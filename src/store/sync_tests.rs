//! What sync, claims and trust need from the store, against real repositories.

use super::tests::git;
use super::*;
use crate::ids::{RemoteName, WorkstreamName};

fn repo() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["commit", "-q", "--allow-empty", "-m", "root"]);
    let store = Store::discover(dir.path()).unwrap();
    (dir, store)
}

fn name(s: &str) -> WorkstreamName {
    s.parse().unwrap()
}

fn record(n: &str) -> WorkstreamRecord {
    WorkstreamRecord::example(n, "/elsewhere/w")
}

const PLAN: &str = "# Plan: p\n\n### [ ] T1: One\n\n### [ ] T2: Two\n";

#[test]
fn two_chains_that_diverged_merge_into_one_commit_with_both_parents() {
    let (dir, store) = repo();
    let base = store
        .create(record("m"), &Event::new("create", "c"), |tx| {
            tx.put("memory/learnings.md", "- one\n");
            Ok(())
        })
        .unwrap();
    let ours = store
        .update(&name("m"), &Event::new("x", "ours"), |tx| {
            tx.put("memory/learnings.md", "- one\n- ours\n");
            Ok(())
        })
        .unwrap();
    // Theirs: another child of the base, as another clone would have made it.
    assert!(
        store
            .sync_ref(
                &refs::live(&name("m")),
                Some(&ours.commit),
                Some(&base.commit),
                "rewind"
            )
            .unwrap()
    );
    let theirs = store
        .update(&name("m"), &Event::new("x", "theirs"), |tx| {
            tx.put("memory/learnings.md", "- one\n- theirs\n");
            tx.put(
                "gates/clarify/q1.toml",
                "id = \"q1\"\nquestion = \"why?\"\n",
            );
            Ok(())
        })
        .unwrap();
    let remote: RemoteName = "origin".parse().unwrap();
    let merged = store
        .merge_state(&name("m"), &ours.commit, &theirs.commit, &remote)
        .unwrap()
        .unwrap();
    let parents = git(dir.path(), &["log", "-1", "--format=%P", &merged.commit]);
    assert_eq!(parents.trim(), format!("{} {}", ours.commit, theirs.commit));
    // Both growths, the older side's first (within one second: by commit id).
    let memory = git(
        dir.path(),
        &["show", &format!("{}:memory/learnings.md", merged.commit)],
    );
    let mut lines: Vec<&str> = memory.lines().collect();
    assert_eq!(lines.remove(0), "- one");
    lines.sort_unstable();
    assert_eq!(lines, ["- ours", "- theirs"]);
    let ws = git(
        dir.path(),
        &["show", &format!("{}:workstream.toml", merged.commit)],
    );
    assert!(ws.contains("status = \"blocked\""), "{ws}");
    // The merged state reads back like any other.
    assert!(
        store
            .sync_ref(
                &refs::live(&name("m")),
                Some(&theirs.commit),
                Some(&merged.commit),
                "merged"
            )
            .unwrap()
    );
    assert_eq!(store.find(&name("m")).unwrap().ws.status, WsStatus::Blocked);
    git(dir.path(), &["fsck", "--strict"]);
}

#[test]
fn diverged_notes_merge_like_cat_sort_uniq() {
    let (dir, store) = repo();
    let c1 = git(dir.path(), &["rev-parse", "HEAD"]).trim().to_owned();
    git(dir.path(), &["commit", "-q", "--allow-empty", "-m", "two"]);
    let c2 = git(dir.path(), &["rev-parse", "HEAD"]).trim().to_owned();
    store.note_set(&c1, "task: T1\n").unwrap();
    let base = git(dir.path(), &["rev-parse", "refs/notes/aos"])
        .trim()
        .to_owned();
    store.note_set(&c1, "task: T1\nby: ann\n").unwrap();
    let ours = git(dir.path(), &["rev-parse", "refs/notes/aos"])
        .trim()
        .to_owned();
    assert!(
        store
            .sync_ref(refs::NOTES, Some(&ours), Some(&base), "rewind")
            .unwrap()
    );
    store
        .notes_set(&[
            (c1.clone(), "task: T1\nagent: codex\n".into()),
            (c2.clone(), "task: T2\n".into()),
        ])
        .unwrap();
    let theirs = git(dir.path(), &["rev-parse", "refs/notes/aos"])
        .trim()
        .to_owned();
    let merged = store.merge_notes(&ours, &theirs).unwrap();
    assert!(
        store
            .sync_ref(refs::NOTES, Some(&theirs), Some(&merged), "merged")
            .unwrap()
    );
    assert_eq!(
        git(dir.path(), &["notes", "--ref=aos", "show", &c1]),
        "agent: codex\nby: ann\ntask: T1\n"
    );
    assert_eq!(
        git(dir.path(), &["notes", "--ref=aos", "show", &c2]),
        "task: T2\n"
    );
}

#[test]
fn a_chain_copied_from_a_remote_was_not_created_here() {
    let (_dir, store) = repo();
    let made = store
        .create(record("here"), &Event::new("create", "c"), |_| Ok(()))
        .unwrap();
    assert!(store.created_here(&name("here")));
    assert!(store.only_written_here(&name("here")));
    assert!(
        store
            .sync_ref(
                &refs::live(&name("there")),
                None,
                Some(&made.commit),
                "copied from origin"
            )
            .unwrap()
    );
    assert!(!store.created_here(&name("there")));
    assert!(!store.only_written_here(&name("there")));
}

#[test]
fn plans_written_here_are_trusted_and_ticks_do_not_change_their_digest() {
    let (_dir, store) = repo();
    store
        .create(record("t"), &Event::new("create", "c"), |tx| {
            tx.put(path::PLAN, PLAN);
            Ok(())
        })
        .unwrap();
    let digest = store.plan_digest(PLAN).unwrap();
    assert_eq!(store.plan_trust(&digest), Some(Trusted::MadeHere));
    assert_eq!(
        store
            .plan_digest(&PLAN.replace("[ ] T1", "[x] T1"))
            .unwrap(),
        digest
    );
    let other = store.plan_digest(&PLAN.replace("One", "Uno")).unwrap();
    assert_ne!(other, digest);
    assert_eq!(store.plan_trust(&other), None);
    store.trust_plan(&other, "trusted by ann").unwrap();
    assert_eq!(
        store.plan_trust(&other),
        Some(Trusted::ByPerson("trusted by ann".into()))
    );
    assert!(store.distrust_plan(&other));
    assert_eq!(store.plan_trust(&other), None);
}

#[test]
fn claims_round_trip_and_lapse() {
    let (_dir, store) = repo();
    let claim = Claim {
        workstream: name("w"),
        holder: "host:1".into(),
        since: "2026-01-01T00:00:00Z".into(),
        expires_at: "2026-01-01T00:05:00Z".into(),
        renewals: 0,
    };
    let commit = store.write_claim(&claim).unwrap();
    assert_eq!(store.read_claim(&commit).unwrap(), Some(claim.clone()));
    let before: jiff::Timestamp = "2026-01-01T00:04:59Z".parse().unwrap();
    let after: jiff::Timestamp = "2026-01-01T00:05:00Z".parse().unwrap();
    assert!(!claim.is_expired(before));
    assert!(claim.is_expired(after));
    let probe = store.write_probe().unwrap();
    assert_eq!(store.read_claim(&probe).unwrap(), None);
}
