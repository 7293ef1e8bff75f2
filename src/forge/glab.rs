//! The `glab` adapter: builds GitLab CLI calls and reads what they print.
//!
//! Requests are created, updated and found with glab's own commands — `glab mr create`,
//! `glab mr update`, `glab mr list` — each naming the project with `-R
//! https://HOST/GROUP/PROJECT`. glab takes a description only as an argument, so the
//! body is read into one, cut to what the kernel lets one argument hold. `glab mr view
//! -F json`, `glab mr list -F json` and the REST answers of `glab api` (approvals,
//! notes) print GitLab's merge request and note objects; parsing takes the fields it
//! needs and ignores the rest.

use serde::Deserialize;

use super::client::Proposal;
use super::model::{Check, CheckState, Comment, RequestState, Review, View, fallback_id};
use super::runner::Call;
use super::{Target, Tool, body};

/// Most bytes of a description: Linux caps one argument at 32 pages of 4 KiB, its
/// terminating NUL included (`MAX_ARG_STRLEN`).
const MAX_DESCRIPTION_BYTES: usize = 32 * 4096 - 1;

/// Returns the project path as one URL path segment (`group%2Fsub%2Fname`).
fn project(t: &Target) -> String {
    escape(&t.repo)
}

/// Returns the project's address, which `-R` takes.
fn project_url(t: &Target) -> String {
    format!("https://{}/{}", t.host, t.repo)
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

/// Returns `text` as an argument can carry it: without NUL characters, which no
/// argument holds, and cut to [`MAX_DESCRIPTION_BYTES`].
fn argument(text: &str) -> String {
    body::cap_bytes(&text.replace('\0', ""), MAX_DESCRIPTION_BYTES)
}

/// `glab auth status` for the target's host.
pub(super) fn auth_status(t: &Target) -> Call {
    Call::new(Tool::Glab, ["auth", "status", "--hostname", &t.host])
}

/// The open requests whose source branch is `branch` (`glab mr list` lists open ones
/// unless told otherwise).
pub(super) fn find_open(t: &Target, branch: &str) -> Call {
    Call::new(
        Tool::Glab,
        [
            "mr".to_owned(),
            "list".into(),
            "--source-branch".into(),
            branch.into(),
            "-F".into(),
            "json".into(),
            "-R".into(),
            project_url(t),
        ],
    )
}

/// Opens a request with `description` (the body file's text); a draft gets `--draft`,
/// which glab turns into the `Draft: ` title prefix, and `--yes` skips glab's prompt.
pub(super) fn create(t: &Target, p: &Proposal, description: &str) -> Call {
    let mut args = vec![
        "mr".to_owned(),
        "create".into(),
        "--source-branch".into(),
        p.branch.clone(),
        "--target-branch".into(),
        p.base.clone(),
        "--title".into(),
        argument(&p.title),
        "--description".into(),
        argument(description),
    ];
    if p.draft {
        args.push("--draft".into());
    }
    args.extend(["--yes".into(), "-R".into(), project_url(t)]);
    Call::new(Tool::Glab, args)
}

/// Sets title, description and target branch of request `iid`, and its draft state:
/// `--draft` adds the title prefix, `--ready` takes it away.
pub(super) fn edit(t: &Target, iid: u64, p: &Proposal, description: &str) -> Call {
    Call::new(
        Tool::Glab,
        [
            "mr".to_owned(),
            "update".into(),
            iid.to_string(),
            "--title".into(),
            argument(&p.title),
            "--description".into(),
            argument(description),
            "--target-branch".into(),
            p.base.clone(),
            if p.draft { "--draft" } else { "--ready" }.into(),
            "-R".into(),
            project_url(t),
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
            project_url(t),
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
    source_branch: String,
    project_id: Option<u64>,
    source_project_id: Option<u64>,
    detailed_merge_status: Option<String>,
    head_pipeline: Option<Pipeline>,
    pipeline: Option<Pipeline>,
    sha: Option<String>,
    merge_commit_sha: Option<String>,
    squash_commit_sha: Option<String>,
}

/// Returns (iid, URL) of the request `glab mr create` opened: its address is the last
/// thing it prints (alone on a line, or after the title when stdout is a terminal).
pub(super) fn parse_created(stdout: &str) -> Option<(u64, String)> {
    stdout
        .lines()
        .rev()
        .flat_map(|line| line.split_whitespace().rev())
        .find_map(request_url)
}

/// Returns (iid, URL) when `word` is a merge request's address
/// (`https://HOST/GROUP/PROJECT/-/merge_requests/IID`).
fn request_url(word: &str) -> Option<(u64, String)> {
    let word = word.trim_end_matches(['.', ',', ')', '>']);
    if !word.starts_with("https://") && !word.starts_with("http://") {
        return None;
    }
    let (_, iid) = word.rsplit_once("/-/merge_requests/")?;
    let iid: u64 = iid.parse().ok().filter(|n| *n > 0)?;
    Some((iid, word.to_owned()))
}

/// Returns (iid, URL) of the open request from `branch` of the project itself (not one
/// from a fork's branch of the same name) that `glab mr list -F json` printed.
pub(super) fn parse_found(stdout: &str, branch: &str) -> anyhow::Result<Option<(u64, String)>> {
    let list: Vec<RawMr> = super::client::pages(stdout)?;
    Ok(list
        .into_iter()
        .find(|m| {
            m.iid > 0
                && matches!(m.state.as_str(), "" | "opened")
                && (m.source_branch.is_empty() || m.source_branch == branch)
                && match (m.project_id, m.source_project_id) {
                    (Some(target), Some(source)) => target == source,
                    _ => true,
                }
        })
        .map(|m| (m.iid, m.web_url)))
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
