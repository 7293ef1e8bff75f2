//! `git aos pr feedback <name>`: the reviews and comments people left on a workstream's
//! request become one fix task (`PR-n`) appended to its plan, quoting each comment with
//! its author and, for a line comment, its file and line. Each comment is taken once:
//! `pr.toml` keeps the ids already taken, in the same state commit as the task.

use std::fmt::Write as _;

use serde::Serialize;

use super::client::Forge;
use super::model::Comment;
use super::record::{PrRecord, RECORD_FILE};
use crate::error::UserError;
use crate::ids::{TaskId, WorkstreamName};
use crate::pipeline::Pipeline;
use crate::pipeline::outside_fix::{self, OutsideFix};
use crate::store::WsStatus;

/// What `pr feedback` found and did.
#[derive(Debug, Clone, Serialize)]
pub struct Feedback {
    /// The request read.
    pub reference: String,
    /// The comments not taken before.
    pub comments: Vec<Comment>,
    /// The fix task they became, if there were any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskId>,
    /// The workstream's status afterwards.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<WsStatus>,
    /// What could not be read from the forge.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// Turns the new review comments on the request of `name` into a fix task.
pub fn feedback(p: &Pipeline, name: &WorkstreamName) -> anyhow::Result<Feedback> {
    let snap = p.store.find(name)?;
    let record: PrRecord = p.store.read_toml(&snap, RECORD_FILE)?.ok_or_else(|| {
        UserError::with_hint(
            format!("`{name}` has no pull request"),
            format!("`git aos pr {name}` opens one"),
        )
    })?;
    let target = record.target();
    let forge = Forge::new(&target, &p.repo_root, p.cfg.pr.timeout);
    let (all, warnings) = forge.comments(record.number)?;
    let fresh: Vec<Comment> = all
        .into_iter()
        .filter(|c| !record.feedback.contains(&c.id))
        .map(|mut c| {
            c.body = p.redactor.redact(&c.body);
            c
        })
        .collect();
    let reference = record.reference();
    if fresh.is_empty() {
        return Ok(Feedback {
            reference,
            comments: fresh,
            task: None,
            status: None,
            warnings,
        });
    }
    let fix = OutsideFix {
        prefix: "PR",
        title: format!("Address the review comments on {reference}"),
        body: body(&record, &fresh),
        criteria: vec![format!(
            "every review comment on {reference} quoted in this task is addressed"
        )],
    };
    let ids: Vec<String> = fresh.iter().map(|c| c.id.clone()).collect();
    let summary = format!(
        "{} review comment{} on {reference}",
        fresh.len(),
        if fresh.len() == 1 { "" } else { "s" }
    );
    let (task, status) = outside_fix::add(p, name, fix, &summary, |tx| {
        let mut now: PrRecord = tx.read_toml(RECORD_FILE)?.unwrap_or_else(|| record.clone());
        for id in &ids {
            if !now.feedback.contains(id) {
                now.feedback.push(id.clone());
            }
        }
        tx.put_toml(RECORD_FILE, &now)
    })?;
    Ok(Feedback {
        reference,
        comments: fresh,
        task: Some(task),
        status: Some(status),
        warnings,
    })
}

/// Returns the task's description: where the comments are, then each one quoted, so
/// nothing a reviewer wrote reads as a heading of the plan.
fn body(record: &PrRecord, comments: &[Comment]) -> String {
    let mut out = format!(
        "Reviewers left these comments on {} {} ({}). Address each one; where you disagree, say why in your summary.\n",
        record.tool.noun(),
        record.reference(),
        record.url
    );
    for c in comments {
        let place = match (&c.path, c.line) {
            (Some(path), Some(line)) => format!(" on `{path}:{line}`"),
            (Some(path), None) => format!(" on `{path}`"),
            _ => String::new(),
        };
        let verdict = c
            .verdict
            .as_ref()
            .map(|v| format!(" ({v})"))
            .unwrap_or_default();
        let _ = writeln!(out, "\n**{}**{verdict}{place}:\n", c.author);
        for line in c.body.trim().lines() {
            let _ = writeln!(out, "> {line}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forge::Tool;
    use crate::forge::model::RequestState;

    #[test]
    fn comments_are_quoted_with_author_and_place() {
        let record = PrRecord {
            tool: Tool::Gh,
            remote: "origin".into(),
            host: "github.com".into(),
            repo: "acme/w".into(),
            number: 12,
            url: "https://github.com/acme/w/pull/12".into(),
            branch: "aos/w".into(),
            base: "main".into(),
            head: "0".repeat(40),
            draft: false,
            state: RequestState::Open,
            opened_at: String::new(),
            updated_at: String::new(),
            merge_commit: None,
            feedback: Vec::new(),
        };
        let comments = vec![
            Comment {
                id: "review:1".into(),
                author: "ann".into(),
                body: "Rename it.\n### not a heading".into(),
                path: None,
                line: None,
                verdict: Some("changes requested".into()),
            },
            Comment {
                id: "line:2".into(),
                author: "bob".into(),
                body: "Off by one.".into(),
                path: Some("src/a.rs".into()),
                line: Some(3),
                verdict: None,
            },
        ];
        let text = body(&record, &comments);
        assert!(text.contains("pull request #12 (https://github.com/acme/w/pull/12)"));
        assert!(text.contains("**ann** (changes requested):\n\n> Rename it.\n> ### not a heading"));
        assert!(text.contains("**bob** on `src/a.rs:3`:\n\n> Off by one."));
        assert!(!text.lines().any(|l| l.starts_with('#')));
    }
}
