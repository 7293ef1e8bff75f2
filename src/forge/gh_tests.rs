//! The `gh` adapter against what `gh` prints: the calls it builds and the JSON shapes of
//! `gh pr view --json`, `gh pr list --json` and `gh api`.

use std::path::PathBuf;

use super::*;
use crate::forge::client::Proposal;

fn target() -> Target {
    Target {
        remote: "origin".into(),
        host: "github.com".into(),
        repo: "acme/widgets".into(),
        tool: Tool::Gh,
    }
}

fn proposal(draft: bool) -> Proposal {
    Proposal {
        branch: "aos/limits".into(),
        base: "main".into(),
        title: "Rate limiting".into(),
        body_file: PathBuf::from("/tmp/body.md"),
        draft,
    }
}

#[test]
fn calls_name_the_repository_and_pass_the_body_as_a_file() {
    let t = target();
    assert_eq!(
        create(&t, &proposal(true)).shown(),
        "gh pr create --repo github.com/acme/widgets --base main --head aos/limits --title 'Rate limiting' --body-file /tmp/body.md --draft"
    );
    assert_eq!(
        edit(&t, 12, &proposal(false)).shown(),
        "gh pr edit 12 --repo github.com/acme/widgets --base main --title 'Rate limiting' --body-file /tmp/body.md"
    );
    assert_eq!(
        set_draft(&t, 12, true).shown(),
        "gh pr ready 12 --undo --repo github.com/acme/widgets"
    );
    assert_eq!(
        set_draft(&t, 12, false).shown(),
        "gh pr ready 12 --repo github.com/acme/widgets"
    );
    assert_eq!(
        auth_status(&t).shown(),
        "gh auth status --hostname github.com"
    );
    assert_eq!(
        line_comments(&t, 12).shown(),
        "gh api --hostname github.com --paginate repos/acme/widgets/pulls/12/comments"
    );
}

#[test]
fn the_url_gh_pr_create_prints_gives_the_number() {
    let out = "\nCreating pull request for aos/limits into main in acme/widgets\n\nhttps://github.com/acme/widgets/pull/12\n";
    assert_eq!(
        parse_created(out),
        Some((12, "https://github.com/acme/widgets/pull/12".into()))
    );
    assert_eq!(parse_created("Warning: 1 uncommitted change\n"), None);
}

#[test]
fn pr_list_finds_the_open_request_of_a_branch() {
    let out = r#"[{"headRefName":"aos/limits","isDraft":true,"number":12,"url":"https://github.com/acme/widgets/pull/12"}]"#;
    assert_eq!(
        parse_found(out).unwrap(),
        Some((12, "https://github.com/acme/widgets/pull/12".into()))
    );
    assert_eq!(parse_found("[]\n").unwrap(), None);
}

#[test]
fn pr_view_json_normalizes_state_review_and_checks() {
    let out = r#"{
      "headRefOid": "1111111111111111111111111111111111111111",
      "isDraft": false,
      "mergeCommit": null,
      "number": 12,
      "reviewDecision": "CHANGES_REQUESTED",
      "state": "OPEN",
      "statusCheckRollup": [
        {"__typename":"CheckRun","completedAt":"2026-01-01T00:00:00Z","conclusion":"SUCCESS","detailsUrl":"https://x","name":"build","startedAt":"2026-01-01T00:00:00Z","status":"COMPLETED","workflowName":"CI"},
        {"__typename":"CheckRun","completedAt":"0001-01-01T00:00:00Z","conclusion":"","detailsUrl":"https://x","name":"lint","startedAt":"2026-01-01T00:00:00Z","status":"IN_PROGRESS","workflowName":"CI"},
        {"__typename":"CheckRun","conclusion":"FAILURE","name":"test","status":"COMPLETED"},
        {"__typename":"StatusContext","context":"ci/legacy","startedAt":"2026-01-01T00:00:00Z","state":"SUCCESS","targetUrl":"https://x"},
        {"__typename":"CheckRun","conclusion":"SKIPPED","name":"deploy","status":"COMPLETED"}
      ],
      "url": "https://github.com/acme/widgets/pull/12",
      "someFieldFromTheFuture": {"x": 1}
    }"#;
    let view = parse_view(out).unwrap();
    assert_eq!(view.number, 12);
    assert_eq!(view.state, RequestState::Open);
    assert!(!view.draft);
    assert_eq!(view.review, Review::ChangesRequested);
    assert_eq!(view.checks_summary(), "2 passed, 1 failed, 1 pending");
    assert_eq!(view.checks[4].state, CheckState::Skipped);
    assert_eq!(
        view.head.as_deref(),
        Some("1111111111111111111111111111111111111111")
    );
    assert_eq!(view.merge_commit, None);
}

#[test]
fn a_merged_request_reports_its_merge_commit() {
    let out = r#"{"number":3,"url":"u","state":"MERGED","isDraft":false,"reviewDecision":"","statusCheckRollup":[],"headRefOid":"aa","mergeCommit":{"oid":"bbbb"}}"#;
    let view = parse_view(out).unwrap();
    assert_eq!(view.state, RequestState::Merged);
    assert_eq!(view.review, Review::None);
    assert_eq!(view.merge_commit.as_deref(), Some("bbbb"));
    assert!(parse_view("{\"number\": \"x\"}").is_err());
}

#[test]
fn without_a_required_review_the_latest_reviews_decide() {
    let view = |latest: &str| {
        parse_view(&format!(
            r#"{{"number":3,"url":"u","state":"OPEN","isDraft":false,"reviewDecision":"","latestReviews":{latest}}}"#
        ))
        .unwrap()
        .review
    };
    assert_eq!(view("[]"), Review::None);
    assert_eq!(
        view(r#"[{"author":{"login":"a"},"state":"APPROVED","body":""}]"#),
        Review::Approved
    );
    assert_eq!(
        view(
            r#"[{"author":{"login":"a"},"state":"APPROVED"},{"author":{"login":"b"},"state":"CHANGES_REQUESTED"}]"#
        ),
        Review::ChangesRequested
    );
}

#[test]
fn reviews_that_ask_for_something_and_visible_comments_become_feedback() {
    let out = r#"{
      "comments": [
        {"id":"IC_1","author":{"login":"bob"},"authorAssociation":"MEMBER","body":"Please add a changelog entry.","createdAt":"2026-01-02T00:00:00Z","includesCreatedEdit":false,"isMinimized":false,"minimizedReason":"","reactionGroups":[],"url":"u","viewerDidAuthor":false},
        {"id":"IC_2","author":{"login":"spam"},"body":"buy now","createdAt":"2026-01-02T00:00:00Z","isMinimized":true,"minimizedReason":"SPAM"}
      ],
      "reviews": [
        {"id":"PRR_1","author":{"login":"ann"},"authorAssociation":"MEMBER","body":"The limit must be configurable.","submittedAt":"2026-01-01T00:00:00Z","includesCreatedEdit":false,"reactionGroups":[],"state":"CHANGES_REQUESTED","commit":{"oid":"aa"}},
        {"id":"PRR_2","author":{"login":"cy"},"body":"LGTM","submittedAt":"2026-01-01T00:00:00Z","state":"APPROVED"},
        {"author":{"login":"dee"},"body":"","submittedAt":"2026-01-01T00:00:00Z","state":"COMMENTED"}
      ]
    }"#;
    let comments = parse_discussion(out).unwrap();
    let ids: Vec<&str> = comments.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["review:PRR_1", "comment:IC_1"]);
    assert_eq!(comments[0].verdict.as_deref(), Some("changes requested"));
    assert_eq!(comments[1].author, "bob");
}

#[test]
fn line_comments_of_every_page_keep_file_and_line() {
    let out = r#"[{"id":101,"user":{"login":"ann"},"body":"Off by one.","path":"src/limit.rs","line":7,"original_line":7,"created_at":"2026-01-01T00:00:00Z","diff_hunk":"@@"}]
[{"id":102,"user":{"login":"bob"},"body":"Outdated.","path":"src/old.rs","line":null,"original_line":3,"created_at":"2026-01-01T00:00:00Z"}]"#;
    let comments = parse_line_comments(out).unwrap();
    assert_eq!(comments.len(), 2);
    assert_eq!(comments[0].id, "line:101");
    assert_eq!(comments[0].path.as_deref(), Some("src/limit.rs"));
    assert_eq!(comments[0].line, Some(7));
    assert_eq!(comments[1].line, Some(3));
    assert!(parse_line_comments("").unwrap().is_empty());
}
