//! The `glab` adapter against what `glab` prints: the calls it builds, the address
//! `glab mr create` prints, and GitLab's merge request and note objects.

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
fn requests_are_made_with_glabs_own_commands_and_the_description_as_an_argument() {
    let t = target();
    assert_eq!(
        create(&t, &proposal(true), "Workstream `limits`.").shown(),
        "glab mr create --source-branch aos/limits --target-branch main --title 'Rate limiting' --description 'Workstream `limits`.' --draft --yes -R https://gitlab.example.org/group/sub/widgets"
    );
    assert_eq!(
        create(&t, &proposal(false), "Body").shown(),
        "glab mr create --source-branch aos/limits --target-branch main --title 'Rate limiting' --description Body --yes -R https://gitlab.example.org/group/sub/widgets"
    );
    assert_eq!(
        edit(&t, 7, &proposal(false), "Body").shown(),
        "glab mr update 7 --title 'Rate limiting' --description Body --target-branch main --ready -R https://gitlab.example.org/group/sub/widgets"
    );
    assert_eq!(
        edit(&t, 7, &proposal(true), "Body").shown(),
        "glab mr update 7 --title 'Rate limiting' --description Body --target-branch main --draft -R https://gitlab.example.org/group/sub/widgets"
    );
    assert_eq!(
        find_open(&t, "aos/limits").shown(),
        "glab mr list --source-branch aos/limits -F json -R https://gitlab.example.org/group/sub/widgets"
    );
    assert_eq!(
        view(&t, 7).shown(),
        "glab mr view 7 -R https://gitlab.example.org/group/sub/widgets -F json"
    );
    assert_eq!(
        approvals(&t, 7).shown(),
        "glab api --hostname gitlab.example.org projects/group%2Fsub%2Fwidgets/merge_requests/7/approvals"
    );
}

#[test]
fn the_description_is_passed_whole_unless_no_argument_could_hold_it() {
    let t = target();
    let body = "Workstream `limits`\n\n| ✅ | T1 |\n".repeat(100);
    let call = create(&t, &proposal(false), &body);
    assert_eq!(call.args[9], body, "{:?}", &call.args[8]);
    // 60,000 characters of three bytes each: more than one argument holds.
    let wide = "✅✅✅✅✅✅✅✅✅\n".repeat(6_000);
    let call = edit(&t, 7, &proposal(false), &wide);
    let sent = &call.args[6];
    assert!(sent.len() < 128 * 1024, "{}", sent.len());
    assert!(sent.ends_with("(cut to fit the forge; `git aos report` has everything)\n"));
    // No argument holds a NUL.
    let call = edit(&t, 7, &proposal(false), "a\0b");
    assert_eq!(call.args[6], "ab");
}

#[test]
fn the_url_glab_mr_create_prints_last_gives_the_number() {
    let url = "https://gitlab.example.org/group/sub/widgets/-/merge_requests/12";
    // Not a terminal: the address alone; glab's other words go to stderr.
    assert_eq!(parse_created(&format!("{url}\n")), Some((12, url.into())));
    // A terminal, or a glab that says more first.
    let tty = format!(
        "\nCreating merge request for aos/limits into main in group/sub/widgets\n\n!12 Rate limiting (aos/limits)\n {url}\n\n"
    );
    assert_eq!(parse_created(&tty), Some((12, url.into())));
    assert_eq!(parse_created("Discarded.\n"), None);
    assert_eq!(
        parse_created("https://gitlab.example.org/group/sub/widgets/-/merge_requests/new\n"),
        None
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
}

#[test]
fn the_open_request_from_the_branch_is_found_in_what_glab_mr_list_prints() {
    let found = |out: &str| parse_found(out, "aos/limits").unwrap().map(|f| f.0);
    assert_eq!(found(&format!("[{MR}]\n")), Some(7));
    assert_eq!(found("[]\n"), None);
    assert_eq!(found("null\n"), None);
    // A request from a fork's branch of the same name is someone else's.
    let forked = MR.replace(
        "\"project_id\":3",
        "\"project_id\":3,\"source_project_id\":4",
    );
    assert_eq!(found(&format!("[{forked}]")), None);
    let own = MR.replace(
        "\"project_id\":3",
        "\"project_id\":3,\"source_project_id\":3",
    );
    assert_eq!(found(&format!("[{forked},{own}]")), Some(7));
    // Another branch, or a request no longer open, is not it.
    let other = MR.replace(
        "\"source_branch\":\"aos/limits\"",
        "\"source_branch\":\"aos/x\"",
    );
    assert_eq!(found(&format!("[{other}]")), None);
    let closed = MR.replace("\"state\":\"opened\"", "\"state\":\"closed\"");
    assert_eq!(found(&format!("[{closed}]")), None);
    assert!(parse_found("Showing 1 open merge request", "aos/limits").is_err());
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
