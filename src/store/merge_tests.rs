//! Diffs, in-memory merges and replays against repositories made with git, checked
//! against what git itself says.

use std::path::Path;

use super::*;

fn git(dir: &Path, args: &[&str]) -> String {
    super::tests::git(dir, args).trim().to_owned()
}

fn commit(dir: &Path, file: &str, content: &str, msg: &str) -> String {
    std::fs::write(dir.join(file), content).unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", msg]);
    git(dir, &["rev-parse", "HEAD"])
}

/// main: `a.txt` (10 lines) and `big.txt`; branch `x` renames `big.txt` and edits line 1
/// of `a.txt`; main then edits line 10 of `a.txt`.
fn diverged() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    let lines: String = (1..=10).map(|i| format!("l{i}\n")).collect();
    std::fs::write(d.join("big.txt"), "a line that is long enough\n".repeat(30)).unwrap();
    commit(d, "a.txt", &lines, "root");
    git(d, &["checkout", "-q", "-b", "x"]);
    git(d, &["mv", "big.txt", "big2.txt"]);
    commit(d, "a.txt", &lines.replace("l1\n", "x\n"), "x edits");
    git(d, &["checkout", "-q", "main"]);
    commit(d, "a.txt", &lines.replace("l10\n", "main\n"), "main edits");
    let store = Store::discover(d).unwrap();
    (dir, store)
}

fn tip(store: &Store, branch: &str) -> String {
    store.branch_tip(branch).unwrap().unwrap()
}

#[test]
fn divergence_counts_both_sides_and_names_both_paths_of_a_rename() {
    let (dir, store) = diverged();
    let d = store
        .divergence(&tip(&store, "main"), &tip(&store, "x"))
        .unwrap();
    assert_eq!(d.files, ["a.txt", "big.txt", "big2.txt"]);
    assert_eq!(d.base_files, ["a.txt"]);
    assert_eq!((d.ahead, d.behind), (1, 1));
    assert_eq!(
        d.merge_base.as_deref(),
        Some(git(dir.path(), &["merge-base", "main", "x"]).as_str())
    );
}

#[test]
fn a_clean_merge_gives_the_tree_git_gives() {
    let (dir, store) = diverged();
    let result = store
        .merge_commits(&tip(&store, "main"), &tip(&store, "x"))
        .unwrap();
    let expected = git(dir.path(), &["merge-tree", "--write-tree", "main", "x"]);
    assert_eq!(result, MergeResult::Clean(expected));
}

#[test]
fn previews_find_conflicts_and_write_nothing() {
    let (dir, store) = diverged();
    let d = dir.path();
    git(d, &["checkout", "-q", "-b", "y", "x~1"]);
    commit(d, "a.txt", "conflicting\n", "y rewrites a.txt");
    let before = git(d, &["count-objects"]);
    let (main, x, y) = (tip(&store, "main"), tip(&store, "x"), tip(&store, "y"));
    let previews = store
        .preview_merges(&[(main.clone(), x.clone()), (x.clone(), y.clone()), (main, y)])
        .unwrap();
    assert_eq!(
        previews,
        [vec![], vec!["a.txt".to_owned()], vec!["a.txt".to_owned()]]
    );
    let refused = store.merge_commits(&x, &tip(&store, "y")).unwrap();
    assert_eq!(refused, MergeResult::Conflicts(vec!["a.txt".to_owned()]));
    assert_eq!(git(d, &["count-objects"]), before);
}

#[test]
fn replay_rewrites_onto_the_new_base_keeping_authors() {
    let (dir, store) = diverged();
    let main = tip(&store, "main");
    let commits: Vec<String> = store
        .commits_between(&main, &tip(&store, "x"))
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(commits.len(), 1);
    let Replay::Done {
        tip: new,
        rewritten,
        dropped,
    } = store.replay(&main, &commits).unwrap()
    else {
        panic!("replay conflicted");
    };
    assert!(dropped.is_empty());
    assert_eq!(rewritten, [(commits[0].clone(), new.clone())]);
    let d = dir.path();
    assert_eq!(git(d, &["rev-parse", &format!("{new}^")]), main);
    assert_eq!(git(d, &["log", "-1", "--format=%an %s", &new]), "T x edits");
    assert_eq!(
        git(d, &["show", &format!("{new}:a.txt")]),
        (1..=10)
            .map(|i| match i {
                1 => "x".to_owned(),
                10 => "main".to_owned(),
                _ => format!("l{i}"),
            })
            .collect::<Vec<_>>()
            .join("\n")
    );
    // Moving main by compare-and-swap: a stale expectation changes nothing.
    assert!(
        !store
            .move_branch("main", &new, &commits[0], "test")
            .unwrap()
    );
    assert!(store.move_branch("main", &new, &main, "test").unwrap());
    assert_eq!(tip(&store, "main"), new);
    git(d, &["fsck", "--strict"]);
}
