//! The `gh` adapter: builds GitHub CLI calls and reads what they print (`gh pr create`
//! prints the new request's URL; `gh pr view --json` and `gh pr list --json` print the
//! fields asked for; `gh api` prints the REST answer, page after page).
//!
//! Parsing takes the fields it needs and ignores the rest, so a newer `gh` that adds
//! fields changes nothing.

use serde::Deserialize;

use super::model::{Check, CheckState, Comment, RequestState, Review, View, fallback_id};
use super::runner::Call;
use super::{Target, Tool};

/// Fields `pr view` is asked for.
const VIEW_FIELDS: &str = "number,url,state,isDraft,reviewDecision,latestReviews,statusCheckRollup,headRefOid,mergeCommit";

/// `--repo` value: `HOST/OWNER/REPO`.
fn repo(t: &Target) -> String {
    format!("{}/{}", t.host, t.repo)
}

/// `gh auth status` for the target's host.
pub(super) fn auth_status(t: &Target) -> Call {
    Call::new(Tool::Gh, ["auth", "status", "--hostname", &t.host])
}

/// The open requests whose head is `branch`.
pub(super) fn find_open(t: &Target, branch: &str) -> Call {
    Call::new(
        Tool::Gh,
        [
            "pr",
            "list",
            "--repo",
            &repo(t),
            "--head",
            branch,
            "--state",
            "open",
            "--json",
            "number,url,isDraft,headRefName",
        ],
    )
}

/// Creates a request whose body is the file `body`.
pub(super) fn create(t: &Target, p: &super::client::Proposal) -> Call {
    let mut args = vec![
        "pr".to_owned(),
        "create".into(),
        "--repo".into(),
        repo(t),
        "--base".into(),
        p.base.clone(),
        "--head".into(),
        p.branch.clone(),
        "--title".into(),
        p.title.clone(),
        "--body-file".into(),
        p.body_file.display().to_string(),
    ];
    if p.draft {
        args.push("--draft".into());
    }
    Call::new(Tool::Gh, args)
}

/// Sets title, base and body (from the file) of request `number`.
pub(super) fn edit(t: &Target, number: u64, p: &super::client::Proposal) -> Call {
    Call::new(
        Tool::Gh,
        [
            "pr".to_owned(),
            "edit".into(),
            number.to_string(),
            "--repo".into(),
            repo(t),
            "--base".into(),
            p.base.clone(),
            "--title".into(),
            p.title.clone(),
            "--body-file".into(),
            p.body_file.display().to_string(),
        ],
    )
}

/// Marks request `number` ready for review, or (`draft`) turns it back into a draft.
pub(super) fn set_draft(t: &Target, number: u64, draft: bool) -> Call {
    let mut args = vec!["pr".to_owned(), "ready".into(), number.to_string()];
    if draft {
        args.push("--undo".into());
    }
    args.extend(["--repo".into(), repo(t)]);
    Call::new(Tool::Gh, args)
}

/// Reads request `number`: state, draft, review decision, checks, head, merge commit.
pub(super) fn view(t: &Target, number: u64) -> Call {
    Call::new(
        Tool::Gh,
        [
            "pr",
            "view",
            &number.to_string(),
            "--repo",
            &repo(t),
            "--json",
            VIEW_FIELDS,
        ],
    )
}

/// Reads the reviews and conversation comments of request `number`.
pub(super) fn discussion(t: &Target, number: u64) -> Call {
    Call::new(
        Tool::Gh,
        [
            "pr",
            "view",
            &number.to_string(),
            "--repo",
            &repo(t),
            "--json",
            "reviews,comments",
        ],
    )
}

/// Reads the line comments of request `number` (REST; `gh pr view` does not show them).
pub(super) fn line_comments(t: &Target, number: u64) -> Call {
    Call::new(
        Tool::Gh,
        [
            "api",
            "--hostname",
            &t.host,
            "--paginate",
            &format!("repos/{}/pulls/{number}/comments", t.repo),
        ],
    )
}

/// Returns (number, URL) of a request `gh pr create` reported: its last URL line.
pub(super) fn parse_created(stdout: &str) -> Option<(u64, String)> {
    stdout
        .split_whitespace()
        .rev()
        .filter(|w| w.starts_with("http"))
        .find_map(|url| {
            let number = url.trim_end_matches('/').rsplit('/').next()?.parse().ok()?;
            Some((number, url.to_owned()))
        })
}

#[derive(Deserialize)]
struct Listed {
    number: u64,
    #[serde(default)]
    url: String,
}

/// Returns (number, URL) of the first request `pr list --json` printed.
pub(super) fn parse_found(stdout: &str) -> anyhow::Result<Option<(u64, String)>> {
    let list: Vec<Listed> = serde_json::from_str(stdout.trim())?;
    Ok(list.into_iter().next().map(|l| (l.number, l.url)))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RawView {
    number: u64,
    url: String,
    state: String,
    is_draft: bool,
    review_decision: Option<String>,
    latest_reviews: Option<Vec<RawNote>>,
    status_check_rollup: Option<Vec<RawCheck>>,
    head_ref_oid: Option<String>,
    merge_commit: Option<Oid>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Oid {
    oid: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawCheck {
    #[serde(rename = "__typename")]
    typename: Option<String>,
    name: Option<String>,
    context: Option<String>,
    status: Option<String>,
    conclusion: Option<String>,
    state: Option<String>,
}

/// Returns the request `pr view --json` printed.
pub(super) fn parse_view(stdout: &str) -> anyhow::Result<View> {
    let raw: RawView = serde_json::from_str(stdout.trim())?;
    let state = match raw.state.to_ascii_uppercase().as_str() {
        "MERGED" => RequestState::Merged,
        "CLOSED" => RequestState::Closed,
        _ => RequestState::Open,
    };
    // `reviewDecision` is empty where no review is required; then the latest review of
    // each reviewer decides.
    let latest = raw.latest_reviews.unwrap_or_default();
    let said = |state: &str| latest.iter().any(|r| r.state.eq_ignore_ascii_case(state));
    let review = match raw.review_decision.unwrap_or_default().as_str() {
        "APPROVED" => Review::Approved,
        "CHANGES_REQUESTED" => Review::ChangesRequested,
        "REVIEW_REQUIRED" => Review::ReviewRequired,
        _ if said("CHANGES_REQUESTED") => Review::ChangesRequested,
        _ if said("APPROVED") => Review::Approved,
        _ => Review::None,
    };
    let checks = raw
        .status_check_rollup
        .unwrap_or_default()
        .into_iter()
        .map(check)
        .collect();
    Ok(View {
        number: raw.number,
        url: raw.url,
        state,
        draft: raw.is_draft,
        review,
        checks,
        head: raw.head_ref_oid.filter(|h| !h.is_empty()),
        merge_commit: raw.merge_commit.and_then(|m| m.oid),
    })
}

/// Normalizes a check run (`status` + `conclusion`) or a commit status (`state`).
fn check(raw: RawCheck) -> Check {
    let name = raw.name.or(raw.context).unwrap_or_else(|| "check".into());
    let upper = |s: &Option<String>| s.as_deref().unwrap_or_default().to_ascii_uppercase();
    let is_run = raw.typename.as_deref() == Some("CheckRun") || raw.conclusion.is_some();
    let state = if is_run {
        match (upper(&raw.status).as_str(), upper(&raw.conclusion).as_str()) {
            ("COMPLETED", "SUCCESS") => CheckState::Passed,
            ("COMPLETED", "NEUTRAL" | "SKIPPED") => CheckState::Skipped,
            ("COMPLETED", "") => CheckState::Pending,
            ("COMPLETED", _) => CheckState::Failed,
            _ => CheckState::Pending,
        }
    } else {
        match upper(&raw.state).as_str() {
            "SUCCESS" => CheckState::Passed,
            "FAILURE" | "ERROR" => CheckState::Failed,
            _ => CheckState::Pending,
        }
    };
    Check { name, state }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Author {
    login: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RawNote {
    id: Option<serde_json::Value>,
    author: Author,
    body: String,
    state: String,
    submitted_at: Option<String>,
    created_at: Option<String>,
    is_minimized: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawDiscussion {
    reviews: Vec<RawNote>,
    comments: Vec<RawNote>,
}

/// Returns the reviews that ask for something (changes requested, or a comment with a
/// body) and the visible conversation comments that `pr view --json reviews,comments`
/// printed, oldest first.
pub(super) fn parse_discussion(stdout: &str) -> anyhow::Result<Vec<Comment>> {
    let raw: RawDiscussion = serde_json::from_str(stdout.trim())?;
    let mut out = Vec::new();
    for r in raw.reviews {
        let verdict = match r.state.to_ascii_uppercase().as_str() {
            "CHANGES_REQUESTED" => "changes requested",
            "COMMENTED" => "commented",
            _ => continue,
        };
        if r.body.trim().is_empty() {
            continue;
        }
        let at = r.submitted_at.clone().unwrap_or_default();
        out.push(Comment {
            id: id_of("review", r.id.as_ref(), &r.author.login, &at, &r.body),
            author: r.author.login,
            body: r.body,
            path: None,
            line: None,
            verdict: Some(verdict.to_owned()),
        });
    }
    for c in raw.comments {
        if c.is_minimized || c.body.trim().is_empty() {
            continue;
        }
        let at = c.created_at.clone().unwrap_or_default();
        out.push(Comment {
            id: id_of("comment", c.id.as_ref(), &c.author.login, &at, &c.body),
            author: c.author.login,
            body: c.body,
            path: None,
            line: None,
            verdict: None,
        });
    }
    Ok(out)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawLineComment {
    id: Option<serde_json::Value>,
    user: Author,
    body: String,
    path: Option<String>,
    line: Option<u64>,
    original_line: Option<u64>,
    created_at: Option<String>,
}

/// Returns the line comments `gh api --paginate …/pulls/N/comments` printed (one JSON
/// array per page).
pub(super) fn parse_line_comments(stdout: &str) -> anyhow::Result<Vec<Comment>> {
    let mut out = Vec::new();
    for c in super::client::pages::<RawLineComment>(stdout)? {
        if c.body.trim().is_empty() {
            continue;
        }
        let at = c.created_at.clone().unwrap_or_default();
        out.push(Comment {
            id: id_of("line", c.id.as_ref(), &c.user.login, &at, &c.body),
            author: c.user.login,
            body: c.body,
            path: c.path,
            line: c.line.or(c.original_line),
            verdict: None,
        });
    }
    Ok(out)
}

/// Returns `kind:<forge id>`, or a stable id made from the comment when there is none.
fn id_of(kind: &str, id: Option<&serde_json::Value>, author: &str, at: &str, body: &str) -> String {
    match id {
        Some(serde_json::Value::String(s)) if !s.is_empty() => format!("{kind}:{s}"),
        Some(serde_json::Value::Number(n)) => format!("{kind}:{n}"),
        _ => fallback_id(kind, author, at, body),
    }
}

#[cfg(test)]
#[path = "gh_tests.rs"]
mod tests;
