//! One forge, whichever tool speaks for it: the calls `publish`, `reconcile` and
//! `feedback` make, each built by the tool's adapter and run by the runner.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use serde::de::DeserializeOwned;

use super::model::{Comment, Review, View};
use super::runner::{self, Call};
use super::{Target, Tool, gh, glab};
use crate::error::UserError;

/// A request as git aos wants it to be.
#[derive(Debug, Clone)]
pub struct Proposal {
    /// The head branch (`aos/<name>`).
    pub branch: String,
    /// The branch it is to merge into.
    pub base: String,
    /// Its title (without any draft prefix).
    pub title: String,
    /// The file holding its body.
    pub body_file: PathBuf,
    /// Whether it is a draft.
    pub draft: bool,
}

/// The forge behind a target, called from `dir` with a timeout per call.
pub struct Forge<'a> {
    /// Where requests go.
    pub target: &'a Target,
    dir: &'a Path,
    timeout: Duration,
}

impl<'a> Forge<'a> {
    /// Returns the forge of `target`; calls run in `dir`.
    pub fn new(target: &'a Target, dir: &'a Path, timeout: Duration) -> Self {
        Self {
            target,
            dir,
            timeout,
        }
    }

    fn run_ok(&self, call: &Call) -> anyhow::Result<String> {
        runner::run_ok(call, self.dir, self.timeout)
    }

    /// Refuses, with the tool's own words and a hint, when the tool is not installed or
    /// not logged in to the target's host.
    pub fn check_auth(&self) -> anyhow::Result<()> {
        let t = self.target;
        let call = match t.tool {
            Tool::Gh => gh::auth_status(t),
            Tool::Glab => glab::auth_status(t),
        };
        let answer = runner::run(&call, self.dir, self.timeout)?;
        if answer.success() {
            return Ok(());
        }
        Err(
            anyhow::anyhow!("{}", answer.complaint()).context(UserError::with_hint(
                format!("`{}` is not logged in to `{}`", t.tool, t.host),
                format!("run `{} auth login --hostname {}`", t.tool, t.host),
            )),
        )
    }

    /// Returns (number, URL) of an open request whose head is `branch`, if there is one.
    pub fn find_open(&self, branch: &str) -> anyhow::Result<Option<(u64, String)>> {
        let t = self.target;
        match t.tool {
            Tool::Gh => gh::parse_found(&self.run_ok(&gh::find_open(t, branch))?),
            Tool::Glab => glab::parse_found(&self.run_ok(&glab::find_open(t, branch))?, branch),
        }
        .map_err(|e| e.context("could not read the open requests the forge listed"))
    }

    /// Opens the request; returns its (number, URL).
    pub fn create(&self, p: &Proposal) -> anyhow::Result<(u64, String)> {
        let t = self.target;
        match t.tool {
            Tool::Gh => {
                let out = self.run_ok(&gh::create(t, p))?;
                gh::parse_created(&out).ok_or_else(|| {
                    anyhow::anyhow!("`gh pr create` printed no request URL: {}", out.trim())
                })
            }
            Tool::Glab => {
                let out = self.run_ok(&glab::create(t, p, &description(p)?))?;
                glab::parse_created(&out).ok_or_else(|| {
                    anyhow::anyhow!(
                        "`glab mr create` printed no merge request URL: {}",
                        out.trim()
                    )
                })
            }
        }
    }

    /// Brings request `number` to `p`: title, base, body and draft state (`was_draft` is
    /// what the forge reported before).
    pub fn update(&self, number: u64, p: &Proposal, was_draft: bool) -> anyhow::Result<()> {
        let t = self.target;
        match t.tool {
            Tool::Gh => {
                self.run_ok(&gh::edit(t, number, p))?;
                if was_draft != p.draft {
                    self.run_ok(&gh::set_draft(t, number, p.draft))?;
                }
            }
            Tool::Glab => {
                self.run_ok(&glab::edit(t, number, p, &description(p)?))?;
            }
        }
        Ok(())
    }

    /// Returns the request as the forge reports it now.
    pub fn view(&self, number: u64) -> anyhow::Result<View> {
        let t = self.target;
        let mut view = match t.tool {
            Tool::Gh => gh::parse_view(&self.run_ok(&gh::view(t, number))?),
            Tool::Glab => glab::parse_view(&self.run_ok(&glab::view(t, number))?),
        }
        .map_err(|e| e.context(format!("could not read {}", t.tool.reference(number))))?;
        if t.tool == Tool::Glab && view.review == Review::None {
            // The merge request object carries no approvals; ask for them, and take no
            // answer as no decision.
            let answer = runner::run(&glab::approvals(t, number), self.dir, self.timeout)?;
            if answer.success() && glab::parse_approved(&answer.stdout) {
                view.review = Review::Approved;
            }
        }
        if view.number == 0 {
            view.number = number;
        }
        Ok(view)
    }

    /// Returns the reviews and comments people left on request `number`, oldest first,
    /// and what could not be read (GitHub's line comments come from a second call; when
    /// only that one fails, the rest is still worth having).
    pub fn comments(&self, number: u64) -> anyhow::Result<(Vec<Comment>, Vec<String>)> {
        let t = self.target;
        let read = |e: anyhow::Error| e.context("could not read the request's comments");
        match t.tool {
            Tool::Gh => {
                let mut all = gh::parse_discussion(&self.run_ok(&gh::discussion(t, number))?)
                    .map_err(read)?;
                let lines = self
                    .run_ok(&gh::line_comments(t, number))
                    .and_then(|out| gh::parse_line_comments(&out));
                match lines {
                    Ok(lines) => {
                        all.extend(lines);
                        Ok((all, Vec::new()))
                    }
                    Err(e) => Ok((all, vec![format!("line comments left out: {e:#}")])),
                }
            }
            Tool::Glab => Ok((
                glab::parse_notes(&self.run_ok(&glab::notes(t, number))?).map_err(read)?,
                Vec::new(),
            )),
        }
    }
}

/// Returns the text of the proposal's body file, for a tool that takes it only as an
/// argument.
fn description(p: &Proposal) -> anyhow::Result<String> {
    std::fs::read_to_string(&p.body_file)
        .with_context(|| format!("could not read `{}`", p.body_file.display()))
}

/// Returns every item of the JSON arrays in `text`: `gh api --paginate` and `glab api
/// --paginate` print one array per page, one after the other (or, newer, one array).
pub(super) fn pages<T: DeserializeOwned>(text: &str) -> anyhow::Result<Vec<T>> {
    let mut out = Vec::new();
    for page in serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>() {
        match page? {
            serde_json::Value::Array(items) => {
                for item in items {
                    out.push(serde_json::from_value(item)?);
                }
            }
            serde_json::Value::Null => {}
            other => out.push(serde_json::from_value(other)?),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn pages_are_read_one_after_the_other() {
        let items: Vec<u32> = super::pages("[1,2]\n[3]\n[]").unwrap();
        assert_eq!(items, vec![1, 2, 3]);
        let items: Vec<u32> = super::pages("[1,2,3]").unwrap();
        assert_eq!(items, vec![1, 2, 3]);
        assert!(super::pages::<u32>("[1,").is_err());
    }
}
