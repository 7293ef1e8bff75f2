//! The `glab` adapter against what `glab` prints: the calls it builds and GitLab's merge
//! request and note objects.

use std::path::PathBuf;

use super::*;

fn target() -> Target {
    Target {
        remote: "origin".into(),
        host: "gitlab.example.org".into(),
        repo: "group/sub/widgets".into(),
        tool: Tool::Glab,
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
fn calls_use_the_api_with_the_description_read_from_a_file() {
    let t = target();
    assert_eq!(
        create(&t, &proposal(true)).shown(),
        "glab api --hostname gitlab.example.org --method POST projects/group%2Fsub%2Fwidgets/merge_requests --raw-field source_branch=aos/limits --raw-field target_branch=main --raw-field 'title=Draft: Rate limiting' --field description=@/tmp/body.md"
    );
    assert_eq!(
        edit(&t, 7, &proposal(false)).shown(),
        "glab api --hostname gitlab.example.org --method PUT projects/group%2Fsub%2Fwidgets/merge_requests/7 --raw-field target_branch=main --raw-field 'title=Rate limiting' --field description=@/tmp/body.md"
    );
    assert_eq!(
        find_open(&t, "aos/limits").shown(),
        "glab api --hostname gitlab.example.org 'projects/group%2Fsub%2Fwidgets/merge_requests?state=opened&source_branch=aos%2Flimits'"
    );
    assert_eq!(
        view(&t, 7).shown(),
        "glab mr view 7 -R https://gitlab.example.org/group/sub/widgets -F json"
    );
}

/// A merge request object as GitLab's API (and `glab mr view --output json`) prints it,
/// trimmed to a realistic subset.
const MR: &str = r#"{"id":90,"iid":7,"project_id":3,"title":"Draft: Rate limiting","description":"...","state":"opened","created_at":"2026-01-01T00:00:00Z","target_branch":"main","source_branch":"aos/limits","author":{"id":1,"username":"ada"},"draft":true,"work_in_progress":true,"merge_status":"can_be_merged","detailed_merge_status":"draft_status","sha":"1111111111111111111111111111111111111111","merge_commit_sha":null,"squash_commit_sha":null,"web_url":"https://gitlab.example.org/group/sub/widgets/-/merge_requests/7","head_pipeline":{"id":5,"status":"running","ref":"aos/limits"},"references":{"short":"!7"}}"#;

#[test]
fn a_merge_request_object_normalizes() {
    let view = parse_view(MR).unwrap();
    assert_eq!(view.number, 7);
    assert_eq!(view.state, RequestState::Open);
    assert!(view.draft);
    assert_eq!(view.review, Review::None);
    assert_eq!(view.checks_summary(), "1 pending");
    assert_eq!(
        parse_created(MR).unwrap(),
        (
            7,
            "https://gitlab.example.org/group/sub/widgets/-/merge_requests/7".into()
        )
    );
    assert_eq!(
        parse_found(&format!("[{MR}]")).unwrap().map(|f| f.0),
        Some(7)
    );
    assert_eq!(parse_found("[]").unwrap(), None);
}

#[test]
fn a_merged_request_names_its_merge_or_squash_commit() {
    let merged = MR
        .replace("\"state\":\"opened\"", "\"state\":\"merged\"")
        .replace("\"merge_commit_sha\":null", "\"merge_commit_sha\":\"2222\"")
        .replace(
            "\"detailed_merge_status\":\"draft_status\"",
            "\"detailed_merge_status\":\"not_approved\"",
        )
        .replace("\"status\":\"running\"", "\"status\":\"success\"");
    let view = parse_view(&merged).unwrap();
    assert_eq!(view.state, RequestState::Merged);
    assert_eq!(view.merge_commit.as_deref(), Some("2222"));
    assert_eq!(view.review, Review::ReviewRequired);
    assert_eq!(view.checks_summary(), "1 passed");
    let squashed = MR
        .replace("\"state\":\"opened\"", "\"state\":\"merged\"")
        .replace(
            "\"squash_commit_sha\":null",
            "\"squash_commit_sha\":\"3333\"",
        );
    assert_eq!(
        parse_view(&squashed).unwrap().merge_commit.as_deref(),
        Some("3333")
    );
}

#[test]
fn approvals_count_when_someone_approved() {
    assert!(parse_approved(
        r#"{"approved":true,"approved_by":[{"user":{"username":"ann"}}]}"#
    ));
    assert!(!parse_approved(r#"{"approved":true,"approved_by":[]}"#));
    assert!(!parse_approved("not json"));
}

#[test]
fn notes_people_wrote_become_feedback_with_their_place() {
    let out = r#"[{"id":301,"type":null,"body":"Please document the limit.","author":{"id":2,"username":"ann"},"created_at":"2026-01-01T00:00:00Z","system":false,"noteable_type":"MergeRequest","resolvable":false},
{"id":302,"type":"DiffNote","body":"Off by one.","author":{"username":"bob"},"created_at":"2026-01-01T00:00:00Z","system":false,"resolvable":true,"resolved":false,"position":{"base_sha":"a","start_sha":"a","head_sha":"b","old_path":"src/l.rs","new_path":"src/l.rs","position_type":"text","old_line":null,"new_line":9}},
{"id":303,"body":"added 1 commit","author":{"username":"ada"},"system":true},
{"id":304,"type":"DiffNote","body":"Done already.","author":{"username":"cy"},"system":false,"resolvable":true,"resolved":true}]
[{"id":305,"body":"second page","author":{"username":"dee"},"system":false}]"#;
    let notes = parse_notes(out).unwrap();
    let ids: Vec<&str> = notes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, ["note:301", "note:302", "note:305"]);
    assert_eq!(notes[1].path.as_deref(), Some("src/l.rs"));
    assert_eq!(notes[1].line, Some(9));
    assert_eq!(notes[0].author, "ann");
}
