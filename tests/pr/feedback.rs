//! `pr feedback`: review comments become one fix task, each comment taken once; the
//! task runs like any other and the next `git aos pr` updates the same request.

use serde_json::json;

use super::{Host, World, err};

#[test]
fn review_comments_become_a_fix_task_that_lands_in_the_same_request() {
    let world = World::complete(Host::GitHub);
    world.ok(&["pr", "w"]);
    let first_push = world.tip("aos/w");
    world.on_request(1, |r| {
        r["reviews"] = json!([
            {"id": "PRR_1", "author": {"login": "ann"}, "authorAssociation": "MEMBER", "body": "The limit must be configurable.\n## not a heading", "submittedAt": "2026-01-02T00:00:00Z", "includesCreatedEdit": false, "reactionGroups": [], "state": "CHANGES_REQUESTED", "commit": {"oid": "x"}},
            {"id": "PRR_2", "author": {"login": "cy"}, "body": "", "submittedAt": "2026-01-02T00:00:00Z", "state": "APPROVED"}
        ]);
        r["comments"] = json!([
            {"id": "IC_1", "author": {"login": "bob"}, "authorAssociation": "MEMBER", "body": "Please add a changelog entry.", "createdAt": "2026-01-02T00:00:00Z", "includesCreatedEdit": false, "isMinimized": false, "minimizedReason": "", "reactionGroups": [], "url": "u", "viewerDidAuthor": false}
        ]);
        r["line_comments"] = json!([
            {"id": 101, "user": {"login": "ann"}, "body": "Off by one.", "path": "T1.txt", "line": 1, "original_line": 1, "created_at": "2026-01-02T00:00:00Z"},
            {"id": 102, "user": {"login": "ann"}, "body": "Name this better.", "path": "T2.txt", "line": 1, "original_line": 1, "created_at": "2026-01-02T00:00:00Z"},
            {"id": 103, "user": {"login": "bob"}, "body": "And this.", "path": "T2.txt", "line": null, "original_line": 1, "created_at": "2026-01-02T00:00:00Z"}
        ]);
    });
    let out = world.aos(&["pr", "feedback", "w"]);
    assert!(out.status.success(), "{}", err(&out));
    assert!(
        err(&out).contains("PR-1 added to `w` from 5 review comments on #1"),
        "{}",
        err(&out)
    );
    let plan = world.repo.git(&["show", "refs/aos/ws/w:plan.md"]);
    for expected in [
        "### [ ] PR-1: Address the review comments on #1",
        "Depends: T2",
        "**ann** (changes requested):\n\n> The limit must be configurable.\n> ## not a heading",
        "**bob**:\n\n> Please add a changelog entry.",
        "**ann** on `T1.txt:1`:\n\n> Off by one.",
        "**bob** on `T2.txt:1`:\n\n> And this.",
        "every review comment on #1 quoted in this task is addressed",
    ] {
        assert!(plan.contains(expected), "{expected:?} not in\n{plan}");
    }
    let in_worktree = std::fs::read_to_string(world.repo.worktree("w").join("plan.md")).unwrap();
    assert!(in_worktree.contains("### [ ] PR-1: Address the review comments on #1"));
    let status: serde_json::Value =
        serde_json::from_str(&world.ok(&["status", "w", "--json"])).unwrap();
    assert_eq!(status["status"], "active", "{status}");
    let record = world.record();
    let taken: Vec<&str> = record["feedback"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        taken,
        [
            "review:PRR_1",
            "comment:IC_1",
            "line:101",
            "line:102",
            "line:103"
        ]
    );
    // The task and the record of what was taken are one state commit.
    let log = world
        .repo
        .git(&["log", "-1", "--format=%s", "refs/aos/ws/w"]);
    assert_eq!(log.trim(), "ws w: 5 review comments on #1; PR-1 added");

    // The same comments are not taken twice.
    let out = world.aos(&["pr", "feedback", "w"]);
    assert!(out.status.success(), "{}", err(&out));
    assert!(
        err(&out).contains("no new review comments on #1"),
        "{}",
        err(&out)
    );
    assert!(
        !world
            .repo
            .git(&["show", "refs/aos/ws/w:plan.md"])
            .contains("PR-2")
    );

    // The fix task runs, and the same request gets its commit and the new report.
    world.ok(&["run", "w"]);
    let out = world.aos(&["pr", "w"]);
    assert!(out.status.success(), "{}", err(&out));
    assert!(
        err(&out).contains("pushed and updated pull request #1"),
        "{}",
        err(&out)
    );
    let tip = world.tip("aos/w");
    assert_ne!(tip, first_push);
    assert_eq!(world.remote_tip("aos/w").as_deref(), Some(tip.as_str()));
    let forge = world.forge();
    assert_eq!(forge["requests"].as_array().unwrap().len(), 1);
    let body = forge["requests"][0]["body"].as_str().unwrap();
    assert!(body.contains("3 of 3 tasks done"), "{body}");
    assert!(
        body.contains("| ✅ | PR-1: Address the review comments on #1 |"),
        "{body}"
    );
    assert_eq!(world.calls_of(&["pr", "create"]).len(), 1);
    assert_eq!(world.calls_of(&["pr", "edit"]).len(), 1);
    assert_eq!(world.record()["head"].as_str(), Some(tip.as_str()));
}

#[test]
fn gitlab_notes_become_feedback_without_system_notes_or_resolved_threads() {
    let world = World::complete(Host::GitLab);
    world.ok(&["pr", "w"]);
    world.on_request(1, |r| {
        r["notes"] = json!([
            {"id": 301, "type": null, "body": "Please document the limit.", "author": {"id": 2, "username": "ann"}, "created_at": "2026-01-02T00:00:00.000Z", "system": false, "noteable_type": "MergeRequest", "resolvable": false},
            {"id": 302, "type": "DiffNote", "body": "Off by one.", "author": {"username": "bob"}, "created_at": "2026-01-02T00:00:00.000Z", "system": false, "resolvable": true, "resolved": false, "position": {"base_sha": "a", "start_sha": "a", "head_sha": "b", "old_path": "T1.txt", "new_path": "T1.txt", "position_type": "text", "old_line": null, "new_line": 1}},
            {"id": 303, "body": "added 1 commit", "author": {"username": "ada"}, "system": true},
            {"id": 304, "type": "DiffNote", "body": "Done already.", "author": {"username": "cy"}, "system": false, "resolvable": true, "resolved": true}
        ]);
    });
    let out = world.ok(&["pr", "feedback", "w", "--json"]);
    let done: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(done["reference"], "!1");
    assert_eq!(done["task"], "PR-1");
    assert_eq!(done["status"], "active");
    let ids: Vec<&str> = done["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["note:301", "note:302"]);
    let plan = world.repo.git(&["show", "refs/aos/ws/w:plan.md"]);
    assert!(
        plan.contains("merge request !1 (https://gitlab.com/acme/widgets/-/merge_requests/1)"),
        "{plan}"
    );
    assert!(
        plan.contains("**bob** on `T1.txt:1`:\n\n> Off by one."),
        "{plan}"
    );
    assert!(!plan.contains("added 1 commit") && !plan.contains("Done already"));
}

#[test]
fn feedback_waits_while_the_workstream_waits_for_someone() {
    let world = World::new(
        Host::GitHub,
        "[profiles.default]\nautonomy = \"autonomous\"\n\n[uat]\n",
    );
    assert_eq!(world.aos(&["run", "w"]).status.code(), Some(3));
    world.ok(&["pr", "w", "--draft"]);
    world.on_request(1, |r| {
        r["comments"] = json!([{"id": "IC_1", "author": {"login": "bob"}, "body": "Rename it.", "createdAt": "2026-01-02T00:00:00Z", "isMinimized": false}]);
    });
    let state = world.repo.git(&["rev-parse", "refs/aos/ws/w"]);
    let out = world.aos(&["pr", "feedback", "w"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(err(&out).contains("`w` is awaiting_uat"), "{}", err(&out));
    assert!(
        err(&out).contains("hint: resolve what it waits for first"),
        "{}",
        err(&out)
    );
    assert_eq!(world.repo.git(&["rev-parse", "refs/aos/ws/w"]), state);
}

#[test]
fn line_comments_that_cannot_be_read_are_left_out_with_a_warning() {
    let world = World::complete(Host::GitHub);
    world.ok(&["pr", "w"]);
    let mut forge = world.forge();
    forge["fail"] = json!({"api": "HTTP 502: Bad Gateway"});
    forge["requests"][0]["comments"] = json!([{"id": "IC_9", "author": {"login": "bob"}, "body": "Rename it.", "createdAt": "2026-01-02T00:00:00Z", "isMinimized": false}]);
    world.write_forge(&forge);
    let out = world.aos(&["pr", "feedback", "w"]);
    assert!(out.status.success(), "{}", err(&out));
    let text = err(&out);
    assert!(text.contains("warning: line comments left out:"), "{text}");
    assert!(text.contains("HTTP 502: Bad Gateway"), "{text}");
    assert!(
        text.contains("PR-1 added to `w` from 1 review comment on #1"),
        "{text}"
    );
}
