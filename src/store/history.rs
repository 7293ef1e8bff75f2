//! The state history of a workstream: its chain of state commits, newest first.

use gix::ObjectId;
use serde::Serialize;

use super::{Store, archive, ref_target, refs};
use crate::ids::WorkstreamName;

/// One state commit, as `git aos log` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct LogEntry {
    /// State commit id (hex).
    pub commit: String,
    /// Summary line without the `ws <name>: ` prefix.
    pub summary: String,
    /// `Aos-Event` trailer.
    pub event: String,
    /// Every `Aos-*` trailer other than `Aos-Event`.
    pub trailers: Vec<(String, String)>,
    /// Author name and email.
    pub author: String,
    /// Author time, RFC 3339.
    pub time: String,
}

impl Store {
    /// Returns the state history of a live workstream, or of its newest archive when it
    /// is not live; newest first, at most `limit` entries.
    pub fn log(&self, name: &WorkstreamName, limit: usize) -> anyhow::Result<Vec<LogEntry>> {
        let repo = self.repo();
        let tip = match ref_target(&repo, &refs::live(name))? {
            Some(id) => id,
            None => match archive::newest_for(&repo, name)? {
                Some(entry) => entry.1,
                None => {
                    return Err(crate::error::UserError::with_hint(
                        format!("no workstream named `{name}`, live or archived"),
                        "`git aos list --all` shows every workstream",
                    )
                    .into());
                }
            },
        };
        walk(&repo, tip, limit)
    }
}

/// Walks first parents from `tip`.
fn walk(repo: &gix::Repository, tip: ObjectId, limit: usize) -> anyhow::Result<Vec<LogEntry>> {
    let mut out = Vec::new();
    let mut next = Some(tip);
    while let Some(id) = next {
        if out.len() >= limit {
            break;
        }
        let commit = repo.find_commit(id)?;
        let decoded = commit.decode()?;
        let message = decoded.message.to_string();
        let mut lines = message.lines();
        let first = lines.next().unwrap_or_default();
        let summary = first.split_once(": ").map_or(first, |(_, s)| s).to_owned();
        let mut event = String::new();
        let mut trailers = Vec::new();
        for line in message.lines().filter(|l| l.starts_with("Aos-")) {
            if let Some((k, v)) = line.split_once(':') {
                if k == "Aos-Event" {
                    event = v.trim().to_owned();
                } else {
                    trailers.push((k.to_owned(), v.trim().to_owned()));
                }
            }
        }
        let author = decoded.author()?;
        let time = author
            .time()
            .ok()
            .and_then(|t| jiff::Timestamp::from_second(t.seconds).ok())
            .map(|t| t.to_string())
            .unwrap_or_default();
        out.push(LogEntry {
            commit: id.to_string(),
            summary,
            event,
            trailers,
            author: format!("{} <{}>", author.name, author.email),
            time,
        });
        next = decoded.parents().next();
    }
    Ok(out)
}
