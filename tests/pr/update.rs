//! Pushing again: the lease is the tip recorded at the last push, so someone else's push
//! is never overwritten; a push or a request that a killed run did not record is found
//! again, never repeated; a request is updated, never opened twice.

use super::{Host, World, err};

/// Clones the bare remote, commits on `aos/w` there and pushes; returns the new commit.
fn push_from_elsewhere(world: &World, file: &str) -> String {
    let other = world.repo.tmp.path().join("other");
    let bare = world.bare.to_str().unwrap();
    let root = &world.repo.root;
    let args = ["clone", "-q", "-b", "aos/w", bare, other.to_str().unwrap()];
    let out = world.repo.cmd_in(root, "git", &args);
    assert!(out.status.success(), "{}", err(&out));
    std::fs::write(other.join(file), "from elsewhere\n").unwrap();
    for args in [
        vec!["add", "."],
        vec!["commit", "-q", "-m", "a reviewer's fixup"],
        vec!["push", "-q", "origin", "aos/w"],
    ] {
        let out = world.repo.cmd_in(&other, "git", &args);
        assert!(out.status.success(), "{args:?}: {}", err(&out));
    }
    let out = world.repo.cmd_in(&other, "git", &["rev-parse", "HEAD"]);
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn a_remote_branch_someone_else_moved_is_never_overwritten() {
    let world = World::complete(Host::GitHub);
    world.ok(&["pr", "w"]);
    let theirs = push_from_elsewhere(&world, "theirs.txt");
    // Rewrite the local branch so that a plain push would have to force.
    let wt = world.repo.worktree("w");
    let args = [
        "commit",
        "-q",
        "--amend",
        "-m",
        "T2: Use the limiter (reworded)",
    ];
    let out = world.repo.cmd_in(&wt, "git", &args);
    assert!(out.status.success(), "{}", err(&out));
    let refs = world.repo.refs();
    let edits = world.calls_of(&["pr", "edit"]).len();
    let out = world.aos(&["pr", "w"]);
    assert_eq!(out.status.code(), Some(1), "{}", err(&out));
    let text = err(&out);
    assert!(text.contains("not where git aos last pushed it"), "{text}");
    assert!(text.contains("nothing was pushed"), "{text}");
    assert!(
        text.contains("hint: someone pushed to it: `git fetch origin aos/w`"),
        "{text}"
    );
    assert_eq!(world.remote_tip("aos/w").as_deref(), Some(theirs.as_str()));
    assert_eq!(world.calls_of(&["pr", "edit"]).len(), edits);
    assert_eq!(world.repo.refs(), refs);
}

#[test]
fn commits_someone_else_pushed_and_merged_in_here_are_pushed_on_top() {
    let world = World::complete(Host::GitHub);
    world.ok(&["pr", "w"]);
    let theirs = push_from_elsewhere(&world, "theirs.txt");
    let wt = world.repo.worktree("w");
    for args in [
        vec!["fetch", "-q", "origin", "aos/w"],
        vec!["merge", "-q", "--ff-only", "FETCH_HEAD"],
    ] {
        let out = world.repo.cmd_in(&wt, "git", &args);
        assert!(out.status.success(), "{args:?}: {}", err(&out));
    }
    assert_eq!(world.tip("aos/w"), theirs);
    let out = world.aos(&["pr", "w"]);
    assert!(out.status.success(), "{}", err(&out));
    assert_eq!(world.remote_tip("aos/w").as_deref(), Some(theirs.as_str()));
    assert_eq!(world.record()["head"].as_str(), Some(theirs.as_str()));
    assert_eq!(world.forge()["requests"].as_array().unwrap().len(), 1);
}

#[test]
fn a_push_whose_request_failed_is_found_again_and_the_request_opened_once() {
    let world = World::complete(Host::GitHub);
    let mut forge = world.forge();
    forge["fail"] = serde_json::json!({"pr create": "HTTP 502: Server Error"});
    world.write_forge(&forge);
    let out = world.aos(&["pr", "w"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        err(&out).contains("HTTP 502: Server Error"),
        "{}",
        err(&out)
    );
    // The branch went out; nothing was recorded.
    let tip = world.tip("aos/w");
    assert_eq!(world.remote_tip("aos/w").as_deref(), Some(tip.as_str()));
    assert!(
        world
            .repo
            .git(&["ls-tree", "refs/aos/ws/w"])
            .lines()
            .all(|l| !l.ends_with("pr.toml"))
    );

    let mut forge = world.forge();
    forge["fail"] = serde_json::json!({});
    world.write_forge(&forge);
    let out = world.aos(&["pr", "w"]);
    assert!(out.status.success(), "{}", err(&out));
    assert!(!err(&out).contains("pushed `aos/w`"), "{}", err(&out));
    assert_eq!(world.forge()["requests"].as_array().unwrap().len(), 1);
    assert_eq!(world.record()["head"].as_str(), Some(tip.as_str()));
}

#[test]
fn a_request_opened_by_a_run_that_died_before_recording_it_is_adopted() {
    let world = World::complete(Host::GitLab);
    world.ok(&["pr", "w"]);
    // Take the record away, as if the run had been killed right after creating.
    let mut forge = world.forge();
    forge["requests"][0]["number"] = serde_json::json!(7);
    world.write_forge(&forge);
    let before = world.repo.git(&["rev-parse", "refs/aos/ws/w~1"]);
    world
        .repo
        .git(&["update-ref", "refs/aos/ws/w", before.trim()]);
    let out = world.aos(&["pr", "w"]);
    assert!(out.status.success(), "{}", err(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "https://gitlab.com/acme/widgets/-/merge_requests/7"
    );
    assert!(
        err(&out).contains("updated merge request !7"),
        "{}",
        err(&out)
    );
    // Found by its source branch among the open requests, then updated, not opened again.
    let lists = world.calls_of(&["mr", "list"]);
    assert_eq!(lists.len(), 2, "{lists:?}");
    assert!(lists[1].0.contains(&"--source-branch".to_owned()));
    assert_eq!(
        world.calls_of(&["mr", "create"]).len(),
        1,
        "a second merge request was opened"
    );
    let (update, _) = world.calls_of(&["mr", "update"]).pop().unwrap();
    assert_eq!(update[..3], ["mr", "update", "7"], "{update:?}");
    assert_eq!(world.forge()["requests"].as_array().unwrap().len(), 1);
    assert_eq!(world.record()["number"].as_integer(), Some(7));
}

#[test]
fn a_gitlab_request_whose_create_failed_is_opened_once_by_the_next_run() {
    let world = World::complete(Host::GitLab);
    let mut forge = world.forge();
    forge["fail"] = serde_json::json!({"mr create": "POST https://gitlab.com/api/v4/projects/acme%2Fwidgets/merge_requests: 502 {message: 502 Bad Gateway}"});
    world.write_forge(&forge);
    let out = world.aos(&["pr", "w"]);
    assert_eq!(out.status.code(), Some(1));
    let text = err(&out);
    assert!(text.contains("502 Bad Gateway"), "{text}");
    // The failing call is named, its description shown by its start only.
    assert!(
        text.contains("`glab mr create --source-branch aos/w --target-branch main --title 'Rate limiting' --description 'Workstream `w`: branch `aos/w` from `mai…' --yes -R https://gitlab.com/acme/widgets` failed"),
        "{text}"
    );
    assert!(!text.contains("## Tasks"), "{text}");
    assert!(world.forge()["requests"].as_array().unwrap().is_empty());

    let mut forge = world.forge();
    forge["fail"] = serde_json::json!({});
    world.write_forge(&forge);
    let out = world.aos(&["pr", "w"]);
    assert!(out.status.success(), "{}", err(&out));
    assert!(
        err(&out).contains("opened merge request !1"),
        "{}",
        err(&out)
    );
    assert_eq!(world.forge()["requests"].as_array().unwrap().len(), 1);
    assert_eq!(world.record()["number"].as_integer(), Some(1));
}
