//! `pr status`: what the forge says of each request — state, review decision, checks —
//! and a request merged on the forge archives its workstream as `merged`.

use serde_json::{Value, json};

use super::{Host, World, err};

#[test]
fn status_reads_the_review_decision_and_checks_from_gh() {
    let world = World::complete(Host::GitHub);
    world.ok(&["pr", "w"]);
    world.on_request(1, |r| {
        r["review_decision"] = json!("CHANGES_REQUESTED");
        r["checks"] = json!([
            {"__typename": "CheckRun", "name": "build", "status": "COMPLETED", "conclusion": "SUCCESS", "workflowName": "CI"},
            {"__typename": "CheckRun", "name": "test", "status": "COMPLETED", "conclusion": "FAILURE", "workflowName": "CI"},
            {"__typename": "StatusContext", "context": "deploy/preview", "state": "PENDING"}
        ]);
    });
    let out = world.ok(&["pr", "status"]);
    assert_eq!(
        out.trim(),
        "w  #1  open  review: changes_requested  checks: 1 passed, 1 failed, 1 pending  https://github.com/acme/widgets/pull/1"
    );
    let rows: Value = serde_json::from_str(&world.ok(&["pr", "status", "--json"])).unwrap();
    let row = &rows[0];
    assert_eq!(row["workstream"], "w");
    assert_eq!(row["tool"], "gh");
    assert_eq!(row["number"], 1);
    assert_eq!(row["state"], "open");
    assert_eq!(row["draft"], false);
    assert_eq!(row["review"], "changes_requested");
    assert_eq!(row["checks"][1], json!({"name": "test", "state": "failed"}));
    assert_eq!(row["head"].as_str(), Some(world.tip("aos/w").as_str()));
    assert_eq!(row["pushed"].as_str(), Some(world.tip("aos/w").as_str()));
    // `pr status` only reads while nothing was merged.
    let newest = world
        .repo
        .git(&["log", "-1", "--format=%s", "refs/aos/ws/w"]);
    assert!(
        newest.starts_with("ws w: pull request #1 opened"),
        "{newest}"
    );
}

#[test]
fn status_reads_the_pipeline_and_approvals_from_glab() {
    let world = World::complete(Host::GitLab);
    world.ok(&["pr", "w"]);
    world.on_request(1, |r| {
        r["pipeline"] = json!("success");
        r["approved_by"] = json!(["ann"]);
    });
    let out = world.ok(&["pr", "status", "w"]);
    assert_eq!(
        out.trim(),
        "w  !1  open  review: approved  checks: 1 passed  https://gitlab.com/acme/widgets/-/merge_requests/1"
    );
    world.on_request(1, |r| {
        r["approved_by"] = json!([]);
        r["detailed_merge_status"] = json!("not_approved");
        r["pipeline"] = json!("running");
    });
    let rows: Value = serde_json::from_str(&world.ok(&["pr", "status", "--json"])).unwrap();
    assert_eq!(rows[0]["review"], "review_required");
    assert_eq!(
        rows[0]["checks"],
        json!([{"name": "pipeline", "state": "pending"}])
    );
}

/// Merges `aos/w` into `main` on the remote, as the forge's merge button does, and marks
/// the request merged; returns the merge commit.
fn merge_on_forge(world: &World) -> String {
    let bare = world.bare.to_str().unwrap();
    let git = |args: &[&str]| {
        let mut all = vec!["--git-dir", bare];
        all.extend_from_slice(args);
        let out = world.repo.cmd_in(&world.repo.root, "git", &all);
        assert!(out.status.success(), "{args:?}: {}", err(&out));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    let tree = git(&["rev-parse", "aos/w^{tree}"]);
    let main = git(&["rev-parse", "main"]);
    let head = git(&["rev-parse", "aos/w"]);
    let merge = git(&[
        "commit-tree",
        &tree,
        "-p",
        &main,
        "-p",
        &head,
        "-m",
        "Merge pull request #1",
    ]);
    git(&["update-ref", "refs/heads/main", &merge]);
    world.on_request(1, |r| {
        r["state"] = json!("merged");
        r["merge_commit"] = json!(merge);
        r["head_oid"] = json!(head);
    });
    merge
}

#[test]
fn a_request_merged_on_the_forge_archives_the_workstream_as_merged() {
    let world = World::complete(Host::GitHub);
    world.ok(&["pr", "w"]);
    let merge = merge_on_forge(&world);
    let out = world.aos(&["pr", "status"]);
    assert!(out.status.success(), "{}", err(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("w  #1  merged  "), "{text}");
    assert!(
        err(&out).contains(&format!("merged on the forge as {}", &merge[..10])),
        "{}",
        err(&out)
    );
    // Archived as merged, with the forge's merge commit; the worktree is gone, the branch kept.
    assert!(world.repo.git(&["for-each-ref", "refs/aos/ws/"]).is_empty());
    let archives: Value = serde_json::from_str(&world.ok(&["archive", "list", "--json"])).unwrap();
    let ws = &archives[0]["ws"];
    assert_eq!(ws["status"], "merged");
    assert_eq!(ws["merge_commit"].as_str(), Some(merge.as_str()));
    assert!(!world.repo.worktree("w").exists());
    assert!(!world.tip("aos/w").is_empty());
    let id = archives[0]["id"].as_str().unwrap();
    let archived = format!("refs/aos/archive/{id}");
    let record: toml::Table =
        toml::from_str(&world.repo.git(&["show", &format!("{archived}:pr.toml")])).unwrap();
    assert_eq!(record["state"].as_str(), Some("merged"));
    assert_eq!(record["merge_commit"].as_str(), Some(merge.as_str()));
    let log = world.repo.git(&[
        "log",
        "-1",
        "--format=%s%n%(trailers:key=Aos-Merge-Commit,valueonly)",
        &archived,
    ]);
    assert!(log.starts_with("ws w: merged on the forge as"), "{log}");
    assert!(log.contains(&merge), "{log}");
    // Asking again reads the archive; nothing more happens.
    let again = world.ok(&["pr", "status", "w", "--json"]);
    let rows: Value = serde_json::from_str(&again).unwrap();
    assert_eq!(rows[0]["state"], "merged");
    assert_eq!(rows[0]["archived"].as_str(), Some(id));
    assert_eq!(world.ok(&["pr", "status", "--json"]).trim(), "[]");
    // `git aos pr` on it now: there is no live workstream to push.
    assert_eq!(world.aos(&["pr", "w"]).status.code(), Some(1));
}

#[test]
fn a_merged_request_that_lacks_local_commits_leaves_the_workstream_live() {
    let world = World::complete(Host::GitHub);
    world.ok(&["pr", "w"]);
    merge_on_forge(&world);
    // A commit made here after the last push never reached the request.
    let wt = world.repo.worktree("w");
    std::fs::write(wt.join("late.txt"), "late\n").unwrap();
    for args in [vec!["add", "late.txt"], vec!["commit", "-q", "-m", "late"]] {
        assert!(world.repo.cmd_in(&wt, "git", &args).status.success());
    }
    let out = world.aos(&["pr", "status", "w"]);
    assert!(out.status.success(), "{}", err(&out));
    assert!(
        err(&out).contains("has commits the request did not have"),
        "{}",
        err(&out)
    );
    assert!(
        !world
            .repo
            .git(&["for-each-ref", "refs/aos/ws/w"])
            .is_empty()
    );
    assert!(wt.exists());
}

#[test]
fn sync_notices_a_request_merged_on_the_forge_and_pushes_the_archive() {
    let world = World::complete(Host::GitHub);
    world.ok(&["pr", "w"]);
    let merge = merge_on_forge(&world);
    let out = world.aos(&["sync"]);
    assert!(out.status.success(), "{}", err(&out));
    assert!(
        err(&out).contains("w: its pull request was merged on the forge; archived as merged"),
        "{}",
        err(&out)
    );
    assert!(world.repo.git(&["for-each-ref", "refs/aos/ws/"]).is_empty());
    // The archive went to the remote in the same sync.
    let bare = world.bare.to_str().unwrap();
    let remote = world.repo.cmd_in(
        &world.repo.root,
        "git",
        &[
            "--git-dir",
            bare,
            "for-each-ref",
            "--format=%(refname)",
            "refs/aos/archive/",
        ],
    );
    let archived = String::from_utf8_lossy(&remote.stdout).trim().to_owned();
    assert!(archived.starts_with("refs/aos/archive/w."), "{archived}");
    let record = world.repo.git(&["show", &format!("{archived}:pr.toml")]);
    assert!(record.contains(&merge), "{record}");
}
