//! `[pr]`: pull and merge requests — which forge tool speaks for the remote when its host
//! does not say, which remote to push to, and how long one forge call may take.

use std::time::Duration;

use super::error::Error;
use super::file::RawPr;
use super::source::Source;
use super::units::parse_duration;

/// Forge tools `[pr] tool` may name.
pub const PR_TOOLS: &[&str] = &["gh", "glab"];
/// Default `[pr] timeout`: the most one `gh`/`glab` call may take.
pub const DEFAULT_PR_TIMEOUT: Duration = Duration::from_secs(120);

/// `[pr]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pr {
    /// `gh` or `glab` whatever the remote's host; `None` lets the host decide.
    pub tool: Option<String>,
    /// The remote to push to and open requests on; `None`: `origin`, else the only one.
    pub remote: Option<String>,
    /// The most one forge call may take before it is killed.
    pub timeout: Duration,
}

impl Default for Pr {
    fn default() -> Self {
        Self {
            tool: None,
            remote: None,
            timeout: DEFAULT_PR_TIMEOUT,
        }
    }
}

/// Checks `[pr]`.
pub(super) fn resolve_pr(raw: RawPr, source: &Source<'_>) -> Result<Pr, Error> {
    let tool = match raw.tool {
        None => None,
        Some(text) if PR_TOOLS.contains(&text.get_ref().as_str()) => Some(text.into_inner()),
        Some(text) => {
            return Err(source.invalid(
                &text.span(),
                format!("`pr.tool` is `{}`", text.get_ref()),
                Some("write `tool = \"gh\"` (GitHub) or `tool = \"glab\"` (GitLab)".into()),
            ));
        }
    };
    let timeout = match raw.timeout {
        None => DEFAULT_PR_TIMEOUT,
        Some(text) => parse_duration(text.get_ref()).map_err(|why| {
            source.invalid(
                &text.span(),
                format!("`pr.timeout`: {why}"),
                Some("write a duration like `90s` or `2m`".into()),
            )
        })?,
    };
    Ok(Pr {
        tool,
        remote: raw.remote.filter(|r| !r.trim().is_empty()),
        timeout,
    })
}
