//! The `glab` adapter: builds GitLab CLI calls and reads what they print.
//!
//! `glab mr create` and `glab mr update` take a description only as an argument, so
//! requests are created and updated through `glab api`, whose `-F key=@FILE` reads a
//! field from a file: the body never goes through an argument list. `glab mr view
//! --output json` and the REST answers of `glab api` print GitLab's merge request and
//! note objects; parsing takes the fields it needs and ignores the rest.

use serde::Deserialize;

use super::client::Proposal;
use super::model::{Check, CheckState, Comment, RequestState, Review, View, fallback_id};
use super::runner::Call;
use super::{Target, Tool};

/// Returns the project path as one URL path segment (`group%2Fsub%2Fname`).
fn project(t: &Target) -> String {
    escape(&t.repo)
}

/// Escapes what a path segment or query value cannot hold as is.
fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '.' | '_' | '~' => c.to_string(),
            _ => format!("%{:02X}", c as u32),
        })
        .collect()
}

/// `glab auth status` for the target's host.
pub(super) fn auth_status(t: &Target) -> Call {
    Call::new(Tool::Glab, ["auth", "status", "--hostname", &t.host])
}

/// The open requests whose source branch is `branch`.
pub(super) fn find_open(t: &Target, branch: &str) -> Call {
    let path = format!(
        "projects/{}/merge_requests?state=opened&source_branch={}",
        project(t),
        escape(branch)
    );
    Call::new(Tool::Glab, ["api", "--hostname", &t.host, &path])
}

/// The title GitLab shows: drafts carry the `Draft: ` prefix.
fn title(p: &Proposal) -> String {
    if p.draft {
        format!("Draft: {}", p.title)
    } else {
        p.title.clone()
    }
}

/// Creates a request whose description is read from the file `body`.
pub(super) fn create(t: &Target, p: &Proposal) -> Call {
    Call::new(
        Tool::Glab,
        [
            "api".to_owned(),
            "--hostname".into(),
            t.host.clone(),
            "--method".into(),
            "POST".into(),
            format!("projects/{}/merge_requests", project(t)),
            "--raw-field".into(),
            format!("source_branch={}", p.branch),
            "--raw-field".into(),
            format!("target_branch={}", p.base),
            "--raw-field".into(),
            format!("title={}", title(p)),
            "--field".into(),
            format!("description=@{}", p.body_file.display()),
        ],
    )
}

/// Sets title (with its draft prefix), target branch and description of request `iid`.
pub(super) fn edit(t: &Target, iid: u64, p: &Proposal) -> Call {
    Call::new(
        Tool::Glab,
        [
            "api".to_owned(),
            "--hostname".into(),
            t.host.clone(),
            "--method".into(),
            "PUT".into(),
            format!("projects/{}/merge_requests/{iid}", project(t)),
            "--raw-field".into(),
            format!("target_branch={}", p.base),
            "--raw-field".into(),
            format!("title={}", title(p)),
            "--field".into(),
            format!("description=@{}", p.body_file.display()),
        ],
    )
}

/// Reads request `iid` as GitLab's merge request object (`glab mr view -F json`).
pub(super) fn view(t: &Target, iid: u64) -> Call {
    Call::new(
        Tool::Glab,
        [
            "mr".to_owned(),
            "view".into(),
            iid.to_string(),
            "-R".into(),
            format!("https://{}/{}", t.host, t.repo),
            "-F".into(),
            "json".into(),
        ],
    )
}

/// Reads who approved request `iid` (best effort: not every GitLab answers it).
pub(super) fn approvals(t: &Target, iid: u64) -> Call {
    let path = format!("projects/{}/merge_requests/{iid}/approvals", project(t));
    Call::new(Tool::Glab, ["api", "--hostname", &t.host, &path])
}

/// Reads every note (comment) of request `iid`, oldest first.
pub(super) fn notes(t: &Target, iid: u64) -> Call {
    let path = format!(
        "projects/{}/merge_requests/{iid}/notes?sort=asc&order_by=created_at",
        project(t)
    );
    Call::new(
        Tool::Glab,
        ["api", "--hostname", &t.host, "--paginate", &path],
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Pipeline {
    status: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawMr {
    iid: u64,
    web_url: String,
    state: String,
    draft: Option<bool>,
    work_in_progress: Option<bool>,
    title: String,
    detailed_merge_status: Option<String>,
    head_pipeline: Option<Pipeline>,
    pipeline: Option<Pipeline>,
    sha: Option<String>,
    merge_commit_sha: Option<String>,
    squash_commit_sha: Option<String>,
}

/// Returns (iid, URL) of the request a create printed.
pub(super) fn parse_created(stdout: &str) -> anyhow::Result<(u64, String)> {
    let mr: RawMr = serde_json::from_str(stdout.trim())?;
    anyhow::ensure!(mr.iid > 0, "the answer names no merge request");
    Ok((mr.iid, mr.web_url))
}

/// Returns (iid, URL) of the first request a search printed.
pub(super) fn parse_found(stdout: &str) -> anyhow::Result<Option<(u64, String)>> {
    let list: Vec<RawMr> = super::client::pages(stdout)?;
    Ok(list.into_iter().next().map(|m| (m.iid, m.web_url)))
}

/// Returns the request `glab mr view --output json` printed.
pub(super) fn parse_view(stdout: &str) -> anyhow::Result<View> {
    let mr: RawMr = serde_json::from_str(stdout.trim())?;
    let state = match mr.state.as_str() {
        "merged" => RequestState::Merged,
        "closed" | "locked" => RequestState::Closed,
        _ => RequestState::Open,
    };
    let draft = mr
        .draft
        .or(mr.work_in_progress)
        .unwrap_or_else(|| mr.title.to_ascii_lowercase().starts_with("draft:"));
    let review = match mr.detailed_merge_status.as_deref() {
        Some("requested_changes") => Review::ChangesRequested,
        Some("not_approved") => Review::ReviewRequired,
        _ => Review::None,
    };
    let pipeline = mr.head_pipeline.or(mr.pipeline).and_then(|p| p.status);
    let checks = pipeline
        .map(|status| Check {
            name: "pipeline".into(),
            state: match status.as_str() {
                "success" => CheckState::Passed,
                "failed" | "canceled" | "canceling" => CheckState::Failed,
                "skipped" | "manual" => CheckState::Skipped,
                _ => CheckState::Pending,
            },
        })
        .into_iter()
        .collect();
    let merge_commit = match state {
        RequestState::Merged => mr
            .merge_commit_sha
            .clone()
            .or(mr.squash_commit_sha.clone())
            .or(mr.sha.clone()),
        _ => None,
    };
    Ok(View {
        number: mr.iid,
        url: mr.web_url,
        state,
        draft,
        review,
        checks,
        head: mr.sha.filter(|s| !s.is_empty()),
        merge_commit,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct User {
    username: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawApprovals {
    approved_by: Vec<serde_json::Value>,
}

/// Returns whether anyone approved, from the approvals answer.
pub(super) fn parse_approved(stdout: &str) -> bool {
    serde_json::from_str::<RawApprovals>(stdout.trim()).is_ok_and(|a| !a.approved_by.is_empty())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Position {
    new_path: Option<String>,
    old_path: Option<String>,
    new_line: Option<u64>,
    old_line: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawNote {
    id: Option<serde_json::Value>,
    body: String,
    author: User,
    system: bool,
    resolved: bool,
    created_at: Option<String>,
    position: Option<Position>,
}

/// Returns the notes people wrote (not GitLab's system notes, not resolved threads) that
/// `glab api --paginate …/notes` printed.
pub(super) fn parse_notes(stdout: &str) -> anyhow::Result<Vec<Comment>> {
    let mut out = Vec::new();
    for n in super::client::pages::<RawNote>(stdout)? {
        if n.system || n.resolved || n.body.trim().is_empty() {
            continue;
        }
        let at = n.created_at.clone().unwrap_or_default();
        let id = match &n.id {
            Some(serde_json::Value::Number(id)) => format!("note:{id}"),
            Some(serde_json::Value::String(id)) if !id.is_empty() => format!("note:{id}"),
            _ => fallback_id("note", &n.author.username, &at, &n.body),
        };
        let (path, line) = match n.position {
            Some(p) => (p.new_path.or(p.old_path), p.new_line.or(p.old_line)),
            None => (None, None),
        };
        out.push(Comment {
            id,
            author: n.author.username,
            body: n.body,
            path,
            line,
            verdict: None,
        });
    }
    Ok(out)
}

#[cfg(test)]
#[path = "glab_tests.rs"]
mod tests;
